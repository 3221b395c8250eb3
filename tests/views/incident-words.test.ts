// The words messages use for incident codes are the pages' words: one table in the detector for
// texts built outside the pages, equal to the locales.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMessages } from '../../api/i18n.js';
import {
  CATEGORY_WORDS,
  CLOSURE_CODE_WORDS,
  closureCodeText,
  REPORTED_VIA_WORDS,
  RESOLUTION_CODE_WORDS,
  SUBCATEGORY_WORDS,
  taxonomyText,
} from '../../detector/incidents/incident-words.js';
import { REPORTED_VIA } from '../../detector/incidents/reporter.js';
import { CLOSURE_CODES, RESOLUTION_CODES } from '../../detector/incidents/incident-actions.js';
import { TAXONOMY } from '../../detector/incidents/taxonomy.js';
import { PROJECT_ROOT } from '../helpers/sigap-process.js';

describe('incident words', () => {
  it.each(['id', 'en'] as const)('are the locales’ words in %s, for every code', (lang) => {
    const messages = loadMessages(join(PROJECT_ROOT, 'views', 'locales'), lang);
    const tables: Array<[Record<string, { id: string; en: string }>, string, readonly string[]]> = [
      [CATEGORY_WORDS, 'category.', Object.keys(TAXONOMY)],
      [SUBCATEGORY_WORDS, 'subcategory.', Object.values(TAXONOMY).flat()],
      [RESOLUTION_CODE_WORDS, 'form.resolution.', RESOLUTION_CODES],
      [CLOSURE_CODE_WORDS, 'lang.closureCode.', CLOSURE_CODES],
      [REPORTED_VIA_WORDS, 'reporter.via.', REPORTED_VIA],
    ];
    for (const [words, prefix, codes] of tables) {
      for (const code of codes) expect(words[code]?.[lang], `${prefix}${code}`).toBe(messages[`${prefix}${code}`]);
    }
  });

  it('says a category pair and a closure code in words', () => {
    expect(taxonomyText('network', 'connection', 'id')).toBe('jaringan / koneksi');
    expect(closureCodeText('confirmed', 'id')).toBe('dikonfirmasi pelapor');
  });
});
