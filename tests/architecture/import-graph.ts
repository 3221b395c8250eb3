// Sigap's import graph, read with the TypeScript parser (no type checking, no regular expressions
// over code), and the checks tests/architecture/imports.test.ts runs over it: import rules declared
// as data, and import cycles reported as chains of files.
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import ts from 'typescript';

/** One import as written in a file. */
export interface ImportSite {
  specifier: string;
  line: number;
  /**
   * Erased at compile time: `import type`, `export type`, `import('…').T` in a type. Under
   * verbatimModuleSyntax `import { type A } from './a.js'` still loads './a.js', so it is not.
   */
  typeOnly: boolean;
}

export type ImportTarget = { kind: 'sigap'; path: string } | { kind: 'package'; name: string } | { kind: 'builtin'; name: string };

export interface ImportEdge extends ImportSite {
  /** the importing file, relative to the repository root, '/'-separated */
  from: string;
  target: ImportTarget;
}

/** Every static import, `export … from`, dynamic `import('…')`, `import x = require('…')` and type-position `import('…')` of one file. */
export function readImports(fileName: string, text: string): ImportSite[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const sites: ImportSite[] = [];
  const add = (literal: ts.Expression | undefined, typeOnly: boolean): void => {
    if (literal && ts.isStringLiteralLike(literal)) {
      sites.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1, typeOnly });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], false);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

const BUILTINS = new Set(builtinModules);

/**
 * What a specifier names, resolved the way NodeNext resolves Sigap's own imports: a relative
 * './x.js' is the file './x.ts' beside the importer; anything else is a Node builtin or an npm
 * package (by its name, '@scope/name' included).
 */
export function resolveImport(from: string, specifier: string, exists: (path: string) => boolean): ImportTarget {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const joined = posix.normalize(posix.join(posix.dirname(from), specifier));
    const candidates = [joined.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts'), joined, `${joined}.ts`, `${joined}/index.ts`];
    return { kind: 'sigap', path: candidates.find(exists) ?? joined };
  }
  if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]!)) return { kind: 'builtin', name: specifier.replace(/^node:/, '') };
  const parts = specifier.split('/');
  return { kind: 'package', name: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]! };
}

/** The import edges of a set of files: path → TypeScript source; `exists` answers for any file of the repository. */
export function importGraph(sources: ReadonlyMap<string, string>, exists: (path: string) => boolean = (p) => sources.has(p)): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const [from, text] of sources) {
    for (const site of readImports(from, text)) edges.push({ ...site, from, target: resolveImport(from, site.specifier, exists) });
  }
  return edges;
}

/**
 * Where a rule applies and what it names: a folder ('probes/'), a file ('main.ts'), or '*' for
 * every one of Sigap's files.
 */
export type PathPattern = string;

export const ANY = '*';

export function matches(path: string, patterns: readonly PathPattern[]): boolean {
  return patterns.some((p) => p === ANY || p === path || (p.endsWith('/') && path.startsWith(p)));
}

/** A sentence of a folder README, as a rule over the import graph. */
export interface ImportRule {
  /** the rule in the README's words; the test's name */
  says: string;
  /** the importing files the rule is about */
  files: PathPattern[];
  mayNotImport: { sigap?: PathPattern[]; packages?: string[] };
  /** imports the rule allows all the same, each with its reason */
  except?: { importers?: PathPattern[]; targets?: PathPattern[]; typeOnly?: true; why: string }[];
}

function targetMatches(target: ImportTarget, forbidden: ImportRule['mayNotImport']): boolean {
  if (target.kind === 'sigap') return matches(target.path, forbidden.sigap ?? []);
  if (target.kind === 'package') return (forbidden.packages ?? []).includes(target.name);
  return false;
}

function excepted(edge: ImportEdge, rule: ImportRule): boolean {
  return (rule.except ?? []).some((e) => {
    const importerFits = !e.importers || matches(edge.from, e.importers);
    const targetFits = !e.targets || (edge.target.kind === 'sigap' && matches(edge.target.path, e.targets));
    return importerFits && targetFits && (!e.typeOnly || edge.typeOnly);
  });
}

export function describeEdge(edge: ImportEdge): string {
  const resolved = edge.target.kind === 'sigap' && edge.target.path !== edge.specifier ? ` (${edge.target.path})` : '';
  return `${edge.from}:${edge.line} → ${edge.specifier}${resolved}${edge.typeOnly ? ' [type only]' : ''}`;
}

/** Every import that breaks the rule, as 'file:line → specifier (resolved file)'. */
export function violations(rule: ImportRule, edges: readonly ImportEdge[]): string[] {
  return edges
    .filter((edge) => matches(edge.from, rule.files) && targetMatches(edge.target, rule.mayNotImport) && !excepted(edge, rule))
    .map(describeEdge)
    .sort();
}

/**
 * The import cycles among the files `inScope` accepts, type-only imports included: for each
 * strongly connected group of files, the shortest cycle through each of its files, as a chain
 * 'a.ts → b.ts →(type) a.ts' (an arrow whose imports are all type-only marked '(type)'). Every file caught in a
 * cycle appears in at least one chain.
 */
export function findCycles(edges: readonly ImportEdge[], inScope: (path: string) => boolean): string[] {
  const next = new Map<string, Map<string, boolean>>(); // from → to → every import between them is type-only
  for (const e of edges) {
    if (e.target.kind !== 'sigap' || !inScope(e.from) || !inScope(e.target.path)) continue;
    const out = next.get(e.from) ?? new Map<string, boolean>();
    out.set(e.target.path, (out.get(e.target.path) ?? true) && e.typeOnly);
    next.set(e.from, out);
  }
  const chains = new Set<string>();
  for (const group of stronglyConnected(next)) {
    const members = new Set(group);
    for (const start of [...group].sort()) {
      const cycle = shortestCycle(start, next, members);
      if (cycle) chains.add(formatCycle(rotateToSmallest(cycle), next));
    }
  }
  return [...chains].sort();
}

function stronglyConnected(next: ReadonlyMap<string, ReadonlyMap<string, boolean>>): string[][] {
  // Tarjan's algorithm; groups of one file count only when the file imports itself.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || next.get(v)?.has(v)) groups.push(group);
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return groups;
}

function shortestCycle(start: string, next: ReadonlyMap<string, ReadonlyMap<string, boolean>>, members: ReadonlySet<string>): string[] | undefined {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of [...(next.get(v)?.keys() ?? [])].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return path;
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return undefined;
}

function rotateToSmallest(cycle: string[]): string[] {
  const first = cycle.indexOf([...cycle].sort()[0]!);
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}

function formatCycle(cycle: string[], next: ReadonlyMap<string, ReadonlyMap<string, boolean>>): string {
  const closed = [...cycle, cycle[0]!];
  return closed.map((file, i) => (i === 0 ? file : `${next.get(closed[i - 1]!)?.get(file) ? ' →(type) ' : ' → '}${file}`)).join('');
}
