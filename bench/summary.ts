// One table of the headline figures of whatever suites ran, with the machine and its load.
import { loadavg } from 'node:os';
import type { DetectionSuiteResult } from './detection-suite.js';
import type { ProbesSuiteResult } from './probes-suite.js';
import { bytes, table, type Machine } from './report.js';
import type { StorageSuiteResult } from './storage-suite.js';
import type { WebSuiteResult } from './web-suite.js';

export function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

export function summaryReport(raw: { probes?: unknown; web?: unknown; detection?: unknown; storage?: unknown }, machine: Machine & { loadAtStart?: string }): string {
  const rows: string[][] = [];
  const probes = raw.probes as ProbesSuiteResult | undefined;
  for (const r of probes?.sigap ?? []) {
    if (r.staggered) continue;
    rows.push([
      'probes',
      `peak RSS, ${r.checks.toLocaleString('en')} checks`,
      r.database,
      `${bytes(r.peakRssBytes)} (heap ${bytes(r.peakHeapBytes)}); ${Math.round(r.completedPerS)} probes/s, p99 lateness ${r.lateness.p99Ms.toFixed(0)} ms`,
    ]);
  }
  const detection = raw.detection as DetectionSuiteResult | undefined;
  for (const f of detection?.figures ?? []) {
    rows.push([
      'detection',
      `latency ÷ physical minimum, ${f.outages} outages`,
      f.database,
      `p50 ${f.ratioP50}, p95 ${f.ratioP95}, max ${f.ratioMax}; ${f.incidents} incidents (${f.duplicated} duplicated, ${f.missed} missed)`,
    ]);
    if (f.notifyP95Ms !== null && f.notifyP95Ms !== undefined) {
      rows.push([
        'detection',
        'webhook: commit → first delivery attempt (goal p95 ≤ 50 ms)',
        f.database,
        `p50 ${f.notifyP50Ms} ms, p95 ${f.notifyP95Ms} ms, max ${f.notifyMaxMs} ms; ${f.notified} received`,
      ]);
    }
  }
  const web = raw.web as WebSuiteResult | undefined;
  for (const f of web?.figures ?? []) {
    if (f.concurrency !== 8) continue;
    rows.push(['web', `${f.page} ×8`, f.database, `p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${f.perSecond} req/s${f.generator === 'autocannon' ? ' (autocannon)' : ''}`]);
  }
  const storage = raw.storage as StorageSuiteResult | undefined;
  for (const f of storage?.figures ?? []) {
    const mib = (n: number) => `${(n / 1024 ** 2).toFixed(2)} MiB`;
    rows.push([
      'storage',
      'per check-year at the defaults',
      f.database,
      `${mib(f.checkYearBytes)} per check; 2 checks ${mib(2 * f.checkYearBytes)}; 100 checks ${bytes(100 * f.checkYearBytes)} (${bytes(f.bytesPer1000Raw)} per 1,000 raw, ${f.bytesPerHourly} B per hourly row)`,
    ]);
  }
  return [
    '### Summary',
    '',
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memory} RAM, ${machine.kernel}, Node ${machine.node}; ${machine.date}; Sigap ${machine.revision ?? 'unknown'}; load average (1/5/15 min) at start ${machine.loadAtStart ?? '?'}, at end ${loadText()}`,
    '',
    table(['suite', 'figure', 'database', 'value'], rows),
  ].join('\n');
}
