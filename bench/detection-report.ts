// The detection suite's figures as text (Markdown tables) and as the closing summary's goal rows.
import type { DetectionFigure, DetectionSuiteResult } from './detection-suite.js';
import type { GoalRow } from './goals.js';
import { alertHoldMs } from './prometheus-pipeline.js';
import { table } from './report.js';

export function detectionReport(result: DetectionSuiteResult): string {
  const o = result.options;
  const rows = result.figures.map((f) => [
    f.database,
    String(f.outages),
    `${f.incidents}${f.incidents === f.outages && f.duplicated === 0 ? ' ✓' : ' ✗'}`,
    String(f.duplicated),
    String(f.missed),
    `${f.latencyP50Ms} / ${f.latencyP95Ms} / ${f.latencyMaxMs}`,
    String(f.minimumP50Ms),
    `${f.ratioP50} / ${f.ratioP95} / ${f.ratioMax}`,
    `${f.overheadP50Ms} / ${f.overheadP95Ms} / ${f.overheadMaxMs}`,
  ]);
  return [
    `### Detection: ${o.outages} induced outages (interval ${o.intervalMs} ms, retryInterval ${o.retryIntervalMs} ms, failureThreshold ${o.failureThreshold}, timeout ${o.timeoutMs} ms)`,
    '',
    table(
      [
        'database',
        'outages',
        'incidents opened',
        'duplicated',
        'missed',
        'latency p50 / p95 / max ms',
        'physical minimum p50 ms',
        'latency ÷ minimum p50 / p95 / max',
        'over the minimum p50 / p95 / max ms',
      ],
      rows,
    ),
    '',
    "Physical minimum: from the outage to the next probe on the check's grid, plus (failureThreshold − 1) × retryInterval; a refused connection takes ~0 ms.",
    '',
    table(
      ['database', 'webhooks received', 'commit → first attempt p50 / p95 / max ms', 'goal p95 ≤ 50 ms', 'created_at → first attempt p50 / p95 / max ms'],
      result.figures.map((f) => [
        f.database,
        `${f.notified} of ${f.incidents}`,
        f.notifyP95Ms === null ? '—' : `${f.notifyP50Ms} / ${f.notifyP95Ms} / ${f.notifyMaxMs}`,
        f.notifyP95Ms === null ? '—' : f.notifyP95Ms <= 50 ? 'MET' : 'NOT MET',
        `${f.createdToArrivalP50Ms} / ${f.createdToArrivalP95Ms} / ${f.createdToArrivalMaxMs}`,
      ]),
    ),
    '',
    "Webhook: commit = this process's Database saying a commit wrote outbox rows (the first such at or after the incident's created_at); arrival = the local receiver's first request for the incident.",
    ...pipelineReport(result),
  ].join('\n');
}

const ratioText = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');

/** Sigap's p95 ÷ the pipeline's p95, for the incident/alert and for the webhook. */
export function pipelineRatios(f: DetectionFigure): { created: number; webhook: number } | null {
  if (!f.pipeline) return null;
  return { created: f.latencyP95Ms / f.pipeline.alertP95Ms, webhook: f.webhookP95Ms / f.pipeline.webhookP95Ms };
}

