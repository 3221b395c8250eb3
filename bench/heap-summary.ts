// `--heap-summary`: where the worker's heap goes. A V8 heap snapshot (v8.writeHeapSnapshot, the
// format Chrome DevTools reads) reduced to DevTools' "Summary" view: objects grouped by
// constructor, with their count, self size and retained size (what would be freed with them,
// from the dominator tree), the largest first.
//
// The snapshot of a large heap is hundreds of MiB of JSON, more than one JavaScript string may
// hold, so the number arrays are read straight from the bytes and only the strings are parsed.
import { readFileSync } from 'node:fs';

export interface HeapLine {
  /** The constructor (`Object`, `Buffer`, `ClientRequest`), or DevTools' group: `(string)`, `(array)`, `(compiled code)`, `(closure)`. */
  name: string;
  count: number;
  selfBytes: number;
  /** Retained by the group's objects (each object counted once, not inside another of the same group). */
  retainedBytes: number;
}

export interface HeapSummary {
  totalBytes: number;
  nodes: number;
  lines: HeapLine[];
}

interface SnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
}

/** The numbers of the top-level array `"key":[…]`, read from the bytes. */
function numberArray(bytes: Buffer, key: string): Float64Array {
  const start = bytes.indexOf(`"${key}":[`);
  if (start < 0) throw new Error(`heap snapshot has no "${key}"`);
  let i = start + key.length + 4;
  const end = bytes.indexOf(']', i);
  let count = 0;
  for (let j = i; j < end; j++) if (bytes[j] === 0x2c) count++;
  const out = new Float64Array(end > i ? count + 1 : 0);
  let n = 0;
  let value = 0;
  let inNumber = false;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      inNumber = true;
    } else if (c === 0x2c) {
      out[n++] = value;
      value = 0;
      inNumber = false;
    }
  }
  if (inNumber) out[n++] = value;
  return out.subarray(0, n);
}

/** The top-level `"strings":[…]` (the last key of the format). */
function stringsOf(bytes: Buffer): string[] {
  const start = bytes.indexOf('"strings":[');
  if (start < 0) throw new Error('heap snapshot has no "strings"');
  const end = bytes.lastIndexOf(']');
  return JSON.parse(bytes.toString('utf8', start + '"strings":'.length, end + 1)) as string[];
}

function groupName(type: string, name: string): string {
  if (type === 'object' || type === 'native') return name.startsWith('system / ') ? '(system)' : name || '(anonymous object)';
  if (type === 'hidden' || type === 'object shape') return '(system)';
  if (type === 'concatenated string' || type === 'sliced string') return '(string)';
  return `(${type})`;
}

/**
 * Immediate dominators of every node from the root (node 0), by Cooper, Harvey and Kennedy's
 * iterative algorithm over a reverse post-order; weak edges do not retain.
 */
