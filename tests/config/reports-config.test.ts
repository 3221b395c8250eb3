// `reports:` in sigap.yaml: the printed monthly report's letterhead (office, address, logo) and
// signature block (title, name, NIP, place), validated in a block of its own. The logo is read once
// at start and inlined as a data URI, so the page never serves a file by its path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config.js';

const dir = mkdtempSync(join(tmpdir(), 'sigap-reports-config-'));
const file = join(dir, 'sigap.yaml');
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
writeFileSync(join(dir, 'logo.png'), PNG);
writeFileSync(join(dir, 'huge.png'), Buffer.alloc(600 * 1024));

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, file, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the config was accepted');
}

describe('reports: letterhead and signature', () => {
  it('has neither by default', () => {
    expect(parseConfig('services: []\n', file, {}).reports).toEqual({ letterhead: null, signature: null });
  });

  it('reads the letterhead with its logo (beside sigap.yaml) inlined as a data URI, and the signature', () => {
    const config = parseConfig(
      `reports:
  letterhead: { office: "Dinas Penanaman Modal dan PTSP", address: "Jl. Merdeka No. 1", logo: logo.png }
  signature: { title: Kepala Bidang Pengaduan, name: "Dra. Siti Rahmawati, M.Si.", nip: "19700101 199503 2 001", place: Contoh }
`,
      file,
      {},
    );
    expect(config.reports).toEqual({
      letterhead: { office: 'Dinas Penanaman Modal dan PTSP', address: 'Jl. Merdeka No. 1', logoDataUri: `data:image/png;base64,${PNG.toString('base64')}` },
      signature: { title: 'Kepala Bidang Pengaduan', name: 'Dra. Siti Rahmawati, M.Si.', nip: '19700101 199503 2 001', place: 'Contoh' },
    });
  });

  it('refuses a missing or oversized logo, a logo that is no image, a bad NIP and unknown keys, naming each key', () => {
    expect(problemsOf('reports:\n  letterhead: { office: Dinas, logo: missing.png }\n')).toEqual([
      `${file}: reports.letterhead.logo: cannot read ${join(dir, 'missing.png')} (file not found)`,
    ]);
    expect(problemsOf('reports:\n  letterhead: { office: Dinas, logo: huge.png }\n')[0]).toMatch(
      /reports\.letterhead\.logo: .*huge\.png is 600 KB; a logo must be at most 512 KB$/,
    );
    const problems = problemsOf('reports:\n  letterhead: { office: "", logo: /etc/passwd }\n  signature: { title: Kepala, name: Siti, nip: "1234", stamp: yes }\n  footer: x\n');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/reports\.letterhead\.office: must not be empty/),
        expect.stringMatching(/reports\.letterhead\.logo: must be an image file: \.png, \.jpg/),
        expect.stringMatching(/reports\.signature\.nip: must be an 18-digit NIP/),
        expect.stringMatching(/reports\.signature.*stamp/),
        expect.stringMatching(/reports.*footer/),
      ]),
    );
  });
});
