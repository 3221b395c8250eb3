// What each folder may import, as the folder READMEs say it, checked over every import of every
// TypeScript file (static, `export … from`, dynamic `import()` and type-only alike). A failure
// lists each offending 'file:line → import (resolved file)'.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ANY, findCycles, importGraph, matches, violations, type ImportRule } from './import-graph.js';

const SQL_DRIVERS = ['knex', 'better-sqlite3', 'pg'];

const RULES: ImportRule[] = [
  {
    says: 'probes/ imports nothing of Sigap outside probes/ (Node builtins and npm packages are fine)',
    files: ['probes/'],
    mayNotImport: { sigap: [ANY] },
    except: [{ targets: ['probes/'], why: 'probes share their vocabulary, tracing and error classification' }],
  },
  {
    says: 'probes/ never imports detector/',
    files: ['probes/'],
    mayNotImport: { sigap: ['detector/'] },
  },
  {
    says: 'only detector/store/ imports knex, better-sqlite3 or pg',
    files: [ANY],
    mayNotImport: { packages: SQL_DRIVERS },
    except: [
      { importers: ['detector/store/'], why: 'the stores are where SQL lives; rows never leave them' },
      { importers: ['migrations/'], typeOnly: true, why: "migrations are written with knex's schema builder and need its `Knex` type; knex itself runs them" },
      { importers: ['bench/'], why: 'benchmarks seed and measure through the drivers on a second connection, beside the stores they measure (bench/README.md)' },
      {
        importers: ['tests/'],
        why: 'tests create and drop their databases (tests/helpers/test-databases.ts) and look at or damage one behind the stores’ back to prove what the stores do',
      },
    ],
  },
  {
    says: 'api/ never imports anything under detector/store/',
    files: ['api/'],
    mayNotImport: { sigap: ['detector/store/'] },
  },
  {
    says: 'nothing imports api/ except main.ts, api/ itself and tests/',
    files: [ANY],
    mayNotImport: { sigap: ['api/'] },
    except: [{ importers: ['main.ts', 'api/', 'tests/'], why: 'main.ts is the composition root; tests drive the app' }],
  },
  {
    says: 'detector/ never imports api/ or main.ts',
    files: ['detector/'],
    mayNotImport: { sigap: ['api/', 'main.ts'] },
  },
  {
    says: 'detector/ takes from probes/ only the result vocabulary, probes/probe-types.ts',
    files: ['detector/'],
    mayNotImport: { sigap: ['probes/'] },
    except: [{ targets: ['probes/probe-types.ts'], why: 'a probe result is what the detector judges' }],
  },
  {
    says: 'detector/store/ takes from the rooms only their types and the rule tables its SQL is built from, never a service',
    files: ['detector/store/'],
    mayNotImport: { sigap: ['detector/'] },
    except: [
      { targets: ['detector/store/', 'detector/errors.ts'], why: 'the stores and the domain errors they translate driver errors into' },
      { typeOnly: true, why: 'the domain types rows are mapped onto' },
      {
        targets: ['detector/incidents/lifecycle.ts', 'detector/detection/maintenance.ts', 'detector/detection/check-types.ts'],
        why: 'the lifecycle states and clocks, the maintenance weekdays and the catch-all service are written into SQL',
      },
    ],
  },
  {
    says: 'detector/accounts/ takes only the domain errors, the store interfaces and the audit vocabulary',
    files: ['detector/accounts/'],
    mayNotImport: { sigap: [ANY] },
    except: [
      { targets: ['detector/accounts/', 'detector/errors.ts', 'detector/store/store-types.ts'], why: 'users, sessions and tokens need nothing else of Sigap' },
      { targets: ['detector/audit/audit-types.ts'], typeOnly: true, why: 'account changes and log-ins are written to the audit trail through an AuditRecorder' },
    ],
  },
  {
    says: 'the rooms take from detector/audit/ only its types and the AuditTrail interface, never the service itself',
    files: ['detector/'],
    mayNotImport: { sigap: ['detector/audit/'] },
    except: [
      { importers: ['detector/audit/'], why: 'the audit room itself' },
      { typeOnly: true, why: 'a service is handed its recorder through its constructor (main.ts wires the AuditService)' },
    ],
  },
  {
    says: 'only detector/store/database.ts imports migrations/ (and migrations/index.ts lists them)',
    files: [ANY],
    mayNotImport: { sigap: ['migrations/'] },
    except: [{ importers: ['detector/store/database.ts', 'migrations/'], why: "database.ts hands index.ts's list to knex as its migrationSource" }],
  },
  {
    says: 'migrations/ import nothing of Sigap but each other (of knex, only its types: see the driver rule)',
    files: ['migrations/'],
    mayNotImport: { sigap: [ANY] },
    except: [{ targets: ['migrations/'], why: 'migrations/index.ts lists every migration' }],
  },
  {
    says: 'nothing outside bench/ imports bench/',
    files: [ANY],
    mayNotImport: { sigap: ['bench/'] },
    except: [{ importers: ['bench/'], why: 'the benchmarks share their fixtures and drivers' }],
  },
];

/** The folders whose imports can form cycles a reader has to untangle; tests and benchmarks only look in from outside. */
const CYCLE_SCOPE = (path: string): boolean => !matches(path, ['tests/', 'bench/']);

/** Every code folder says in a README what lives there and what it may import (STYLE.md 11); so does every room of detector/. */
const FOLDERS_WITH_README = ['probes', 'detector', 'api', 'migrations', 'views', 'tests', 'demo', 'bench', 'docs'];

