// The new-incident form: the subcategory list offers only the chosen category's subcategories.
// Without this script every subcategory is listed, grouped by category, and the server refuses
// one of another category by name.
(function () {
  'use strict';
  var category = document.getElementById('field-category');
  var subcategory = document.getElementById('field-subcategory');
  if (!category || !subcategory) return;
  function offerChosen() {
    var chosen = category.value;
    var groups = subcategory.querySelectorAll('optgroup[data-category]');
    for (var i = 0; i < groups.length; i++) {
      var group = groups[i];
      var offered = chosen === '' || group.getAttribute('data-category') === chosen;
      group.hidden = !offered;
      group.disabled = !offered;
      if (!offered && group.contains(subcategory.selectedOptions[0] || null)) subcategory.value = '';
    }
  }
  category.addEventListener('change', offerChosen);
  offerChosen();
})();
