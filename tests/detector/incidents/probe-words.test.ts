// Every reason a probe can write is said in Indonesian and English: the reasons are found in the
// probes' own source (every template literal of probes/*.ts), so a probe that learns a new reason
// without words for it fails here. Then a table of real reasons, error codes and phases.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorCodeText, failureKindText, phaseText, probeEvidenceText, probeReasonText, PROBE_REASONS } from '../../../detector/incidents/probe-words.js';
import { FAILURE_CLASSES } from '../../../detector/incidents/taxonomy.js';
import { PROJECT_ROOT } from '../../helpers/sigap-process.js';

/** The template literals of a source file, each `${…}` written `…` (nested templates included in their `${}`). */
function templateLiterals(source: string): string[] {
  const found: string[] = [];
  const read = (start: number): [string, number] => {
    let text = '';
    let j = start + 1;
    while (source[j] !== '`') {
      if (source[j] === '\\') {
        text += source.slice(j, j + 2);
        j += 2;
      } else if (source[j] === '$' && source[j + 1] === '{') {
        let depth = 1;
        j += 2;
        while (depth > 0) {
          if (source[j] === '`') {
            j = read(j)[1];
            continue;
          }
          if (source[j] === '{') depth += 1;
          else if (source[j] === '}') depth -= 1;
          j += 1;
        }
        text += '…';
      } else {
        text += source[j];
        j += 1;
      }
    }
    return [text, j + 1];
  };
  for (let i = 0; i < source.length;) {
    const c = source[i]!;
    if (c === '/' && source[i + 1] === '/') i = source.indexOf('\n', i) < 0 ? source.length : source.indexOf('\n', i);
    else if (c === '/' && source[i + 1] === '*') i = source.indexOf('*/', i) + 2;
    else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else if (c === '`') {
      const [text, end] = read(i);
      found.push(text);
      i = end;
    } else i += 1;
  }
  return found;
}

// Template literals in probes/ that are parts of a reason or no reason at all (addresses, URLs).
const NOT_REASONS = new Set([
  'redirect to …',
  ' (previous hop: …)',
  '…://…:…',
  'a … address reached by a redirect from a public one',
  '……:…',
  'expires in … …',
  '… …',
  'http://[…]/',
  '[…]',
  '……',
]);