const CODE_FOLDERS = ['probes', 'detector', 'api', 'migrations', 'demo', 'bench', 'tests'];

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Sigap's TypeScript files: those at the root and everything under the code folders. */
function sigapSources(): Map<string, string> {
  const files = readdirSync(ROOT).filter((name) => name.endsWith('.ts'));
  for (const folder of CODE_FOLDERS) {
    const entries = readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' });
    files.push(...entries.filter((name) => name.endsWith('.ts')).map((name) => `${folder}/${name.split(sep).join('/')}`));
  }
  return new Map(files.sort().map((file) => [file, readFileSync(join(ROOT, file), 'utf8')]));
}

describe("Sigap's imports follow the folder READMEs", () => {
  const edges = importGraph(sigapSources(), (path) => existsSync(join(ROOT, path)));

  it('reads the import graph (a sanity floor: main.ts wires the app, the detector and the probes)', () => {
    const fromMain = edges.flatMap((e) => (e.from === 'main.ts' && e.target.kind === 'sigap' ? [e.target.path] : []));
    expect(fromMain).toEqual(expect.arrayContaining(['api/app.ts', 'probes/probe-registry.ts', 'config.ts']));
    expect(edges.filter((e) => e.target.kind === 'sigap' && !existsSync(join(ROOT, e.target.path))).map((e) => `${e.from} → ${e.specifier}`)).toEqual([]);
  });

  for (const rule of RULES) {
    it(rule.says, () => {
      expect(violations(rule, edges)).toEqual([]);
    });
  }

  it('has no import cycles among the source files (tests/ and bench/ aside), type-only imports included', () => {
    expect(findCycles(edges, CYCLE_SCOPE)).toEqual([]);
  });
});

describe('every code folder and every room of detector/ has a README.md', () => {
  const detectorRooms = readdirSync(join(ROOT, 'detector'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `detector/${entry.name}`);
  it.each([...FOLDERS_WITH_README, ...detectorRooms.sort()])('%s/README.md', (folder) => {
    expect(existsSync(join(ROOT, folder, 'README.md')), `${folder}/README.md is missing`).toBe(true);
  });
});

describe('the import checker itself (it fails on a wrong import and on a cycle)', () => {
  const files = new Map([
    ['probes/http.ts', "import { request } from 'undici';\nimport { NotFoundError } from '../detector/errors.js';\nimport type { ProbeResult } from './probe-types.js';\n"],
    ['probes/probe-types.ts', 'export type ProbeResult = { up: boolean };\n'],
    ['detector/errors.ts', 'export class NotFoundError extends Error {}\n'],
    ['detector/incidents/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n"],
    ['detector/incidents/b.ts', "import type { A } from './c.js';\nexport const b = 1;\n"],
    ['detector/incidents/c.ts', "export type A = typeof import('./a.js');\n"],
    ['detector/reporting/late.ts', "export async function late() { return import('../../api/app.js'); }\n"],
    ['detector/store/check-store.ts', "import knex from 'knex';\nexport { NotFoundError } from '../errors.js';\n"],
    ['migrations/001_x.ts', "import type { Knex } from 'knex';\n"],
    ['migrations/002_y.ts', "import knex from 'knex';\n"],
    ['api/app.ts', "import type { CheckStore } from '../detector/store/check-store.js';\n"],
    ['main.ts', "import './api/app.js';\n"],
    ['bench/run.ts', "import '../api/app.js';\n"],
  ]);
  const edges = importGraph(files);
  const rule = (says: string): ImportRule => RULES.find((r) => r.says.startsWith(says))!;

  it('reports a probe importing from detector/, with file, line and the resolved file', () => {
    expect(violations(rule('probes/ imports nothing'), edges)).toEqual(['probes/http.ts:2 → ../detector/errors.js (detector/errors.ts)']);
    expect(violations(rule('probes/ never imports detector/'), edges)).toEqual(['probes/http.ts:2 → ../detector/errors.js (detector/errors.ts)']);
  });

  it('reports a driver imported outside the store, and knex itself (not only its types) in a migration', () => {
    expect(violations(rule('only detector/store/'), edges)).toEqual(['migrations/002_y.ts:1 → knex']);
  });

  it('reports type-only and dynamic imports too', () => {
    expect(violations(rule('api/ never imports'), edges)).toEqual(['api/app.ts:1 → ../detector/store/check-store.js (detector/store/check-store.ts) [type only]']);
    expect(violations(rule('detector/ never imports'), edges)).toEqual(['detector/reporting/late.ts:1 → ../../api/app.js (api/app.ts)']);
    expect(violations(rule('nothing imports api/'), edges)).toEqual([
      'bench/run.ts:1 → ../api/app.js (api/app.ts)',
      'detector/reporting/late.ts:1 → ../../api/app.js (api/app.ts)',
    ]);
  });

  it('reports a cycle as the chain of its files, marking type-only links', () => {
    expect(findCycles(edges, CYCLE_SCOPE)).toEqual(['detector/incidents/a.ts → detector/incidents/b.ts →(type) detector/incidents/c.ts →(type) detector/incidents/a.ts']);
  });

  it('reports nothing for files that keep the rules', () => {
    const clean = importGraph(new Map([...files].filter(([path]) => ['probes/probe-types.ts', 'detector/errors.ts', 'migrations/001_x.ts', 'main.ts'].includes(path))));
    expect(RULES.flatMap((r) => violations(r, clean))).toEqual([]);
    expect(findCycles(clean, CYCLE_SCOPE)).toEqual([]);
  });
});
