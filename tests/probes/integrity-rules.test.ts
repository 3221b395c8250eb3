// The integrity probe's pure rules, by tables: term matching, hiding styles, page reading,
// snippets, the fingerprint, the sample spread, and how findings make one failure kind.
import { describe, expect, it } from 'vitest';
import { compileTerms } from '../../probes/integrity-match.js';
import { hiddenBy, readPage } from '../../probes/integrity-page.js';
import {
  allowedRoots,
  failureKindOf,
  fingerprintDistance,
  fingerprintOf,
  MAX_FINDINGS,
  rankFindings,
  snippetOf,
  SNIPPET_AFTER,
  SNIPPET_BEFORE,
  SNIPPET_MATCH,
  underAny,
} from '../../probes/integrity-rules.js';
import { readSitemap, spreadSample, urlWords } from '../../probes/integrity-sitemap.js';
import { SHIPPED_TERMS, termsFor } from '../../probes/integrity-terms.js';
import type { IntegrityFinding } from '../../probes/probe-types.js';

const matcher = compileTerms(SHIPPED_TERMS);

describe('term matching', () => {
  it.each([
    ['Slot Gacor hari ini', 'slot gacor'],
    ['SLOT-GACOR', 'slot gacor'],
    ['slot_gacor', 'slot gacor'],
    ['slotgacor', 'slot gacor'],
    ['slot gacor 88', 'slot gacor'],
    ['slot88', 'slot88'],
    ['ＴＯＧＥＬ', 'togel'],
    ['judi   online', 'judi online'],
    ['Hacked by Someone', 'hacked by'],
    ['(togel)', 'togel'],
  ])('finds a term in "%s"', (text, term) => {
    expect(matcher.find(text).map((m) => m.term)).toEqual([term]);
  });

  it.each([['slot antrean layanan'], ['bola voli antar desa'], ['ontogelogi'], ['togelku'], ['penjudian'], ['']])('finds nothing in "%s"', (text) => {
    expect(matcher.find(text)).toEqual([]);
  });

  it('takes the check’s own terms and leaves out removed ones', () => {
    const own = compileTerms(termsFor(['Pinjol Cepat'], ['gacor']));
    expect(own.find('pinjol-cepat cair').map((m) => m.term)).toEqual(['pinjol cepat']);
    expect(own.find('gacor')).toEqual([]);
  });

  it('matches a mebibyte of text that almost matches everywhere', () => {
    const text = 'slot slot-gaco judi onlin '.repeat(40_000);
    expect(matcher.find(text)).toEqual([]);
  });
});

describe('hiding styles', () => {
  it.each([
    [{ style: 'display:none' }, 'display:none'],
    [{ style: 'DISPLAY : NONE !important' }, 'display:none'],
    [{ style: 'visibility:hidden' }, 'visibility:hidden'],
    [{ style: 'font-size:0' }, 'font-size:0'],
    [{ style: 'font-size: 0px' }, 'font-size:0'],
    [{ style: 'width:0;height:0' }, 'zero size'],
    [{ style: 'height:1px;overflow:hidden' }, 'zero size'],
    [{ width: '0', height: '0' }, 'zero size'],
    [{ style: 'position:absolute;left:-9999px' }, 'off-screen'],
    [{ style: 'position:fixed;top:-1000px' }, 'off-screen'],
    [{ style: 'text-indent:-5000px' }, 'off-screen'],
    [{ hidden: '' }, 'hidden attribute'],
    [{ style: 'font-size:0.9em' }, null],
    [{ style: 'left:-9999px' }, null],
    [{ style: 'position:absolute;left:-10px' }, null],
    [{ style: 'height:0' }, null],
    [{ style: 'color:red' }, null],
    [{}, null],
  ])('%j is hidden by %s', (attributes, reason) => {
    expect(hiddenBy(attributes as Record<string, string>)).toBe(reason);
  });
});

describe('reading a page', () => {
  it('keeps visible text, skips script, style and template, keeps noscript, and hides descendants', () => {
    const reading = readPage(
      '<html><head><title>Judul</title><style>.slot{}</style><script>var togel=1</script></head><body>' +
        '<p>Terlihat</p><template>Templat</template><noscript>Tanpa skrip</noscript>' +
        '<div style="display:none"><p>Tersembunyi<span>Dalam</span></div><p>Lagi</p></body></html>',
      'http://example.go.id/',
    );
    expect(reading.title).toBe('Judul');
    expect(reading.visibleText).toBe('Terlihat Tanpa skrip Lagi');
    expect(reading.texts.filter((t) => t.hidden !== null).map((t) => [t.text, t.hidden])).toEqual([
      ['Tersembunyi', 'display:none'],
      ['Dalam', 'display:none'],
    ]);
  });

  it('reads links and embeds with their domains and source ranges', () => {
    const source = '<a href="https://www.Lapor.go.id/x" title="Lapor">SP4N</a><area href="/peta"><iframe src="//frame.example/"></iframe><a href="javascript:void(0)">x</a>';
    const reading = readPage(source, 'https://example.go.id/');
    expect(reading.links.map((l) => [l.domain, l.text])).toEqual([
      ['lapor.go.id', 'Lapor SP4N'],
      ['example.go.id', ''],
    ]);
    expect(source.slice(reading.links[0]!.start, reading.links[0]!.end)).toBe('<a href="https://www.Lapor.go.id/x" title="Lapor">SP4N</a>');
    expect(reading.embeds.map((e) => [e.where, e.domain])).toEqual([['iframe', 'frame.example']]);
  });
});

