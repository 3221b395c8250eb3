// Where the worker's time went: a V8 .cpuprofile (node --cpu-prof) reduced to self time per
// function and per area (an npm package, a Node built-in, a Sigap file), idle time left out.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileLine {
  name: string;
  selfMs: number;
  /** Share of the busy (non-idle) time. */
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: ProfileLine[];
  areas: ProfileLine[];
}

/** `undici`, `node:net`, `probes/http.ts`, or V8's own `(garbage collector)` / `(program)`. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1]!;
  if (url.startsWith('node:')) return url;
  const inProject = /\/((?:probes|detector|bench|migrations|api)\/[^?]+|[^/?]+\.ts)(?:\?.*)?$/.exec(url);
  return inProject ? inProject[1]! : url;
}

function top(totals: Map<string, number>, busyMs: number, count: number): ProfileLine[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, selfMs]) => ({ name, selfMs, share: busyMs > 0 ? selfMs / busyMs : 0 }));
}

export function summarizeCpuProfile(file: string, count = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const hits = new Map<number, number>();
  if (profile.samples) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
  const totalHits = [...hits.values()].reduce((a, b) => a + b, 0);
  // startTime / endTime are microseconds; every sample stands for an equal slice of the run.
  const msPerHit = totalHits > 0 ? (profile.endTime - profile.startTime) / 1000 / totalHits : 0;

  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let idleMs = 0;
  for (const node of profile.nodes) {
    const ms = (hits.get(node.id) ?? 0) * msPerHit;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const area = areaOf(url, functionName);
    const name = `${functionName || '(anonymous)'} ${url ? `${area}:${lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + ms);
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  const busyMs = [...areas.values()].reduce((a, b) => a + b, 0);
  return { busyMs, idleMs, functions: top(functions, busyMs, count), areas: top(areas, busyMs, count) };
}