function pipelineReport(result: DetectionSuiteResult): string[] {
  const o = result.options;
  if (!result.pipeline.ran) return ['', `Prometheus + blackbox_exporter + Alertmanager: not run (${result.pipeline.reason}).`];
  const rows: string[][] = [];
  for (const f of result.figures) {
    const p = f.pipeline;
    if (!p) continue;
    const ratios = pipelineRatios(f)!;
    rows.push(
      [
        f.database,
        'Sigap',
        `${f.incidents} incidents (${f.duplicated} duplicated, ${f.missed} missed)`,
        `${f.probesMin}–${f.probesMax}`,
        String(f.minimumP50Ms),
        `${f.latencyP50Ms} / ${f.latencyP95Ms} / ${f.latencyMaxMs}`,
        `${f.ratioP50} / ${f.ratioP95} / ${f.ratioMax}`,
        `${f.webhookP50Ms} / ${f.webhookP95Ms} / ${f.webhookMaxMs}`,
        `${ratioText(ratios.created)} / ${ratioText(ratios.webhook)}`,
      ],
      [
        f.database,
        'pipeline',
        `${p.alerted} alerts (${p.duplicated} duplicated, ${p.missed} missed)`,
        `${p.probesMin}–${p.probesMax}`,
        String(p.minimumP50Ms),
        `${p.alertP50Ms} / ${p.alertP95Ms} / ${p.alertMaxMs}`,
        `${p.ratioP50} / ${p.ratioP95} / ${p.ratioMax}`,
        `${p.webhookP50Ms} / ${p.webhookP95Ms} / ${p.webhookMaxMs}`,
        '1×',
      ],
    );
  }
  return [
    '',
    `### Detection beside the pipeline: ${result.pipeline.versions} on the same ${o.outages} outages`,
    '',
    `Scrape interval ${o.intervalMs} ms, one blackbox http module per check (timeout ${o.timeoutMs} ms, status 200, the keyword), rule \`probe_success == 0\` with \`for: ${alertHoldMs(o)}ms\` (${o.failureThreshold} failed probes), evaluation interval 1 s, Alertmanager \`group_wait: 0s\` grouped by check.`,
    '',
    table(
      [
        'database',
        'side',
        'opened',
        'failed probes at confirmation',
        'physical minimum p50 ms',
        'outage → incident / alert p50 / p95 / max ms',
        '÷ own minimum p50 / p95 / max',
        'outage → webhook p50 / p95 / max ms',
        'Sigap p95 ÷ pipeline p95: incident / webhook (goal ≤ 0.5×)',
      ],
      rows,
    ),
    '',
    `Physical minimum — Sigap: the next probe on the check's grid + (failureThreshold − 1) × retryInterval (${o.retryIntervalMs} ms); the pipeline: the next scrape on the target's grid + (failureThreshold − 1) × scrape interval. The alert's time is its startsAt (when Prometheus's rule fired).`,
  ];
}

const databaseName = (kind: DetectionFigure['database']) => (kind === 'postgres' ? 'PostgreSQL' : 'SQLite');

/** The detection goals as summary rows: each figure of each database against its goal, computed from the figures. */
export function detectionGoals(result: DetectionSuiteResult): GoalRow[] {
  const rows: GoalRow[] = [];
  for (const f of result.figures) {
    const database = databaseName(f.database);
    const complete = f.missed === 0 && f.duplicated === 0;
    const ratios = pipelineRatios(f);
    const versus = (figure: string, ratio: number | undefined, sigapMs: number, pipelineMs: number | undefined) =>
      rows.push({
        suite: 'detection',
        figure,
        database,
        value:
          ratio === undefined
            ? `not run (${result.pipeline.ran ? 'no pipeline figure' : result.pipeline.reason})`
            : `${ratioText(ratio)} (Sigap ${sigapMs} ms, pipeline ${pipelineMs} ms)`,
        goal: '≤ 0.5×',
        met: ratio === undefined ? null : Number.isFinite(ratio) && ratio <= 0.5 && complete,
      });
    versus(`outage → incident ÷ the pipeline's outage → alert, p95, ${f.outages} outages`, ratios?.created, f.latencyP95Ms, f.pipeline?.alertP95Ms);
    versus(`outage → webhook ÷ the pipeline's outage → webhook, p95, ${f.outages} outages`, ratios?.webhook, f.webhookP95Ms, f.pipeline?.webhookP95Ms);
    rows.push({
      suite: 'detection',
      figure: `outage → incident ÷ physical minimum, p95, ${f.outages} outages`,
      database,
      value: `${f.ratioP95} (p50 ${f.ratioP50}, max ${f.ratioMax}; ${f.incidents} incidents, ${f.duplicated} duplicated, ${f.missed} missed)`,
      goal: '≤ 1.1',
      met: Number.isFinite(f.ratioP95) && f.ratioP95 <= 1.1 && complete,
    });
    rows.push({
      suite: 'detection',
      figure: 'webhook: commit → first delivery attempt, p95',
      database,
      value: f.notifyP95Ms === null ? 'not measurable (no watchOutbox)' : `${f.notifyP95Ms} ms (p50 ${f.notifyP50Ms} ms, max ${f.notifyMaxMs} ms; ${f.notified} received)`,
      goal: '≤ 50 ms',
      met: f.notifyP95Ms === null ? null : f.notifyP95Ms <= 50,
    });
  }
  return rows;
}
