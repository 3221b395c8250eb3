// One table of the goals of whatever suites ran — each figure beside its goal and whether it was
// met — and the headline figures without a goal, with the machine and its load.
import { loadavg } from 'node:os';
import { scaleGoals, type ScaleSuiteResult } from './scale-suite.js';
import { detectionGoals, type DetectionSuiteResult } from './detection-suite.js';
import { verdict, type GoalRow } from './goals.js';
import { scheduleGoals, type ProbesSuiteResult } from './probes-suite.js';
import { bytes, probeGoals, table, type Machine } from './report.js';
import type { StorageSuiteResult } from './storage-suite.js';
import { availabilityGoals, incidentFigureGoals, type WebSuiteResult } from './web-suite.js';

export function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

export interface SuiteResults {
  probes?: ProbesSuiteResult;
  web?: WebSuiteResult;
  detection?: DetectionSuiteResult;
  storage?: StorageSuiteResult;
  scale?: ScaleSuiteResult;
}

/** Every goal row the suites that ran produce, then their figures without a goal. */
export function goalRows(raw: SuiteResults): GoalRow[] {
  const rows: GoalRow[] = [
    ...(raw.web ? availabilityGoals(raw.web) : []),
    ...(raw.web ? incidentFigureGoals(raw.web) : []),
    ...searchGoals(raw.web),
    ...(raw.detection ? detectionGoals(raw.detection) : []),
    ...(raw.probes ? probeGoals(raw.probes) : []),
    ...(raw.probes ? scheduleGoals(raw.probes) : []),
    ...(raw.scale ? scaleGoals(raw.scale) : []),
  ];
  for (const f of raw.storage?.figures ?? []) {
    const mib = (n: number) => `${(n / 1024 ** 2).toFixed(2)} MiB`;
    rows.push({
      suite: 'storage',
      figure: 'per check-year at the defaults',
      database: DATABASE_NAMES[f.database] ?? f.database,
      value: `${mib(f.checkYearBytes)} per check; 100 checks ${bytes(100 * f.checkYearBytes)} (${bytes(f.bytesPer1000Raw)} per 1,000 raw, ${f.bytesPerHourly} B per hourly row)`,
      goal: '—',
      met: null,
    });
  }
  return rows;
}

const DATABASE_NAMES: Record<string, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** Indexed search: p95 ≤ 50 ms at 8 clients over the whole table (the indexed queries, not the 2-character scan). */
export function searchGoals(web: WebSuiteResult | undefined): GoalRow[] {
  return (web?.figures ?? [])
    .filter((f) => f.concurrency === 8 && f.page.includes('q=') && !f.page.includes('2 characters'))
    .map((f) => ({
      suite: 'web',
      figure: `search, ${web!.incidents.toLocaleString('en')} incidents, 8 clients`,
      database: DATABASE_NAMES[f.database] ?? f.database,
      value: `p95 ${f.p95Ms} ms (p50 ${f.p50Ms} ms)`,
      goal: 'p95 ≤ 50 ms',
      met: f.p95Ms <= 50,
    }));
}

export function summaryReport(raw: SuiteResults, machine: Machine & { loadAtStart?: string }): string {
  const rows = goalRows(raw);
  const judged = rows.filter((r) => r.met !== null);
  const met = judged.filter((r) => r.met).length;
  return [
    '### Summary',
    '',
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memory} RAM, ${machine.kernel}, Node ${machine.node}; ${machine.date}; Sigap ${machine.revision ?? 'unknown'}; load average (1/5/15 min) at start ${machine.loadAtStart ?? '?'}, at end ${loadText()}`,
    '',
    table(
      ['suite', 'figure', 'database', 'value', 'goal', 'verdict'],
      rows.map((r) => [r.suite, r.figure, r.database, r.value, r.goal, verdict(r.met)]),
    ),
    '',
    `${met} of ${judged.length} goals met.`,
  ].join('\n');
}
