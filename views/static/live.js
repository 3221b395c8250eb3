// Sigap's live pages (the queue, an incident). The page says where to poll and with which ETag
// (views/partials/live.hbs); every few seconds the script asks again with If-None-Match. Nothing
// changed: 304, nothing is rendered. A change: the fresh page's parts marked data-live-region
// replace the ones shown — never one a person is typing in or has unsaved input in (that one waits
// until they are done). New incidents are counted in the tab title until the person looks.
// Without this script every page works as served. Plain JavaScript: the CSP allows only 'self'.
(function () {
  'use strict';

  var root = document.querySelector('[data-live]');
  if (!root || !window.fetch || !window.DOMParser) return;

  var VISIBLE_MS = 3000;
  var HIDDEN_MS = 10000;
  var MAX_WAIT_MS = 60000;
  var HIGHLIGHT_MS = 10000;

  var url = root.getAttribute('data-live-url');
  var etag = root.getAttribute('data-live-etag');
  var updated = root.querySelector('[data-live-updated]');
  var status = root.querySelector('[data-live-status]');
  var login = root.querySelector('[data-live-login]');
  var baseTitle = document.title.replace(/^\(\d+\) /, '');

  var clock = timeFormat(root.getAttribute('data-live-tz'));
  // What each region last showed as served (not as the script marked it), to skip swapping equals.
  var served = {};
  regions(document).forEach(function (region) {
    served[region.getAttribute('data-live-region')] = region.innerHTML;
  });
  var seen = keysIn(document);
  var unseen = []; // keys of incidents that appeared since the person last looked
  var pending = null; // a fetched page with a region still waiting for the person to finish typing
  var failures = 0;
  var timer = null;
  var inFlight = false;
  var stopped = false;

  function timeFormat(timeZone) {
    var options = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
    try {
      if (timeZone) options.timeZone = timeZone;
      return new Intl.DateTimeFormat('en-GB', options);
    } catch (_unknownZone) {
      delete options.timeZone;
      return new Intl.DateTimeFormat('en-GB', options);
    }
  }

  function regions(doc) {
    return Array.prototype.slice.call(doc.querySelectorAll('[data-live-region]'));
  }

  function keysIn(doc) {
    var keys = {};
    regions(doc).forEach(function (region) {
      region.querySelectorAll('[data-live-key]').forEach(function (el) {
        keys[el.getAttribute('data-live-key')] = true;
      });
    });
    return keys;
  }

  function message(name, count) {
    return (root.getAttribute('data-msg-' + name) || '').replace('{count}', String(count));
  }

  function announce(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  function showUpdated(date) {
    if (isNaN(date.getTime())) date = new Date();
    updated.textContent = clock.format(date);
    updated.setAttribute('datetime', date.toISOString());
  }

  function showTitle() {
    document.title = unseen.length > 0 ? '(' + unseen.length + ') ' + baseTitle : baseTitle;
  }

  /** A field whose value differs from what the server sent: input not saved yet. */
  function unsaved(field) {
    if (field.type === 'hidden' || field.type === 'submit' || field.type === 'button') return false;
    if (field.type === 'checkbox' || field.type === 'radio') return field.checked !== field.defaultChecked;
    if (field.tagName === 'SELECT') {
      // With no option marked selected, a single select shows (and sends) its first one.
      var marked = Array.prototype.some.call(field.options, function (o) {
        return o.defaultSelected;
      });
      for (var i = 0; i < field.options.length; i++) {
        var shown = field.options[i].defaultSelected || (!marked && !field.multiple && i === 0);
        if (field.options[i].selected !== shown) return true;
      }
      return false;
    }
    return field.value !== field.defaultValue;
  }

  /**
   * Someone is typing in the region, or has typed there without sending it yet, or the region shows
   * what the server said of a form they sent (an error beside their input: `.form-error`, or
   * anything marked `data-live-hold`).
   */
  function busy(region) {
    if (region.querySelector('.form-error, [data-live-hold]')) return true;
    var active = document.activeElement;
    if (active && region.contains(active) && (/^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) || active.isContentEditable)) return true;
    var fields = region.querySelectorAll('input, textarea, select');
    for (var i = 0; i < fields.length; i++) if (unsaved(fields[i])) return true;
    return false;
  }

  /** How to find the focused element again in the region's new content. */
  function focusSelector(el) {
    if (el.id) return '#' + CSS.escape(el.id);
    if (el.getAttribute('href')) return el.tagName.toLowerCase() + '[href="' + CSS.escape(el.getAttribute('href')) + '"]';
    if (el.getAttribute('name')) return el.tagName.toLowerCase() + '[name="' + CSS.escape(el.getAttribute('name')) + '"]';
    return null;
  }

  /** A disclosure the person opened stays open after a swap, even when others come or go before it. */
  function detailsKey(details) {
    var summary = details.querySelector('summary');
    return details.className + '|' + (summary ? summary.textContent.trim() : '');
  }

  function swap(region, fresh) {
    var x = window.scrollX;
    var y = window.scrollY;
    var active = document.activeElement;
    var refocus = active && active !== document.body && region.contains(active) ? focusSelector(active) : null;
    var open = {};
    region.querySelectorAll('details[open]').forEach(function (d) {
      open[detailsKey(d)] = true;
    });
    region.replaceChildren.apply(
      region,
      Array.prototype.map.call(fresh.childNodes, function (node) {
        return document.importNode(node, true);
      }),
    );
    region.querySelectorAll('details').forEach(function (d) {
      if (open[detailsKey(d)]) d.open = true;
    });
    if (refocus) {
      var again = region.querySelector(refocus);
      if (again) again.focus({ preventScroll: true });
    }
    window.scrollTo(x, y);
  }

  function markNew() {
    unseen.forEach(function (key) {
      document.querySelectorAll('[data-live-key="' + CSS.escape(key) + '"]').forEach(function (el) {
        el.classList.add('live-new');
      });
    });
  }

  /** List entries in a region marked data-live-announce (a history): more of them is worth saying. */
  function entries(region) {
    return region.hasAttribute('data-live-announce') ? region.querySelectorAll('li').length : 0;
  }

  /** Swaps what changed; answers whether a region had to wait. */
  function apply(doc) {
    var held = false;
    var grew = false;
    regions(document).forEach(function (region) {
      var name = region.getAttribute('data-live-region');
      var fresh = doc.querySelector('[data-live-region="' + CSS.escape(name) + '"]');
      if (!fresh || served[name] === fresh.innerHTML) return;
      if (busy(region)) {
        held = true;
        return;
      }
      var before = entries(region);
      swap(region, fresh);
      served[name] = fresh.innerHTML;
      if (entries(region) > before) grew = true;
    });
    var arrived = [];
    Object.keys(keysIn(document)).forEach(function (key) {
      if (!seen[key]) {
        seen[key] = true;
        arrived.push(key);
      }
    });
    unseen = unseen.concat(arrived);
    markNew();
    showTitle();
    // Due times counting down change a page every minute: said aloud are only new incidents, new
    // history entries and a part held back.
    if (arrived.length > 0) announce(message('new', unseen.length));
    else if (held) announce(message('held'));
    else if (grew) announce(message('changed'));
    else if (status.textContent === message('held')) announce('');
    return held;
  }

  function tryPending() {
    if (pending && !apply(pending)) pending = null;
  }

  /**
   * The person looked at the page: the title stops counting at once; the rows stay highlighted a
   * little longer, for the eye to find them.
   */
  function looked() {
    if (unseen.length === 0) return;
    var noticed = unseen;
    unseen = [];
    showTitle();
    setTimeout(function () {
      noticed.forEach(function (key) {
        if (unseen.indexOf(key) >= 0) return;
        document.querySelectorAll('[data-live-key="' + CSS.escape(key) + '"]').forEach(function (el) {
          el.classList.remove('live-new');
        });
      });
    }, HIGHLIGHT_MS);
  }

  function stop(reason) {
    stopped = true;
    clearTimeout(timer);
    announce(message(reason));
    if (reason === 'expired' && login) login.hidden = false;
  }

  function schedule(ms) {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(poll, ms);
  }

  function nextWait() {
    var base = document.hidden ? HIDDEN_MS : VISIBLE_MS;
    return Math.min(MAX_WAIT_MS, base * Math.pow(2, Math.min(failures, 5)));
  }

  function received(res) {
    // A redirect is the log-in page answering for an ended session: never swap it in.
    if (res.type === 'opaqueredirect' || res.status === 401 || res.status === 403) return stop('expired');
    // The incident is gone from this person's view (handed back below their level): say so, stop.
    if (res.status === 404) return stop('gone');
    if (res.status !== 200 && res.status !== 304) throw new Error('status ' + res.status);
    var when = new Date(res.headers.get('Date') || Date.now());
    if (res.status === 304) {
      if (failures > 0) announce('');
      failures = 0;
      showUpdated(when);
      return;
    }
    return res.text().then(function (html) {
      var doc = new DOMParser().parseFromString(html, 'text/html');
      if (!doc.querySelector('[data-live]')) return stop('expired');
      if (failures > 0) announce('');
      failures = 0;
      etag = res.headers.get('ETag') || etag;
      baseTitle = doc.title.replace(/^\(\d+\) /, '') || baseTitle;
      pending = apply(doc) ? doc : null;
      showTitle();
      showUpdated(when);
    });
  }

  function poll() {
    if (stopped || inFlight) return;
    tryPending();
    inFlight = true;
    var headers = { Accept: 'text/html' };
    if (etag) headers['If-None-Match'] = etag;
    fetch(url, { headers: headers, credentials: 'same-origin', redirect: 'manual', cache: 'no-store' })
      .then(received)
      .catch(function () {
        failures += 1;
        announce(message('offline'));
      })
      .then(function () {
        inFlight = false;
        schedule(nextWait());
      });
  }

  document.addEventListener('visibilitychange', function () {
    if (document.hidden) return;
    looked();
    schedule(0);
  });
  window.addEventListener('focus', looked);
  document.addEventListener('pointerdown', looked);
  document.addEventListener('keydown', looked);
  // A region held while someone typed is swapped once they leave the field (if nothing is unsaved).
  document.addEventListener('focusout', function () {
    setTimeout(tryPending, 0);
  });

  schedule(nextWait());
})();