describe('probe words', () => {
  const probesDir = join(PROJECT_ROOT, 'probes');
  const literals = readdirSync(probesDir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => templateLiterals(readFileSync(join(probesDir, f), 'utf8')).map((text) => ({ file: f, text })));

  it('finds the reasons in the probes’ source', () => {
    expect(literals.map((l) => l.text)).toContain('status … not in …');
    expect(literals.map((l) => l.text)).toContain('body does not contain "…"');
  });

  it('has words for every reason a probe can write', () => {
    const skeletons = new Set(PROBE_REASONS.map((r) => r.skeleton));
    const without = literals.filter((l) => !NOT_REASONS.has(l.text) && !skeletons.has(l.text)).map((l) => `${l.file}: ${l.text}`);
    expect(without).toEqual([]);
  });

  it.each([
    ['status 500 not in [200]', 'server menjawab dengan status HTTP 500, padahal yang diharapkan 200', 'the server answered HTTP 500, expected 200'],
    ['status 404 not in [200, 301]', 'server menjawab dengan status HTTP 404, padahal yang diharapkan 200, 301', 'the server answered HTTP 404, expected 200, 301'],
    ['too many redirects (5)', 'terlalu banyak pengalihan (lebih dari 5)', 'too many redirects (more than 5)'],
    ['body does not contain "Survei Kepuasan"', 'halaman tidak memuat teks "Survei Kepuasan" yang seharusnya ada', 'the page does not contain the expected text "Survei Kepuasan"'],
    ['body contains "Database error"', 'halaman memuat teks "Database error" yang menandakan gangguan', 'the page contains the text "Database error", a sign of failure'],
    ['form with fields nama, nik not found', 'formulir dengan isian nama, nik tidak ditemukan di halaman', 'no form with the fields nama, nik on the page'],
    ['response took 2300 ms, over the 2000 ms limit', 'jawaban butuh 2300 ms, melebihi batas 2000 ms', 'the answer took 2300 ms, over the 2000 ms limit'],
    [
      'certificate expires in 5 days (2026-12-01T00:00:00.000Z), under the 14-day minimum',
      'sertifikat berakhir dalam 5 hari (2026-12-01T00:00:00.000Z), kurang dari batas 14 hari',
      'the certificate expires in 5 days (2026-12-01T00:00:00.000Z), under the 14-day minimum',
    ],
    [
      'certificate has expired (2026-11-01T00:00:00.000Z), under the 14-day minimum',
      'sertifikat sudah kedaluwarsa (2026-11-01T00:00:00.000Z), kurang dari batas 14 hari',
      'the certificate has expired (2026-11-01T00:00:00.000Z), under the 14-day minimum',
    ],
    ['no A records for skm.example.go.id', 'tidak ada catatan DNS A untuk skm.example.go.id', 'no DNS A records for skm.example.go.id'],
    ['expected answers missing: 10.0.0.1', 'jawaban DNS yang diharapkan tidak ada: 10.0.0.1', 'expected DNS answers missing: 10.0.0.1'],
    [
      'redirect to http://meta.test/ refused: 169.254.169.254 is a link-local address: link-local addresses (169.254.0.0/16 with the cloud metadata address, fe80::/10) are refused unless the check sets allowPrivate: true',
      'pengalihan ke http://meta.test/ ditolak: 169.254.169.254 adalah alamat link-local (termasuk alamat metadata cloud); izinkan dengan allowPrivate: true bila memang disengaja',
      'redirect to http://meta.test/ refused: 169.254.169.254 is a link-local address (the cloud metadata address among them); allow it with allowPrivate: true if meant',
    ],
    ['name not resolved within 5000 ms', 'nama domain tidak terjawab dalam 5000 ms', 'the name was not resolved within 5000 ms'],
    ['probe did not return within 15000 ms and was cut off', 'probe tidak selesai dalam 15000 ms dan dihentikan', 'the probe did not finish within 15000 ms and was stopped'],
    [
      'certificate not accepted for skm.test: CERT_HAS_EXPIRED',
      'sertifikat untuk skm.test tidak diterima: sertifikat sudah kedaluwarsa',
      'the certificate for skm.test was not accepted: the certificate has expired',
    ],
    [
      'integrity findings: 1 cloaking, 2 hidden_link',
      'temuan integritas situs: 1 tampilan berbeda untuk mesin pencari (cloaking), 2 tautan tersembunyi',
      'site integrity findings: 1 different page for search engines (cloaking), 2 hidden link',
    ],
    [
      'page not readable: status 503',
      'halaman tidak dapat dibaca: server menjawab dengan status HTTP 503; integritas tidak dinilai',
      'the page could not be read: the server answered HTTP 503; integrity not judged',
    ],
    [
      'page not readable: ENOTFOUND',
      'halaman tidak dapat dibaca: nama domain tidak ditemukan; integritas tidak dinilai',
      'the page could not be read: the domain name was not found; integrity not judged',
    ],
    ['sitemap: stopped at 50000 URLs', 'sitemap: berhenti setelah 50000 URL', 'sitemap: stopped after 50000 URLs'],
  ])('says "%s" in words', (reason, id, en) => {
    expect(probeReasonText(reason, 'id')).toBe(id);
    expect(probeReasonText(reason, 'en')).toBe(en);
  });

  it('says the network error codes a probe records in words, and a certificate family by its kind', () => {
    for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'ECONNRESET', 'UND_ERR_HEADERS_TIMEOUT', 'CERT_HAS_EXPIRED', 'ERR_ADDRESS_BLOCKED']) {
      expect(errorCodeText(code, 'id'), code).toBe(ERROR_CODES[code]!.id);
    }
    expect(errorCodeText('ERR_SSL_WRONG_VERSION_NUMBER', 'id')).toBe('sertifikat TLS tidak dapat diterima');
    expect(errorCodeText('EWEIRD', 'id')).toBeNull();
    expect(probeEvidenceText({ errorCode: 'ECONNREFUSED', errorMessage: 'connect ECONNREFUSED 127.0.0.1:9' }, 'id')).toBe(
      'sambungan ditolak: tidak ada layanan yang menunggu di port itu',
    );
    expect(probeEvidenceText({ errorCode: 'EWEIRD' }, 'id')).toBe('galat jaringan (EWEIRD)');
    expect(probeEvidenceText({ reason: 'status 500 not in [200]', statusCode: 500 }, 'id')).toMatch(/^server menjawab dengan status HTTP 500/);
  });

  it('says every failure kind and phase in both languages', () => {
    for (const kind of Object.keys(FAILURE_CLASSES)) {
      expect(failureKindText(kind, 'id')).not.toBe(kind);
      expect(failureKindText(kind, 'en')).not.toBe(kind);
    }
    expect(failureKindText('connect', 'id')).toBe('koneksi gagal');
    for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer']) expect(phaseText(phase, 'id')).not.toBe(phase);
    expect(phaseText('connect', 'id')).toBe('sambungan');
  });
});
