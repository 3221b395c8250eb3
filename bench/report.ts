// The figures as text: the machine, then Markdown tables (so they paste into README.md as they
// are), then the issue's goal, criterion by criterion.
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { ProfileSummary } from './cpu-profile.js';
import { probeSizes, scheduleGoals, type ProbesSuiteResult, type SigapRun } from './probes-suite.js';
import type { GoalRow } from './goals.js';
import type { HeapSummary } from './heap-summary.js';

export interface Machine {
  cpuModel: string;
  cores: number;
  memory: string;
  kernel: string;
  node: string;
  date: string;
  /** Sigap's revision measured (git describe), filled in by run.ts. */
  revision?: string;
}

export function describeMachine(): Machine {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux: os.cpus() is good enough
  }
  return { cpuModel, cores: cpus().length, memory: bytes(totalmem()), kernel: `Linux ${release()}`, node: process.version, date: new Date().toISOString() };
}

export function bytes(n: number): string {
  if (Math.abs(n) >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (Math.abs(n) >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (Math.abs(n) >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}

const ms = (n: number) => (n < 10 ? n.toFixed(1) : n.toFixed(0));
const num = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

function sigapTable(runs: SigapRun[]): string {
  return table(
    [
      'checks',
      'database',
      'start',
      'offered/s',
      'done/s',
      'failed',
      'lateness p50 / p99 / max ms',
      'CPU s per 1k probes',
      'cores busy',
      'event loop',
      'peak RSS (heap)',
      'rows / check / day',
      'bytes / check / day',
    ],
    runs.map((r) => [
      `${num(r.checks)} every ${r.intervalS} s`,
      r.database,
      `${r.staggered ? 'staggered' : 'as main.ts'}${r.runAs === 'tsx' ? ', tsx' : ''}`,
      num(r.offeredPerS),
      num(r.completedPerS),
      num(r.failed + r.errors),
      `${ms(r.lateness.p50Ms)} / ${ms(r.lateness.p99Ms)} / ${ms(r.lateness.maxMs)}`,
      r.cpuSPer1000.toFixed(2),
      r.cores.toFixed(2),
      `${(r.eventLoopUtilization * 100).toFixed(0)} %`,
      `${bytes(r.peakRssBytes)} (${bytes(r.peakHeapBytes)})`,
      num(r.rowsPerCheckDay),
      bytes(r.bytesPerCheckDay),
    ]),
  );
}

function blackboxTable(result: ProbesSuiteResult): string {
  return table(
    ['checks', 'offered/s', 'done/s', 'failed', 'not sent (behind)', '/probe p50 / p99 ms', 'CPU s per 1k probes', 'cores busy', 'peak RSS (VmHWM)'],
    result.blackbox.map((r) => [
      num(r.checks),
      num(r.offeredPerS),
      num(r.completedPerS),
      num(r.failed),
      num(r.skipped),
      `${ms(r.durationP50Ms)} / ${ms(r.durationP99Ms)}`,
      r.cpuSPer1000.toFixed(2),
      r.cores.toFixed(2),
      bytes(r.peakRssBytes),
    ]),
  );
}

/** CPU per probe against the exporter's; with --stagger also like for like (both under even load). */
function comparisonTable(result: ProbesSuiteResult): string {
  const staggered = result.sigap.some((r) => r.staggered);
  const ratio = (s: SigapRun | undefined, b: number) => (s && b > 0 ? `${(s.cpuSPer1000 / b).toFixed(2)}×` : '—');
  const headers = ['checks', 'Sigap CPU s per 1k', 'blackbox_exporter CPU s per 1k', 'Sigap ÷ blackbox_exporter'];
  if (staggered) headers.push('Sigap staggered CPU s per 1k', 'staggered ÷ blackbox_exporter (both even load)');
  return table(
    headers,
    result.blackbox.map((b) => {
      const s = result.sigap.find((r) => r.checks === b.checks && !r.staggered);
      const row = [num(b.checks), s ? s.cpuSPer1000.toFixed(2) : '—', b.cpuSPer1000.toFixed(2), ratio(s, b.cpuSPer1000)];
      if (!staggered) return row;
      const even = result.sigap.find((r) => r.checks === b.checks && r.staggered);
      return [...row, even ? even.cpuSPer1000.toFixed(2) : '—', ratio(even, b.cpuSPer1000)];
    }),
  );
}

function profileText(run: SigapRun, profile: ProfileSummary): string {
  const share = (x: number) => `${(x * 100).toFixed(1)} %`;
  const title = `CPU profile of the worker, ${num(run.checks)} checks (${run.database}${run.staggered ? ', staggered' : ''}): busy ${(profile.busyMs / 1000).toFixed(1)} s, idle ${(profile.idleMs / 1000).toFixed(1)} s (whole process life, setup included)`;
  return [
    title,
    table(
      ['self time by area', 'ms', 'share'],
      profile.areas.map((a) => [a.name, num(a.selfMs), share(a.share)]),
    ),
    table(
      ['top functions (self time)', 'ms', 'share'],
      profile.functions.map((f) => [f.name, num(f.selfMs), share(f.share)]),
    ),
  ].join('\n\n');
}

function heapText(run: SigapRun, heap: HeapSummary): string {
  return [
    `Heap at the end of the window, ${num(run.checks)} checks (${run.database}${run.staggered ? ', staggered' : ''}, ${run.runAs === 'tsx' ? 'under tsx' : 'built'}): ${bytes(heap.totalBytes)} in ${num(heap.nodes)} objects reachable; peak RSS ${bytes(run.peakRssBytes)}`,
    table(
      ['constructor', 'count', 'self size', 'retained size'],
      heap.lines.map((l) => [l.name, num(l.count), bytes(l.selfBytes), bytes(l.retainedBytes)]),
    ),
  ].join('\n\n');
}

const MIB = 1024 ** 2;
const databaseName = (kind: string) => (kind === 'postgres' ? 'PostgreSQL' : 'SQLite');

/**
 * The lean probe path and memory goals, per size and database (runs with main.ts's start): CPU
 * per probe against blackbox_exporter's at the same size in the same run (≤ 0.7×), the event loop
 * at 10,000 checks (≤ 60 % busy), and peak RSS (< 200 MiB at 1,000 checks, < 300 MiB at 10,000;
 * a figure under tsx is reported without a verdict: the goal is the built program's).
 */
export function probeGoals(result: ProbesSuiteResult): GoalRow[] {
  const rows: GoalRow[] = [];
  for (const run of result.sigap.filter((r) => !r.staggered)) {
    const database = databaseName(run.database);
    const size = num(run.checks);
    const peer = result.blackbox.find((b) => b.checks === run.checks);
    if (peer && peer.cpuSPer1000 > 0) {
      const ratio = run.cpuSPer1000 / peer.cpuSPer1000;
      rows.push({
        suite: 'probes',
        figure: `CPU per probe ÷ blackbox_exporter's, ${size} checks`,
        database,
        value: `${ratio.toFixed(2)}× (${run.cpuSPer1000.toFixed(2)} vs ${peer.cpuSPer1000.toFixed(2)} CPU s per 1,000)`,
        goal: '≤ 0.7×',
        met: ratio <= 0.7,
      });
    } else {
      rows.push({
        suite: 'probes',
        figure: `CPU per probe ÷ blackbox_exporter's, ${size} checks`,
        database,
        value: `${run.cpuSPer1000.toFixed(2)} CPU s per 1,000 (no exporter figure)`,
        goal: '≤ 0.7×',
        met: null,
      });
    }
    if (run.checks === 10_000) {
      const busy = run.eventLoopUtilization * 100;
      // A run that fell behind (a loaded machine) says so: its event loop was busy with a backlog.
      const behind = run.completedPerS < 0.98 * run.offeredPerS ? ` (${num(run.completedPerS)} of ${num(run.offeredPerS)} probes/s: behind)` : '';
      rows.push({ suite: 'probes', figure: 'event loop busy, 10,000 checks', database, value: `${busy.toFixed(0)} %${behind}`, goal: '≤ 60 %', met: busy <= 60 });
    }
    const limitMiB = run.checks === 1_000 ? 200 : run.checks === 10_000 ? 300 : null;
    if (limitMiB !== null) {
      const built = run.runAs !== 'tsx';
      rows.push({
        suite: 'probes',
        figure: `peak RSS, ${size} checks${built ? ' (built)' : ' (under tsx)'}`,
        database,
        value: bytes(run.peakRssBytes),
        goal: `< ${limitMiB} MiB`,
        met: built ? run.peakRssBytes < limitMiB * MIB : null,
      });
    }
  }
  return rows;
}

/** The issue's goal, at the largest size run with main.ts's start on the first database. */
function goalLines(result: ProbesSuiteResult): string[] {
  const runs = result.sigap.filter((r) => !r.staggered);
  const largest = runs.reduce<SigapRun | undefined>((best, r) => (!best || r.checks > best.checks ? r : best), undefined);
  if (!largest) return [];
  const ok = (pass: boolean) => (pass ? 'MET    ' : 'NOT MET');
  const peer = result.blackbox.find((b) => b.checks === largest.checks);
  const lines = [
    `Goal: ${num(largest.checks)} checks at ${largest.intervalS} s = ${num(largest.offeredPerS)} probes/s on one core, CPU per probe no worse than blackbox_exporter's`,
    `  ${ok(largest.completedPerS >= 0.98 * largest.offeredPerS)} sustained ${num(largest.completedPerS)} of ${num(largest.offeredPerS)} probes/s offered`,
    `  ${ok(largest.cores <= 1)} ${largest.cores.toFixed(2)} cores busy (process CPU s per wall s; the event loop was busy ${(largest.eventLoopUtilization * 100).toFixed(0)} % of the time)`,
  ];
  const even = result.sigap.find((r) => r.staggered && r.checks === largest.checks && r.database === largest.database);
  if (even) {
    lines.push(
      `  (checks added a slice at a time over one interval, --stagger: ${num(even.completedPerS)} probes/s, p99 lateness ${ms(even.lateness.p99Ms)} ms, ${even.cores.toFixed(2)} cores)`,
    );
  }
  if (peer && peer.cpuSPer1000 > 0) {
    const ratio = largest.cpuSPer1000 / peer.cpuSPer1000;
    // Repeated runs on the same machine differ by about ±10 % in CPU per probe, for both probers.
    const verdict = ratio <= 1 ? ok(true) : ratio <= 1.1 ? 'PAR    ' : ok(false);
    const note = ratio > 1 && ratio <= 1.1 ? ' (worse by less than the ±10 % that repeated runs differ by: neither clearly met nor missed)' : '';
    lines.push(`  ${verdict} CPU per probe ${ratio.toFixed(3)}× blackbox_exporter's${note}`);
  } else {
    lines.push('  (no blackbox_exporter figure to compare CPU per probe with)');
  }
  return lines;
}

/** The even schedule's goal: lateness p99 < 50 ms at 2,000@20 s and 10,000@10 s, the dashboard within 2× of idle. */
function scheduleGoalLines(result: ProbesSuiteResult): string[] {
  const rows = scheduleGoals(result);
  const mark = (met: boolean | null) => (met === null ? '—      ' : met ? 'MET    ' : 'NOT MET');
  return [
    "Goal (even schedule): lateness p99 < 50 ms at 2,000 checks every 20 s and at 10,000 every 10 s; the dashboard's p99 under that probe load ≤ 2× idle",
    ...rows.map((r) => `  ${mark(r.met)} ${r.figure}${r.database === '—' ? '' : ` (${r.database})`}: ${r.value}`),
  ];
}

function dashboardTable(result: ProbesSuiteResult): string {
  return table(
    ['checks', 'database', 'page', 'idle p50 / p99 / max ms (requests)', 'under probe load p50 / p99 / max ms (requests)', 'p99 loaded ÷ idle'],
    result.dashboard.map((d) => [
      `${num(d.checks)} every ${d.intervalS} s`,
      d.database,
      `GET ${d.page}`,
      `${ms(d.idle.p50Ms)} / ${ms(d.idle.p99Ms)} / ${ms(d.idle.maxMs)} (${num(d.idle.requests)})`,
      `${ms(d.loaded.p50Ms)} / ${ms(d.loaded.p99Ms)} / ${ms(d.loaded.maxMs)} (${num(d.loaded.requests)})`,
      `${d.ratioP99.toFixed(2)}×`,
    ]),
  );
}

export function probesReport(result: ProbesSuiteResult, machine: Machine): string {
  const { options } = result;
  const out = [
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memory} RAM, ${machine.kernel}, Node ${machine.node}, ${machine.date}; Sigap ${machine.revision ?? 'unknown revision'}`,
    `Run: ${probeSizes(options)
      .map((s) => `${num(s.checks)} http checks every ${s.intervalS} s (warm-up ${s.warmupS} s)`)
      .join(', ')} against loopback targets (keep-alive off); measured ${options.windowS} s`,
    '',
    'Sigap (its own probe path: Scheduler → runProbe → ResultBatcher → Detector → database; one process, whose CPU includes every thread):',
    '',
    sigapTable(result.sigap),
    '',
  ];
  if (result.blackbox.length > 0) {
    out.push(
      `prometheus-blackbox-exporter ${'version' in result.exporter ? result.exporter.version : ''} (module http_2xx with fail_if_body_not_matches_regexp, driven by /probe requests at the same rate, measured from /proc):`,
      '',
      blackboxTable(result),
      '',
      comparisonTable(result),
      '',
      "Note: blackbox_exporter's probes write no database; every Sigap probe is also a row in check_results,",
      "its check's streak updated and its incident logic run, in batched transactions — that work is in Sigap's CPU figure.",
      '',
    );
  } else {
    out.push(`blackbox_exporter: ${'reason' in result.exporter ? result.exporter.reason : 'not run'}`, '');
  }
  for (const run of result.sigap) if (run.profile) out.push(profileText(run, run.profile), '');
  for (const run of result.sigap) if (run.heap) out.push(heapText(run, run.heap), '');
  for (const run of result.sigap) if (run.firstFailure) out.push(`first failure (sigap ${run.checks}): ${run.firstFailure}`);
  for (const run of result.blackbox) if (run.firstFailure) out.push(`first failure (blackbox ${run.checks}): ${run.firstFailure}`);
  if ((result.dashboard ?? []).length > 0) {
    out.push(
      'The dashboard (one logged-in client, one request after another, from the orchestrator): idle with SIGAP_ROLE=web, then with SIGAP_ROLE=all probing the checks in the same process:',
      '',
      dashboardTable(result),
      '',
    );
  }
  out.push(...goalLines(result), '', ...scheduleGoalLines(result));
  return out.join('\n');
}
