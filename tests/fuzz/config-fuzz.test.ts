// Config fuzzing: sigap.yaml (its notifications block switched on) mutated every way a
// person or a bad deploy gets it wrong: keys dropped, values of the wrong type, random durations,
// negative and huge numbers, unknown keys, deep nesting, duplicate keys, broken YAML.
// parseConfig must answer a config or throw ConfigError whose problems each start with the file
// name and name a key path or a YAML position: never another exception, never a stack trace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ConfigError, parseConfig } from '../../config.js';
import { projectRoot } from '../../main.js';

const SEED = 20261127;
const FILE = 'sigap.yaml';
const ENV = { SMTP_PASSWORD: 'smtp-secret', TELEGRAM_BOT_TOKEN: '123:abc', WHATSAPP_TOKEN: 'wa-token', FONNTE_TOKEN: 'gw-token', DATABASE_URL: 'sqlite::memory:' };

const SHIPPED = readFileSync(join(projectRoot(), 'sigap.yaml'), 'utf8');
/** The shipped file with its commented-out notifications section switched on. */
const BASE = SHIPPED.replace(/^# (notifications:[\s\S]*)$/m, (_m, rest: string) => `notifications:${rest.slice('notifications:'.length).replace(/^# /gm, '')}`);
const BASE_TREE = parse(BASE) as unknown;

type Path = Array<string | number>;

/** Every path into the tree, the root included. */
function pathsOf(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return [path, ...value.flatMap((v, i) => pathsOf(v, [...path, i]))];
  if (value && typeof value === 'object') return [path, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...path, k]))];
  return [path];
}
const PATHS = pathsOf(BASE_TREE);

const nested = (depth: number, leaf: unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

const oddScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    -60,
    1.5,
    2 ** 53,
    1e308,
    -1e308,
    '',
    ' ',
    '0s',
    '-5m',
    '1e9d',
    '10',
    '60',
    '5x',
    'ms',
    '1.5.5s',
    '∞',
    'NaN',
    '${NOT_SET}',
    '$${LITERAL}',
    '24x7x',
    'P0',
    '25:00-26:00',
    '07:30-',
    'Asia/Nowhere',
    'http://',
    'javascript:alert(1)',
    '\u0000',
    '\uD800',
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.integer({ min: 100, max: 20_000 }).map((n) => 'x'.repeat(n)),
);
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: oddScalar },
  { weight: 2, arbitrary: fc.array(oddScalar, { maxLength: 3 }) },
  { weight: 2, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), oddScalar, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 300 }).map((d) => nested(d, 'deep')) },
);

type Mutation = { at: number; op: 'drop' | 'replace' | 'unknown-key' | 'wrap-in-list'; value: unknown; key: string };

function mutate(tree: unknown, m: Mutation): unknown {
  const root = structuredClone(tree) as Record<string, unknown>;
  const path = PATHS[m.at % PATHS.length]!;
  if (path.length === 0) return m.op === 'replace' ? m.value : root;
  const parent = path.slice(0, -1).reduce<any>((node, part) => node?.[part], root);
  const last = path[path.length - 1]!;
  if (parent === null || typeof parent !== 'object') return root;
  if (m.op === 'drop') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (m.op === 'replace') parent[last] = m.value;
  else if (m.op === 'wrap-in-list') parent[last] = [parent[last]];
  else if (!Array.isArray(parent)) parent[m.key] = m.value;
  return root;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('drop', 'replace', 'replace', 'unknown-key', 'wrap-in-list'),
  value: oddValue,
  key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'intervall', 'Key', 'services', '<<', ''), fc.string({ maxLength: 10 })),
});

/** Structural mutations of the parsed file, written back as YAML. */
const treeMutated = fc.array(mutationArb, { minLength: 1, maxLength: 4 }).map((ms) => {
  const tree = ms.reduce<unknown>((t, m) => mutate(t, m), BASE_TREE);
  try {
    return stringify(tree, { aliasDuplicateObjects: false });
  } catch {
    return `${JSON.stringify(tree)}`;
  }
});

const BROKEN_SNIPPETS = [
  'timezone: Asia/Jakarta\ntimezone: UTC\n',
  'services:\n  - key: a\n    key: b\n',
  '\t- tab: indented\n',
  'a: [1, 2\n',
  'a: {b: 1\n',
  'key: "unterminated\n',
  ': no key\n',
  '- - - -\n',
  '? complex\n: key\n',
  '%YAML 9.9\n---\n',
  '---\n---\n---\n',
  '...\n',
  '!!js/function "function(){}"\n',
  'a: !!binary AAAA\n',
  'a: !!set {x, y}\n',
  'a: !unknown-tag 1\n',
  '\u0000',
  '\uFEFF\uFEFF',
  'a: &x 1\nb: *x\n',
  '<<: {timezone: UTC}\n',
];