function dominators(nodeCount: number, firstEdge: Uint32Array, targets: Uint32Array, strong: Uint8Array): Int32Array {
  // Reverse post-order by an explicit stack (the graph is too deep for recursion).
  const order = new Int32Array(nodeCount).fill(-1);
  const post: number[] = [];
  const visited = new Uint8Array(nodeCount);
  const stack: number[] = [0];
  const cursor = new Uint32Array(nodeCount);
  visited[0] = 1;
  for (let n = 0; n < nodeCount; n++) cursor[n] = firstEdge[n]!;
  while (stack.length > 0) {
    const node = stack[stack.length - 1]!;
    let pushed = false;
    while (cursor[node]! < firstEdge[node + 1]!) {
      const e = cursor[node]!++;
      const to = targets[e]!;
      if (!strong[e] || visited[to]) continue;
      visited[to] = 1;
      stack.push(to);
      pushed = true;
      break;
    }
    if (!pushed) {
      stack.pop();
      post.push(node);
    }
  }
  for (let i = 0; i < post.length; i++) order[post[i]!] = i;
  // Predecessors of the reachable nodes, by strong edges.
  const predCount = new Uint32Array(nodeCount + 1);
  for (let n = 0; n < nodeCount; n++) {
    if (order[n]! < 0) continue;
    for (let e = firstEdge[n]!; e < firstEdge[n + 1]!; e++) if (strong[e] && order[targets[e]!]! >= 0) predCount[targets[e]! + 1]!++;
  }
  for (let n = 0; n < nodeCount; n++) predCount[n + 1]! += predCount[n]!;
  const preds = new Uint32Array(predCount[nodeCount]!);
  const fill = predCount.slice(0, nodeCount);
  for (let n = 0; n < nodeCount; n++) {
    if (order[n]! < 0) continue;
    for (let e = firstEdge[n]!; e < firstEdge[n + 1]!; e++) if (strong[e] && order[targets[e]!]! >= 0) preds[fill[targets[e]!]!++] = n;
  }
  const idom = new Int32Array(nodeCount).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (order[a]! < order[b]!) a = idom[a]!;
      while (order[b]! < order[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (let i = post.length - 1; i >= 0; i--) {
      const node = post[i]!;
      if (node === 0) continue;
      let dom = -1;
      for (let p = predCount[node]!; p < predCount[node + 1]!; p++) {
        const pred = preds[p]!;
        if (idom[pred]! < 0) continue;
        dom = dom < 0 ? pred : intersect(pred, dom);
      }
      if (dom >= 0 && idom[node] !== dom) {
        idom[node] = dom;
        changed = true;
      }
    }
  }
  return idom;
}

/** The heap snapshot at `file`, by constructor, the `top` largest by retained size. */
export function summarizeHeapSnapshot(file: string, top = 15): HeapSummary {
  const bytes = readFileSync(file);
  const header = JSON.parse(bytes.toString('utf8', bytes.indexOf('{"snapshot"'), bytes.lastIndexOf(',', bytes.indexOf('"nodes":['))) + '}') as { snapshot: { meta: SnapshotMeta } };
  const { meta } = header.snapshot;
  const nodes = numberArray(bytes, 'nodes');
  const edges = numberArray(bytes, 'edges');
  const strings = stringsOf(bytes);

  const nodeWidth = meta.node_fields.length;
  const edgeWidth = meta.edge_fields.length;
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) => meta.node_fields.indexOf(f)) as [number, number, number, number];
  const [edgeTypeAt, toNodeAt] = ['type', 'to_node'].map((f) => meta.edge_fields.indexOf(f)) as [number, number];
  const nodeTypes = meta.node_types[0];
  const weakEdge = meta.edge_types[0].indexOf('weak');
  const nodeCount = nodes.length / nodeWidth;

  const firstEdge = new Uint32Array(nodeCount + 1);
  for (let n = 0; n < nodeCount; n++) firstEdge[n + 1] = firstEdge[n]! + nodes[n * nodeWidth + edgeCountAt]!;
  const edgeCount = edges.length / edgeWidth;
  const targets = new Uint32Array(edgeCount);
  const strong = new Uint8Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    targets[e] = edges[e * edgeWidth + toNodeAt]! / nodeWidth;
    strong[e] = edges[e * edgeWidth + edgeTypeAt] === weakEdge ? 0 : 1;
  }
  const idom = dominators(nodeCount, firstEdge, targets, strong);

  // The dominator tree as child lists; walked depth first, children before parents for the
  // retained sizes, with a count per group of the ancestors on the path (a node inside another of
  // its own group is already in that one's retained size).
  const childStart = new Uint32Array(nodeCount + 1);
  for (let n = 1; n < nodeCount; n++) if (idom[n]! >= 0) childStart[idom[n]! + 1]!++;
  for (let n = 0; n < nodeCount; n++) childStart[n + 1]! += childStart[n]!;
  const children = new Uint32Array(childStart[nodeCount]!);
  const fill = childStart.slice(0, nodeCount);
  for (let n = 1; n < nodeCount; n++) if (idom[n]! >= 0) children[fill[idom[n]!]!++] = n;

  const groupOf = new Array<string>(nodeCount);
  for (let n = 0; n < nodeCount; n++) groupOf[n] = groupName(nodeTypes[nodes[n * nodeWidth + typeAt]!] ?? 'unknown', strings[nodes[n * nodeWidth + nameAt]!] ?? '');
  const retained = new Float64Array(nodeCount);
  const onPath = new Map<string, number>();
  const outermost = new Uint8Array(nodeCount);
  const groups = new Map<string, HeapLine>();
  let totalBytes = 0;
  let reachable = 0;
  const stack: number[] = [0];
  const next = childStart.slice(0, nodeCount);
  while (stack.length > 0) {
    const node = stack[stack.length - 1]!;
    if (next[node] === childStart[node]) {
      // First visit.
      reachable++;
      const name = groupOf[node]!;
      const self = nodes[node * nodeWidth + sizeAt]!;
      retained[node] = self;
      if (node !== 0 && name !== '(synthetic)') {
        let line = groups.get(name);
        if (!line) groups.set(name, (line = { name, count: 0, selfBytes: 0, retainedBytes: 0 }));
        line.count++;
        line.selfBytes += self;
        totalBytes += self;
        outermost[node] = (onPath.get(name) ?? 0) === 0 ? 1 : 0;
        onPath.set(name, (onPath.get(name) ?? 0) + 1);
      }
    }
    if (next[node]! < childStart[node + 1]!) {
      stack.push(children[next[node]!++]!);
      continue;
    }
    stack.pop();
    if (node === 0) continue;
    const name = groupOf[node]!;
    retained[idom[node]!]! += retained[node]!;
    if (name === '(synthetic)') continue;
    onPath.set(name, onPath.get(name)! - 1);
    if (outermost[node]) groups.get(name)!.retainedBytes += retained[node]!;
  }
  const lines = [...groups.values()].sort((a, b) => b.retainedBytes - a.retainedBytes).slice(0, top);
  return { totalBytes, nodes: reachable, lines };
}
