// docs/integrity.md says what the probe does: its shipped term list is SHIPPED_TERMS, in order,
// and its bounds table carries the numbers the probe uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_REDIRECTS, OPTIONAL_SHARE, PAGE_BYTES } from '../../probes/integrity.js';
import { CLOAKING_MIN_WORDS, CLOAKING_SIMILARITY, DRIFT_DISTANCE, MAX_FINDINGS, SNIPPET_AFTER, SNIPPET_BEFORE, SNIPPET_MATCH, USER_AGENTS } from '../../probes/integrity-rules.js';
import { SAMPLE_CANDIDATES, SITEMAP_FILE_BYTES, SITEMAP_FILES, SITEMAP_TOTAL_BYTES, SITEMAP_URLS } from '../../probes/integrity-sitemap.js';
import { DEFACEMENT_TERMS, GAMBLING_TERMS, SHIPPED_TERMS } from '../../probes/integrity-terms.js';
import { PROJECT_ROOT } from '../helpers/sigap-process.js';

const doc = readFileSync(join(PROJECT_ROOT, 'docs/integrity.md'), 'utf8');

describe('docs/integrity.md', () => {
  it('lists exactly the shipped terms, in order, each in its group', () => {
    const section = doc.slice(doc.indexOf('<!-- shipped-terms:start -->'), doc.indexOf('<!-- shipped-terms:end -->'));
    const rows = [...section.matchAll(/^\| `([^`]+)` \| (\w+) \| .+ \|$/gm)].map((m) => [m[1], m[2]]);
    expect(rows.map(([term]) => term)).toEqual([...SHIPPED_TERMS]);
    expect(rows.filter(([, group]) => group === 'gambling').map(([term]) => term)).toEqual([...GAMBLING_TERMS]);
    expect(rows.filter(([, group]) => group === 'defacement').map(([term]) => term)).toEqual([...DEFACEMENT_TERMS]);
  });

  it.each([
    ['PAGE_BYTES', PAGE_BYTES],
    ['SITEMAP_FILE_BYTES', SITEMAP_FILE_BYTES],
    ['SITEMAP_TOTAL_BYTES', SITEMAP_TOTAL_BYTES],
    ['SITEMAP_FILES', SITEMAP_FILES],
    ['SITEMAP_URLS', SITEMAP_URLS],
    ['SAMPLE_CANDIDATES', SAMPLE_CANDIDATES],
    ['MAX_REDIRECTS', MAX_REDIRECTS],
    ['MAX_FINDINGS', MAX_FINDINGS],
  ])('states the bound %s as %i', (name, value) => {
    expect(doc).toMatch(new RegExp(`\\| ${value}[ |(][^\\n]*\`${name}\``));
  });

  it('states the thresholds, the time share, the snippet sizes and the user agents the probe uses', () => {
    expect(doc).toContain(`less than ${CLOAKING_SIMILARITY} of its three-word shingles`);
    expect(doc).toContain(`fewer than ${CLOAKING_MIN_WORDS} words`);
    expect(doc).toContain(`more than ${DRIFT_DISTANCE} of\n64 bits`);
    expect(doc).toContain(`${Math.round(OPTIONAL_SHARE * 100)} % of it`);
    expect(doc).toContain(`${SNIPPET_BEFORE} / ${SNIPPET_MATCH} / ${SNIPPET_AFTER} characters`);
    expect(doc).toContain(USER_AGENTS.googlebot);
    expect(doc).toContain(USER_AGENTS.bingbot);
  });
});
