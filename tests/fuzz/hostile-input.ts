// fast-check arbitraries for what a hostile client sends: odd strings, JSON of every shape, raw
// bytes that are not JSON or not UTF-8, form and query strings with repeated and bracketed keys,
// path segments with NUL bytes, dot segments and unicode, and credentials that are not.
import fc from 'fast-check';

/** Percent-encode the UTF-8 bytes of `s` (lone surrogates become U+FFFD, as a browser sends them). */
export const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');

const NASTY = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../../../etc/passwd',
  '..',
  '%00',
  '%',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${7*7}',
  '{{7*7}}',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '-0',
  'null',
  'true',
  '[]',
  '{}',
  '\uFEFF',
  '\uD800',
  '\uDFFF\uD800',
  '\u202E',
  '\r\n',
  'é',
  'ﬀ',
  '𝔘𝔫𝔦',
  '🔥'.repeat(50),
  'INC-2026-00001\u0000',
  '2026-13-45',
  '9999-12-31T99:99:99Z',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 5_001, max: 20_000 }).map((n) => 'x'.repeat(n)) },
);

const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'a.b', '$where', '0', 'toString'), fc.string({ maxLength: 8 }));

/** Any JSON value, a few levels deep, keys included. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 63), 1e308, 0.5)),
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** An object nested `depth` levels deep: {"a":{"a":…}}. */
export const deepObject = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown;

/** The schema's own field names with values of any type, plus odd extra keys. */
export const wrongTypes = (fields: readonly string[]) =>
  fc
    .tuple(
      fields.length > 0 ? fc.subarray([...fields], { minLength: 1 }) : fc.constant([] as string[]),
      fc.array(anyJson, { minLength: fields.length, maxLength: fields.length }),
      fc.dictionary(hostileKey, anyJson, { maxKeys: 2 }),
    )
    .map(([keys, values, extra]) => {
      const out: Record<string, unknown> = { ...extra };
      keys.forEach((key, i) => Object.defineProperty(out, key, { value: values[i], enumerable: true, writable: true, configurable: true }));
      return out;
    });

/** JSON text for a body: any value, nested deeply, with a __proto__ key, a huge string field. */
export const jsonBodyText = (fields: readonly string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
    { weight: 4, arbitrary: wrongTypes(fields).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.integer({ min: 50, max: 3_000 }).map((d) => JSON.stringify(deepObject(d))) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 5_000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...fields, 'x')
        .map((f) => `{"__proto__": {"role": "admin", "isAdmin": true}, "constructor": {"prototype": {"x": 1}}, ${JSON.stringify(f)}: {"__proto__": null}}`),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...fields, 'x'), fc.integer({ min: 10_000, max: 250_000 })).map(([f, n]) => JSON.stringify({ [f]: 'é'.repeat(n / 2) })) },
  );

/** Bytes that are not JSON, not UTF-8, or not small. */
export const rawBodyBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .constantFrom(
      '{',
      '{"a":',
      '{"a":1,}',
      "{'a':1}",
      'nul',
      '[1,2',
      '{"a":1}}',
      'NaN',
      '1e99999',
      '"str"',
      '{"a":"\\ud800"}',
      '{"a":"\\u0000"}',
      '\u0000\u0000',
      '{"a":1}\u0000',
      'a=1&a=2',
      '<?xml version="1.0"?><a/>',
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
    )
    .map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.constantFrom(
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]),
    Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
    Buffer.from([0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d]),
    Buffer.from([0xed, 0xa0, 0x80]),
  ),
  fc.integer({ min: 257 * 1024, max: 300 * 1024 }).map((n) => Buffer.from(`{"note":"${'a'.repeat(n)}"}`)),
);

export const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset="nope"',
  'application/merge-patch+json',
  'APPLICATION/JSON',
  'application/json, text/html',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
  ';;;',
  undefined,
);

/** A query string or form body: repeated keys, bracketed keys, raw bad percent escapes. */
export const formPairs = (fields: readonly string[]) =>
  fc.array(
    fc.tuple(
      fc.oneof(
        fc
          .constantFrom(...fields, 'a[b][c]', 'a[]', 'a[0]', '__proto__', '__proto__[admin]', 'constructor[prototype][x]', '_csrf', '', '[]', '=')
          .map((k) => pct(k).replace(/%5B/g, '[').replace(/%5D/g, ']')),
        fc.string({ maxLength: 6 }).map(pct),
      ),
      fc.oneof(hostileString.map(pct), fc.constantFrom('%', '%zz', '%ff%fe', '%00', '%E0%A4%A', '+', '&&', '%C0%AF')),
    ),
    { maxLength: 8 },
  );

export const joinPairs = (pairs: ReadonlyArray<readonly [string, string]>) => pairs.map(([k, v]) => `${k}=${v}`).join('&');

/** A path parameter no real resource has (never a small number, which could be a real id). */
export const garbageParam: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%00',
    '..',
    '%2e%2e',
    '..%2F..%2Fetc%2Fpasswd',
    '%2F',
    '%FF',
    '%',
    '%C0%AE',
    '%E2%80%AE',
    'NaN',
    '-1',
    '0',
    '1.5',
    '1e400',
    '99999999999999999999',
    '0x7fffffff',
    '%20',
    '~',
    'INC-2026-00001%00',
    'INC-2026-99999',
    '%F0%9F%94%A5',
  ),
  hostileString.filter((s) => s.length > 0 && !/^\s*\d{1,4}\s*$/.test(s) && !/^[A-Za-z]+$/.test(s)).map(pct),
  fc.integer({ min: 300, max: 12_000 }).map((n) => 'INC-'.repeat(n / 4)),
);

/** Credentials that do not work: wrong schemes, garbage and huge Bearer tokens, forged cookies. */
export const badAuthHeaders: fc.Arbitrary<Array<[string, string | Buffer]>> = fc.oneof(
  fc
    .constantFrom('Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer ', 'Bearer  ', 'bearer x', 'Token x', 'Bearer a b c', 'Digest username="admin"', 'Bearer sgp_', 'Bearer \t')
    .map((v): Array<[string, string | Buffer]> => [['Authorization', v]]),
  fc
    .oneof(
      fc.string({ unit: 'binary', maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, '')),
      fc.integer({ min: 1_000, max: 12_000 }).map((n) => 'A'.repeat(n)),
    )
    .map((t): Array<[string, string | Buffer]> => [['Authorization', Buffer.from(`Bearer ${t}`, 'utf8')]]),
  fc
    .constantFrom(
      'sigap_session=garbage',
      'sigap_session=s:garbage.sig',
      'sigap_session=s:',
      'sigap_session=%E0%A4%A',
      '=;;;=',
      'sigap_session=j:{"a":1}',
      'sigap_session=s:j:{"__proto__":1}.x',
      'sigap_session',
      ';',
      'sigap_session=\u00ff\u00fe',
    )
    .map((v): Array<[string, string | Buffer]> => [['Cookie', v]]),
  fc.integer({ min: 1_000, max: 12_000 }).map((n): Array<[string, string | Buffer]> => [['Cookie', `sigap_session=s:${'a'.repeat(n)}`]]),
  fc.constant([] as Array<[string, string | Buffer]>),
);