/** Text mutations: broken YAML spliced in, lines duplicated or dropped, truncation, deep flow nesting, junk bytes. */
const textMutated = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...BROKEN_SNIPPETS)).map(([at, snippet]) => {
    const lines = BASE.split('\n');
    lines.splice(at % (lines.length + 1), 0, ...snippet.split('\n'));
    return lines.join('\n');
  }),
  fc.tuple(fc.nat(), fc.boolean()).map(([at, duplicate]) => {
    const lines = BASE.split('\n');
    const i = at % lines.length;
    if (duplicate) lines.splice(i, 0, lines[i]!);
    else lines.splice(i, 1);
    return lines.join('\n');
  }),
  fc.nat().map((at) => BASE.slice(0, at % BASE.length)),
  fc.tuple(fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 })).map(([at, junk]) => BASE.slice(0, at % BASE.length) + junk + BASE.slice(at % BASE.length)),
  fc.integer({ min: 50, max: 5_000 }).map((d) => `${BASE}\nextra: ${'['.repeat(d)}${']'.repeat(d)}\n`),
  fc.integer({ min: 50, max: 1_000 }).map((d) => `${BASE}\nextra:\n${Array.from({ length: d }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} x\n`),
  fc.constantFrom('', ' ', '\n', '~', 'null', '[]', '42', '"just a string"', '- a\n- b\n', '{}'),
);

const PROBLEM = new RegExp(`^${FILE.replace('.', '\\.')}(:\\d+:\\d+)?: \\S`);

/** What is wrong with parseConfig's answer to this text, if anything. */
function problemWith(text: string): string | null {
  try {
    parseConfig(text, FILE, ENV);
    return null;
  } catch (err) {
    if (!(err instanceof ConfigError)) return `threw ${(err as Error)?.name}: ${String((err as Error)?.message).slice(0, 200)}`;
    if (!Array.isArray(err.problems) || err.problems.length === 0) return 'ConfigError without problems';
    const bad = err.problems.find((p) => typeof p !== 'string' || !PROBLEM.test(p) || /\n\s+at .*:\d+:\d+/.test(p));
    if (bad !== undefined) return `a problem not naming the file and a key or position: ${JSON.stringify(bad).slice(0, 300)}`;
    if (/\n\s+at .*:\d+:\d+/.test(err.message)) return 'a stack trace in the message';
    return null;
  }
}

// Found by this fuzz: YAML aliases that point at nothing, at themselves or multiply into millions
// of nodes once escaped as a bare ReferenceError or RangeError instead of a ConfigError.
const ALIAS_CASES = [
  { name: 'an alias to an anchor that does not exist', text: `${BASE}\nextra: *undefined_alias\n` },
  {
    name: 'an alias bomb',
    text: `${BASE}\nextra:\n  a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n`,
  },
  { name: 'a list that contains itself', text: 'services: &s\n  - *s\n' },
];

describe('config fuzzing', () => {
  it.each(ALIAS_CASES)('$name answers a ConfigError', ({ text }) => {
    expect(problemWith(text)).toBeNull();
  });

  it('the fuzz starts from a valid file', () => {
    expect(parseConfig(BASE, FILE, ENV).notifications.channels.length).toBeGreaterThan(0);
  });

  it.each([
    { name: 'mutated structure (dropped keys, wrong types, odd durations and numbers, unknown keys, deep nesting)', arb: treeMutated, runs: 1500 },
    { name: 'mutated text (invalid YAML, duplicate keys, truncation, junk bytes, tags, deep nesting)', arb: textMutated, runs: 1000 },
  ])('$name: a config or a ConfigError naming file and place', ({ arb, runs }) => {
    const failures = new Map<string, string>();
    fc.assert(
      fc.property(arb, (text) => {
        const problem = problemWith(text);
        if (problem && !failures.has(problem.slice(0, 60))) failures.set(problem.slice(0, 60), `${problem}\n--- YAML (${text.length} chars) ---\n${text.slice(0, 1500)}`);
      }),
      { seed: SEED, numRuns: runs },
    );
    expect([...failures.values()]).toEqual([]);
  });
});
