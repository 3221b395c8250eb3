// The /known-errors page: the known errors found, the search form as typed, the categories to pick from.
import type { KnownError } from '../../detector/incidents/incident-types.js';
import { TAXONOMY } from '../../detector/incidents/taxonomy.js';
import type { Formatters } from './formatters.js';
import { categoryLabelKey, subcategoryLabelKey } from './taxonomy-labels.js';

export function knownErrorsView(items: KnownError[], filter: { q?: string; category?: string }, fmt: Formatters) {
  return {
    knownErrors: items.map((k) => ({ ...k, createdAt: fmt.dateTime(k.createdAt), categoryKey: categoryLabelKey(k.category), subcategoryKey: subcategoryLabelKey(k.subcategory) })),
    filter: { q: filter.q ?? '', category: filter.category ?? '' },
    categories: Object.keys(TAXONOMY).map((value) => ({ value, labelKey: categoryLabelKey(value) })),
  };
}
