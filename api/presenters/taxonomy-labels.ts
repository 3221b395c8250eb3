// Categories and subcategories (detector/incidents/taxonomy.ts) as people read them: their keys stay
// in URLs, forms and the API; pages show the words of `category.<key>` and `subcategory.<key>`
// (views/locales/<lang>/values.json; tests/views/taxonomy-labels.test.ts checks every key has them).
import { TAXONOMY } from '../../detector/incidents/taxonomy.js';

export const categoryLabelKey = (category: string): string => `category.${category}`;
export const subcategoryLabelKey = (subcategory: string): string => `subcategory.${subcategory}`;

/** Options of a category select: `{ value, labelKey }`, the chosen one marked. */
export function categoryOptions(selected?: string): Array<{ value: string; labelKey: string; selected: boolean }> {
  return Object.keys(TAXONOMY).map((value) => ({ value, labelKey: categoryLabelKey(value), selected: value === selected }));
}

/** Subcategory options grouped by their category (an `<optgroup>` each, its label a key too). */
export function subcategoryGroups(): Array<{ label: null; labelKey: string; options: Array<{ value: string; labelKey: string }> }> {
  return Object.entries(TAXONOMY).map(([category, subs]) => ({
    label: null,
    labelKey: categoryLabelKey(category),
    options: subs.map((value) => ({ value, labelKey: subcategoryLabelKey(value) })),
  }));
}