describe('snippets, domains, fingerprints, samples', () => {
  it('caps each part of a snippet', () => {
    const source = 'a'.repeat(500) + 'b'.repeat(500) + 'c'.repeat(500);
    const snippet = snippetOf(source, 500, 1000);
    expect([snippet.before.length, snippet.match.length, snippet.after.length]).toEqual([SNIPPET_BEFORE, SNIPPET_MATCH, SNIPPET_AFTER]);
    expect(snippet.match).toBe('b'.repeat(SNIPPET_MATCH));
    expect(snippetOf('abc', 0, 3)).toEqual({ before: '', match: 'abc', after: '' });
  });

  it.each([
    ['example.go.id', true],
    ['skm.example.go.id', true],
    ['lapor.go.id', true],
    ['notexample.go.id', false],
    ['mitra.example.com', true],
    ['example.com', false],
  ])('allows %s: %s', (domain, allowed) => {
    const roots = allowedRoots('example.go.id', ['lapor.go.id'], {
      url: '',
      title: '',
      description: '',
      domains: ['mitra.example.com'],
      fingerprint: '0'.repeat(16),
      acceptedAt: '',
      acceptedBy: 'admin',
    });
    expect(underAny(domain, roots)).toBe(allowed);
  });

  it('gives close texts close fingerprints and different texts distant ones', () => {
    const base =
      'Layanan perizinan berusaha terpadu satu pintu kabupaten contoh melayani masyarakat setiap hari kerja dengan ramah cepat dan tanpa biaya tambahan apa pun. '.repeat(3);
    expect(fingerprintOf(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintDistance(fingerprintOf(base), fingerprintOf(base))).toBe(0);
    expect(fingerprintDistance(fingerprintOf(base), fingerprintOf(base + ' Pengumuman libur.'))).toBeLessThanOrEqual(12);
    expect(fingerprintDistance(fingerprintOf(base), fingerprintOf('Slot gacor maxwin hari ini daftar sekarang bonus new member deposit pulsa tanpa potongan'))).toBeGreaterThan(12);
    expect(fingerprintDistance('zz', fingerprintOf(base))).toBe(64);
  });

  it.each([
    [[1, 2, 3], 5, [1, 2, 3]],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9], 3, [1, 5, 9]],
    [[1, 2, 3], 1, [1]],
    [[1, 2, 3], 0, []],
  ])('spreads a sample of %j taking %i: %j', (items, count, picked) => {
    expect(spreadSample(items, count)).toEqual(picked);
  });

  it('reads a sitemap URL as words, decoded', () => {
    expect(urlWords('https://example.go.id/berita/slot%20gacor?q=judi+online')).toBe('/berita/slot gacor q=judi online');
  });

  it('judges sitemap entries and hands back the sitemaps of an index on the site only', () => {
    const index = readSitemap('<sitemapindex><sitemap><loc>https://example.go.id/a.xml</loc></sitemap><sitemap><loc>https://evil.example/b.xml</loc></sitemap></sitemapindex>', {
      matcher,
      origin: 'https://example.go.id',
      site: 'example.go.id',
      urlsLeft: 10,
      candidatesLeft: 10,
    });
    expect(index.children).toEqual(['https://example.go.id/a.xml']);
    const set = readSitemap(
      '<urlset><url><loc>https://example.go.id/a</loc></url><url><loc>https://example.go.id/togel-4d</loc></url><url><loc>https://other.example/c</loc></url></urlset>',
      {
        matcher,
        origin: 'https://example.go.id',
        site: 'example.go.id',
        urlsLeft: 2,
        candidatesLeft: 10,
      },
    );
    expect(set.urls).toBe(2);
    expect(set.stoppedAtUrls).toBe(true);
    expect(set.candidates).toEqual(['https://example.go.id/a']);
    expect(set.matches.map((m) => [m.term, m.where, m.snippet.match])).toEqual([['togel', 'sitemap_url', '<url><loc>https://example.go.id/togel-4d</loc></url>']]);
  });
});

describe('one failure kind from many findings', () => {
  const PAGE = 'https://example.go.id/';
  const finding = (kind: IntegrityFinding['kind'], extra: Partial<IntegrityFinding> = {}): IntegrityFinding => ({
    kind,
    url: PAGE,
    viewer: 'browser',
    userAgent: 'UA',
    where: 'text',
    ...extra,
  });

  it.each([
    [[], null],
    [[finding('foreign_link'), finding('cloaking', { viewer: 'googlebot' })], 'cloaking'],
    [[finding('hidden_link'), finding('forbidden_term')], 'defacement'],
    [[finding('drift')], 'defacement'],
    [[finding('drift', { field: 'domains' }), finding('hidden_link')], 'injected_content'],
    [[finding('drift', { field: 'title' }), finding('forbidden_term')], 'defacement'],
    [[finding('forbidden_term', { hidden: 'display:none' })], 'injected_content'],
    [[finding('forbidden_term', { url: PAGE + 'berita/1' })], 'injected_content'],
    [[finding('sitemap_entry', { viewer: 'googlebot' }), finding('foreign_embed')], 'injected_content'],
  ] as const)('%j → %s', (findings, kind) => {
    expect(failureKindOf(findings, PAGE)).toBe(kind);
  });

  it('keeps the most serious findings first, at most 50, and counts them all', () => {
    const many = [...Array.from({ length: 60 }, () => finding('foreign_link')), finding('hidden_link'), finding('cloaking', { viewer: 'bingbot' })];
    const ranked = rankFindings(many, PAGE);
    expect(ranked.findings).toHaveLength(MAX_FINDINGS);
    expect(ranked.findings.slice(0, 2).map((f) => f.kind)).toEqual(['cloaking', 'hidden_link']);
    expect(ranked.counts).toEqual({ foreign_link: 60, hidden_link: 1, cloaking: 1 });
  });
});
