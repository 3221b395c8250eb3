// Every category and subcategory of the taxonomy has words in both languages, and the presenters'
// options name them by those keys.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMessages } from '../../api/i18n.js';
import { categoryLabelKey, categoryOptions, subcategoryGroups, subcategoryLabelKey } from '../../api/presenters/taxonomy-labels.js';
import { TAXONOMY } from '../../detector/incidents/taxonomy.js';
import { PROJECT_ROOT } from '../helpers/sigap-process.js';

describe('taxonomy labels', () => {
  const localesDir = join(PROJECT_ROOT, 'views', 'locales');
  const keys = Object.entries(TAXONOMY).flatMap(([category, subs]) => [categoryLabelKey(category), ...subs.map(subcategoryLabelKey)]);

  it.each(['id', 'en'] as const)('has words for every category and subcategory in %s', (lang) => {
    const messages = loadMessages(localesDir, lang);
    expect(keys.filter((key) => !messages[key]?.trim())).toEqual([]);
  });

  it('offers categories and grouped subcategories by their label keys', () => {
    expect(categoryOptions('network').find((o) => o.selected)).toEqual({ value: 'network', labelKey: 'category.network', selected: true });
    const network = subcategoryGroups().find((g) => g.labelKey === 'category.network');
    expect(network?.options).toEqual([
      { value: 'dns', labelKey: 'subcategory.dns' },
      { value: 'connection', labelKey: 'subcategory.connection' },
    ]);
  });
});
