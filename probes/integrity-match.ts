// How the integrity probe finds forbidden terms: one combined regular expression over text
// normalised like the terms (NFKC, lower case). A term of several words also matches them joined,
// hyphenated or underscored ("slot gacor", "slot-gacor", "slot_gacor", "slotgacor"), digits may
// follow it ("slot gacor 88", "togel4d" does not: a letter follows), and a term never matches
// inside a longer word ("togel" not in "ontogelogi"). The expression has no nested quantifiers, so
// matching is linear in the text's length.
import { normalizeTerm } from './integrity-terms.js';

/** Between the words of a term: nothing, or up to 8 spaces, hyphens and underscores. */
const BETWEEN_WORDS = '[\\s_\\-]{0,8}';
/** Digits that may follow a term ("slot88", "togel 4d" is not a match of "togel" + digits). */
const TRAILING_DIGITS = '(?:[\\s_\\-]?\\d{1,6})?';

export interface TermMatch {
  /** The term of the list that matched. */
  term: string;
  /** Where in the normalised text. */
  index: number;
  length: number;
}

export interface TermMatcher {
  /** Every match in `text` (normalised here), in order, at most `limit`. */
  find: (text: string, limit?: number) => TermMatch[];
  terms: readonly string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Text as the terms are: NFKC (full-width letters become plain) and lower case. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** A matcher for `terms` (normalised, repeats dropped, the longest tried first). */
export function compileTerms(terms: readonly string[]): TermMatcher {
  const list = [...new Set(terms.map(normalizeTerm).filter((t) => t !== ''))].sort((a, b) => b.length - a.length || a.localeCompare(b));
  if (list.length === 0) return { terms: list, find: () => [] };
  const alternatives = list.map((term) => '(' + term.split(' ').map(escapeRegExp).join(BETWEEN_WORDS) + ')');
  const source = '(?<![\\p{L}\\p{N}])(?:' + alternatives.join('|') + ')' + TRAILING_DIGITS + '(?![\\p{L}\\p{N}])';
  const pattern = new RegExp(source, 'gu');
  const find = (text: string, limit = 1000): TermMatch[] => {
    const normalized = normalizeText(text);
    const found: TermMatch[] = [];
    pattern.lastIndex = 0;
    for (let m = pattern.exec(normalized); m !== null && found.length < limit; m = pattern.exec(normalized)) {
      const group = m.findIndex((value, i) => i > 0 && value !== undefined);
      found.push({ term: list[group - 1]!, index: m.index, length: m[0].length });
    }
    return found;
  };
  return { terms: list, find };
}
