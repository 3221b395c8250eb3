// What a non-admin reads of configuration, as a table of cases: names stay, secret values read
// "[redacted]"; what is no secret (a check's key, its interval, allowPrivate, a plain URL) stays
// exactly as typed. Admins read everything as typed.
import { describe, expect, it } from 'vitest';
import type { UserRole } from '../../detector/accounts/account-types.js';
import { redactEvidence, redactSecrets } from '../../api/presenters/secrets.js';
import { REDACTED, redactUrl } from '../../redaction.js';

const R = REDACTED;

describe('redacting configuration for a non-admin', () => {
  it.each([
    {
      what: 'every request header value, names kept',
      typed: { headers: { 'X-Api-Key': 'k1', 'X-Kunci': 'k2', Accept: 'text/html' } },
      read: { headers: { 'X-Api-Key': R, 'X-Kunci': R, Accept: R } },
    },
    { what: 'an environment reference in a header', typed: { headers: { Authorization: 'Bearer ${SIGAP_CHECK_T}' } }, read: { headers: { Authorization: R } } },
    {
      what: 'a value under a secret-sounding name',
      typed: { botToken: '1:abc', pass: 'p', password: 'p', apiKey: 'a', api_key: 'a', clientSecret: 's' },
      read: { botToken: R, pass: R, password: R, apiKey: R, api_key: R, clientSecret: R },
    },
    { what: 'a password in a URL', typed: { url: 'https://user:hunter2@intranet.example/x' }, read: { url: 'https://user:redacted@intranet.example/x' } },
    {
      what: 'a token in a query, other parameters kept',
      typed: { url: 'https://x.example/hook?token=abc&page=2' },
      read: { url: `https://x.example/hook?token=${encodeURIComponent(R)}&page=2` },
    },
    {
      what: 'lists and nesting',
      typed: { checks: [{ expect: { contains: ['a'] }, headers: { A: 'b' } }] },
      read: { checks: [{ expect: { contains: ['a'] }, headers: { A: R } }] },
    },
    {
      what: 'nothing that is no secret',
      typed: { key: 'skm-home', type: 'http', url: 'https://skm.example/', interval: '60s', allowPrivate: true, expect: { status: [200] } },
      read: { key: 'skm-home', type: 'http', url: 'https://skm.example/', interval: '60s', allowPrivate: true, expect: { status: [200] } },
    },
  ])('$what', ({ typed, read }) => {
    for (const role of ['service_desk', 'support', 'vendor', 'manager'] as UserRole[]) expect(redactSecrets(typed, { role })).toEqual(read);
    expect(redactSecrets(typed, { role: 'admin' })).toEqual(typed);
    expect(redactSecrets(typed, null)).toEqual(read);
  });

  it('leaves a probed site’s response headers in the evidence, redacting only its URLs', () => {
    const evidence = {
      url: 'https://x.example/?api_key=s',
      headers: { 'set-cookie': 'a=b', 'content-type': 'text/html' },
      redirects: [{ url: 'https://x.example/?sig=s', statusCode: 302 }],
    };
    expect(redactEvidence(evidence, { role: 'vendor' })).toEqual({
      url: `https://x.example/?api_key=${encodeURIComponent(R)}`,
      headers: evidence.headers,
      redirects: [{ url: `https://x.example/?sig=${encodeURIComponent(R)}`, statusCode: 302 }],
    });
    expect(redactEvidence(evidence, { role: 'admin' })).toBe(evidence);
  });

  it('returns text that is not a URL, or a URL with nothing secret, unchanged', () => {
    for (const text of ['skm.example:443', 'not a url', 'https://skm.example/a?b=c', 'http://[::1]:8080/']) expect(redactUrl(text)).toBe(text);
  });
});
