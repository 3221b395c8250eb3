// Drives the exporter as Prometheus would, one `/probe` per check per interval, at the rate of
// Sigap's run (N / interval per second, spread evenly), and measures the exporter from outside
// (/proc) over the same kind of window. The driver's own cost is in this process: not counted.
import { Agent, get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { peakRssBytes, processCpuSeconds } from './children.js';
import type { RunningExporter } from './blackbox-exporter.js';
import { targetUrl } from './fixture.js';

export interface BlackboxReport {
  checks: number;
  windowS: number;
  offeredPerS: number;
  completed: number;
  completedPerS: number;
  /** Probes answered with probe_success 0, or /probe requests that failed. */
  failed: number;
  firstFailure: string | null;
  /** Probes not sent because too many were still waiting on the exporter. */
  skipped: number;
  /** Time from sending /probe to its answer: the probe plus the exporter's queueing. */
  durationP50Ms: number;
  durationP99Ms: number;
  cpuS: number;
  cpuSPer1000: number;
  cores: number;
  peakRssBytes: number;
}

export interface DriveOptions {
  exporter: RunningExporter;
  ports: readonly number[];
  checks: number;
  intervalS: number;
  warmupS: number;
  windowS: number;
}

// More outstanding /probe requests than this means the exporter has fallen behind; sending more
// would only measure our own queue.
const MAX_IN_FLIGHT = 2000;

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

export async function driveExporter(options: DriveOptions): Promise<BlackboxReport> {
  const { exporter, ports, checks, intervalS, warmupS, windowS } = options;
  const rate = checks / intervalS;
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const start = performance.now();
  const windowStart = start + warmupS * 1000;
  const windowEnd = windowStart + windowS * 1000;
  const inWindow = (t: number) => t >= windowStart && t < windowEnd;
  const tally = { completed: 0, failed: 0, skipped: 0, firstFailure: null as string | null, durations: [] as number[] };
  let issued = 0;
  let inFlight = 0;

  const probe = (index: number): void => {
    const sentAt = performance.now();
    if (inFlight >= MAX_IN_FLIGHT) {
      if (inWindow(sentAt)) tally.skipped++;
      return;
    }
    inFlight++;
    const done = (ok: boolean, why: string) => {
      inFlight--;
      const at = performance.now();
      if (!inWindow(at)) return;
      tally.completed++;
      tally.durations.push(at - sentAt);
      if (!ok) {
        tally.failed++;
        tally.firstFailure ??= why;
      }
    };
    const path = `/probe?module=http_2xx&target=${encodeURIComponent(targetUrl(index, ports))}`;
    get({ host: '127.0.0.1', port: exporter.port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        done(res.statusCode === 200 && /^probe_success 1$/m.test(body), `status ${res.statusCode}: ${body.slice(0, 200)}`);
      });
      res.on('error', (err) => done(false, err.message));
    }).on('error', (err) => done(false, err.message));
  };

  let cpuAtStart = 0;
  let cpuAtEnd = 0;
  await new Promise<void>((resolve) => {
    // A 5 ms tick sends whatever is due, so the rate holds without a timer per request.
    const tick = setInterval(() => {
      const now = performance.now();
      if (cpuAtStart === 0 && now >= windowStart) cpuAtStart = processCpuSeconds(exporter.pid);
      if (now >= windowEnd) {
        cpuAtEnd = processCpuSeconds(exporter.pid);
        clearInterval(tick);
        resolve();
        return;
      }
      const due = Math.floor(((now - start) / 1000) * rate);
      while (issued < due) probe(issued++ % checks);
    }, 5);
  });
  const peak = peakRssBytes(exporter.pid) ?? 0;
  agent.destroy();

  const cpuS = cpuAtEnd - cpuAtStart;
  const sorted = tally.durations.sort((a, b) => a - b);
  return {
    checks,
    windowS,
    offeredPerS: rate,
    completed: tally.completed,
    completedPerS: tally.completed / windowS,
    failed: tally.failed,
    firstFailure: tally.firstFailure,
    skipped: tally.skipped,
    durationP50Ms: percentile(sorted, 0.5),
    durationP99Ms: percentile(sorted, 0.99),
    cpuS,
    cpuSPer1000: tally.completed > 0 ? (cpuS / tally.completed) * 1000 : 0,
    cores: cpuS / windowS,
    peakRssBytes: peak,
  };
}
