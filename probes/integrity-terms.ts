// The forbidden terms the integrity probe looks for, as shipped (docs/integrity.md lists them with
// why each is there). A check extends the list with `terms.add` and trims it with `terms.remove`.
// Terms are lower case; a term of several words also matches them joined or hyphenated
// ("slot gacor", "slot-gacor", "slotgacor"), and digits may follow the last word ("slot88").
// Single words that ordinary Indonesian uses ("slot" as in "slot antrean", "bola", "toto") are
// not on the list on their own.

/** Judi online: the gambling vocabulary of SEO spam injected into go.id sites. */
export const GAMBLING_TERMS: readonly string[] = [
  'judi online',
  'judi bola',
  'judi slot',
  'situs judi',
  'agen judi',
  'bandar judi',
  'slot gacor',
  'slot online',
  'situs slot',
  'agen slot',
  'link slot',
  'slot88',
  'slot demo',
  'slot maxwin',
  'maxwin',
  'gacor',
  'scatter hitam',
  'mahjong ways',
  'pragmatic play',
  'rtp live',
  'rtp slot',
  'togel',
  'bandar togel',
  'toto macau',
  'situs toto',
  'sbobet',
  'poker online',
  'casino online',
  'kasino online',
  'live casino',
  'deposit pulsa',
  'tanpa potongan',
  'bonus new member',
  'link alternatif',
  'daftar slot',
  'akun pro',
  'gampang menang',
  'online gambling',
  'online casino',
  'sports betting',
];

/** Defacement: what a defacer writes on the page they took. */
export const DEFACEMENT_TERMS: readonly string[] = [
  'hacked by',
  'defaced by',
  'h4cked by',
  'pwned by',
  'owned by hacker',
  'greetz',
  'your security is low',
  'your security is weak',
  'security is garbage',
  'just for fun hacked',
  'cyber army',
  'hacker indonesia',
];

/** Every shipped term, gambling first. */
export const SHIPPED_TERMS: readonly string[] = [...new Set([...GAMBLING_TERMS, ...DEFACEMENT_TERMS])];

/** The check's list: the shipped terms with `add` added and `remove` taken out, lower case, without repeats. */
export function termsFor(add: readonly string[], remove: readonly string[]): string[] {
  const removed = new Set(remove.map(normalizeTerm));
  const all = [...SHIPPED_TERMS, ...add].map(normalizeTerm).filter((t) => t !== '' && !removed.has(t));
  return [...new Set(all)];
}

/** Lower case, NFKC (full-width letters become plain), runs of spaces as one. */
export function normalizeTerm(term: string): string {
  return term.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}
