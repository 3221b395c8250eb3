// Which snapshot a person was shown: a version over all of it, so that a page whose text is the
// same but whose links now reach a new domain (hidden links add no visible text) is a new version.
import { describe, expect, it } from 'vitest';
import { snapshotVersion } from '../../../detector/integrity/baseline-service.js';
import type { IntegritySnapshot } from '../../../probes/probe-types.js';

const BASE: IntegritySnapshot = {
  url: 'https://dpmptsp.example/',
  title: 'DPMPTSP Kabupaten Contoh',
  description: 'Layanan perizinan',
  domains: ['lapor.go.id'],
  fingerprint: '0123456789abcdef',
};

describe('snapshotVersion', () => {
  it('is 16 hex digits and the same for the same snapshot', () => {
    expect(snapshotVersion(BASE)).toMatch(/^[0-9a-f]{16}$/);
    expect(snapshotVersion({ ...BASE, domains: [...BASE.domains] })).toBe(snapshotVersion(BASE));
  });

  it.each([
    ['a new outbound domain, same text', { domains: ['lapor.go.id', 'slot-gacor.example'] }],
    ['another title', { title: 'Slot Gacor' }],
    ['another description', { description: '' }],
    ['another text fingerprint', { fingerprint: '0123456789abcdee' }],
    ['another address after redirects', { url: 'https://dpmptsp.example/beranda' }],
  ] as Array<[string, Partial<IntegritySnapshot>]>)('changes with %s', (_, change) => {
    expect(snapshotVersion({ ...BASE, ...change })).not.toBe(snapshotVersion(BASE));
  });
});
