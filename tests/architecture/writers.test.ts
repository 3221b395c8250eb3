// One writer of incident state and one of check state (detector/README.md): the store methods
// that write them are called from one file each. Read with the TypeScript parser, over the code
// that ships (tests and benchmarks set up their data as they need).
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

interface WriterRule {
  says: string;
  /** The store (the property the call goes through, as in `stores.incidents.update(…)`) and its writing methods. */
  store: string;
  methods: readonly string[];
  /** The one file that may call them (the stores themselves aside). */
  writer: string;
}

const RULES: readonly WriterRule[] = [
  {
    says: 'only incidents/incident-writer.ts creates incidents, changes them or appends their events',
    store: 'incidents',
    methods: ['nextRef', 'insert', 'update', 'appendEvent'],
    writer: 'detector/incidents/incident-writer.ts',
  },
  {
    says: 'only detection/detector.ts writes check state and probe results',
    store: 'checks',
    methods: ['updateCheckState', 'saveLocationStates', 'insertResults'],
    writer: 'detector/detection/detector.ts',
  },
  {
    says: 'only detection/detector.ts records confirmed outages, in the transaction of the state change',
    store: 'outages',
    methods: ['open', 'close'],
    writer: 'detector/detection/detector.ts',
  },
  {
    says: "only detection/detector.ts records an integrity check's first baseline, in the transaction of its first clean result",
    store: 'integrity',
    methods: ['recordFirstBaseline'],
    writer: 'detector/detection/detector.ts',
  },
  {
    says: 'only integrity/baseline-service.ts saves a baseline a person accepted, with its audit entry and timeline event',
    store: 'integrity',
    methods: ['saveBaseline'],
    writer: 'detector/integrity/baseline-service.ts',
  },
  {
    says: 'only audit/audit-service.ts writes the audit trail (append-only: its store has no update or delete)',
    store: 'audit',
    methods: ['insert'],
    writer: 'detector/audit/audit-service.ts',
  },
];

/** Every `<…>.<store>.<method>(…)` call of the rule in a file, as 'file:line → store.method'. */
function writes(rule: WriterRule, file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && rule.methods.includes(node.expression.name.text)) {
      const target = node.expression.expression;
      const storeName = ts.isPropertyAccessExpression(target) ? target.name.text : ts.isIdentifier(target) ? target.text : null;
      if (storeName === rule.store) {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        found.push(`${file}:${line} → ${rule.store}.${node.expression.name.text}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function violations(rule: WriterRule, sources: ReadonlyMap<string, string>): string[] {
  return [...sources].filter(([file]) => file !== rule.writer && !file.startsWith('detector/store/')).flatMap(([file, text]) => writes(rule, file, text));
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The code that ships: the root's TypeScript and probes/, detector/, api/. */
function shippedSources(): Map<string, string> {
  const files = readdirSync(ROOT).filter((name) => name.endsWith('.ts') && !name.endsWith('.config.ts'));
  for (const folder of ['probes', 'detector', 'api']) {
    const entries = readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' });
    files.push(...entries.filter((name) => name.endsWith('.ts')).map((name) => `${folder}/${name.split(sep).join('/')}`));
  }
  return new Map(files.map((file) => [file, readFileSync(join(ROOT, file), 'utf8')]));
}

describe('each kind of state has one writer', () => {
  const sources = shippedSources();

  it('finds the writers themselves (a sanity floor)', () => {
    for (const rule of RULES) expect(writes(rule, rule.writer, sources.get(rule.writer)!), rule.writer).not.toEqual([]);
  });

  for (const rule of RULES) {
    it(rule.says, () => {
      expect(violations(rule, sources)).toEqual([]);
    });
  }
});

describe('the writer check itself', () => {
  const files = new Map([
    ['detector/incidents/incident-writer.ts', 'await stores.incidents.update(id, patch, now);\n'],
    ['detector/sla/sla-enforcer.ts', 'const x = 1;\nawait stores.incidents.appendEvent(id, event);\n'],
    ['detector/reporting/rollups.ts', 'await this.deps.db.stores.checks.updateCheckState(id, patch);\n'],
    ['detector/store/incident-store.ts', 'await this.incidents.update(id, patch, now);\n'],
    ['api/app.ts', 'await stores.rollups.update(id);\nmap.update(1);\n'],
  ]);

  it('reports a write of incident state outside the writer, with file and line', () => {
    expect(violations(RULES[0]!, files)).toEqual(['detector/sla/sla-enforcer.ts:2 → incidents.appendEvent']);
  });

  it('reports a write of check state outside the detector', () => {
    expect(violations(RULES[1]!, files)).toEqual(['detector/reporting/rollups.ts:1 → checks.updateCheckState']);
  });
});
