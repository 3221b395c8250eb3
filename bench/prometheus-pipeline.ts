// The pipeline people would otherwise build, for the detection suite: Prometheus scraping
// blackbox_exporter, an alert rule `probe_success == 0` held for `for:`, Alertmanager sending a
// webhook — all three from Debian's packages, each our own instance on a free 127.0.0.1 port with
// its own temporary directory, under coreutils `timeout` (it stops by itself even if the benchmark
// is killed), and removed at the end. Never the system services: the packages are installed with
// services held from starting. Alertmanager runs without its cluster (no gossip port, no settle).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep, stopChild } from './children.js';
import { ensureDebianPackage } from './debian-package.js';
import { freePort } from './blackbox-exporter.js';
import { KEYWORD } from './fixture.js';

const BINARIES = {
  prometheus: { pkg: 'prometheus', path: '/usr/bin/prometheus' },
  blackbox: { pkg: 'prometheus-blackbox-exporter', path: '/usr/bin/prometheus-blackbox-exporter' },
  alertmanager: { pkg: 'prometheus-alertmanager', path: '/usr/bin/prometheus-alertmanager' },
} as const;

export type PipelineAvailability = { available: true; versions: string } | { available: false; reason: string };

/** The confirmation both sides get: Sigap's checks' interval, timeout and failureThreshold. */
export interface PipelineSettings {
  intervalMs: number;
  timeoutMs: number;
  failureThreshold: number;
}

/** One stand-in path, named by Sigap's check key. */
export interface PipelineTarget {
  check: string;
  url: string;
}

/**
 * `for:` of the alert rule. Scraped every interval, N failed probes span (N − 1) intervals: the
 * rule's series appears at the first evaluation after the first failed probe (activeAt) and fires
 * at the first evaluation at least `for:` later (Prometheus compares with ≥), which, with the
 * evaluation interval dividing the scrape interval, is the evaluation after the N-th failed probe.
 */
export function alertHoldMs(s: PipelineSettings): number {
  return (s.failureThreshold - 1) * s.intervalMs;
}

const moduleName = (check: string) => `http_${check}`;

/** One http module per target, probing as Sigap's check does: GET, status 200, the keyword, Sigap's timeout. */
export function blackboxConfig(targets: readonly PipelineTarget[], s: PipelineSettings): string {
  const lines = ['modules:'];
  for (const t of targets) {
    lines.push(
      `  ${moduleName(t.check)}:`,
      '    prober: http',
      `    timeout: ${s.timeoutMs}ms`,
      '    http:',
      '      method: GET',
      '      valid_status_codes: [200]',
      '      preferred_ip_protocol: ip4',
      '      ip_protocol_fallback: false',
      `      fail_if_body_not_matches_regexp: ["${KEYWORD}"]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function prometheusConfig(targets: readonly PipelineTarget[], s: PipelineSettings, ports: { blackbox: number; alertmanager: number }, ruleFile: string): string {
  const lines = [
    'global:',
    `  scrape_interval: ${s.intervalMs}ms`,
    `  scrape_timeout: ${s.intervalMs}ms`,
    '  evaluation_interval: 1s',
    'rule_files:',
    `  - ${JSON.stringify(ruleFile)}`,
    'alerting:',
    '  alertmanagers:',
    '    - static_configs:',
    `        - targets: ["127.0.0.1:${ports.alertmanager}"]`,
    'scrape_configs:',
    '  - job_name: blackbox',
    '    metrics_path: /probe',
    '    static_configs:',
  ];
  for (const t of targets)
    lines.push(`      - targets: [${JSON.stringify(t.url)}]`, `        labels: { check: ${JSON.stringify(t.check)}, __param_module: ${JSON.stringify(moduleName(t.check))} }`);
  lines.push(
    '    relabel_configs:',
    '      - { source_labels: [__address__], target_label: __param_target }',
    '      - { source_labels: [__param_target], target_label: instance }',
    `      - { target_label: __address__, replacement: "127.0.0.1:${ports.blackbox}" }`,
  );
  return `${lines.join('\n')}\n`;
}

export function alertRules(s: PipelineSettings): string {
  return [
    'groups:',
    '  - name: detection',
    '    interval: 1s',
    '    rules:',
    '      - alert: ProbeFailing',
    '        expr: probe_success == 0',
    `        for: ${alertHoldMs(s)}ms`,
    '',
  ].join('\n');
}

/** Each check its own group (each outage notifies alone), sent at once; no repeats or resolutions while measured. */
export function alertmanagerConfig(hookUrl: string): string {
  return [
    'route:',
    '  receiver: hook',
    '  group_by: [check]',
    '  group_wait: 0s',
    '  group_interval: 1m',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: hook',
    '    webhook_configs:',
    `      - { url: ${JSON.stringify(hookUrl)}, send_resolved: false }`,
    '',
  ].join('\n');
}

function version(path: string): string {
  let out: string;
  try {
    out = execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    out = String((err as { stderr?: string }).stderr ?? '');
  }
  return /version (\S+)/.exec(out)?.[1] ?? 'unknown version';
}

/** Install the three packages when missing (as root; services held from starting), or say why not. */
export function ensurePipeline(progress: (line: string) => void): PipelineAvailability {
  for (const { pkg, path } of Object.values(BINARIES)) {
    const installed = ensureDebianPackage(pkg, path, progress);
    if (!installed.installed) return { available: false, reason: installed.reason };
  }
  const v = (name: keyof typeof BINARIES) => version(BINARIES[name].path);
  return { available: true, versions: `Prometheus ${v('prometheus')}, blackbox_exporter ${v('blackbox')}, Alertmanager ${v('alertmanager')}` };
}

interface Bounded {
  child: ChildProcess;
  log: string;
}

function startBounded(dir: string, name: string, path: string, args: string[], lifetimeS: number): Bounded {
  const log = join(dir, `${name}.log`);
  const fd = openSync(log, 'a');
  try {
    const child = spawn('timeout', ['--kill-after=5', String(lifetimeS), path, ...args], { stdio: ['ignore', fd, fd] });
    return { child, log };
  } finally {
    closeSync(fd);
  }
}

async function waitReady(url: string, what: Bounded, name: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (what.child.exitCode !== null) break;
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  let tail = '';
  try {
    tail = readFileSync(what.log, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    // no log
  }
  throw new Error(`${name} did not become ready at ${url}${tail ? `: ${tail}` : ''}`);
}

export interface RunningPipeline {
  stop(): Promise<void>;
}

/** Start Alertmanager, blackbox_exporter and Prometheus (in that order) and wait until each is ready. */
export async function startPipeline(targets: readonly PipelineTarget[], s: PipelineSettings, hookUrl: string, lifetimeS: number): Promise<RunningPipeline> {
  const dir = mkdtempSync(join(tmpdir(), 'sigap-bench-pipeline-'));
  const started: Bounded[] = [];
  const stop = async () => {
    // Prometheus first, so nothing scrapes or notifies into a stopped peer.
    for (const b of [...started].reverse()) await stopChild(b.child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports = { alertmanager: await freePort(), blackbox: await freePort(), prometheus: await freePort() };
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const amConfig = file('alertmanager.yml', alertmanagerConfig(hookUrl));
    const bbConfig = file('blackbox.yml', blackboxConfig(targets, s));
    const rules = file('rules.yml', alertRules(s));
    const promConfig = file('prometheus.yml', prometheusConfig(targets, s, ports, rules));

    const am = startBounded(
      dir,
      'alertmanager',
      BINARIES.alertmanager.path,
      [
        `--config.file=${amConfig}`,
        `--storage.path=${join(dir, 'alertmanager')}`,
        `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      lifetimeS,
    );
    started.push(am);
    await waitReady(`http://127.0.0.1:${ports.alertmanager}/-/ready`, am, 'Alertmanager');
    const bb = startBounded(
      dir,
      'blackbox',
      BINARIES.blackbox.path,
      [`--config.file=${bbConfig}`, `--web.listen-address=127.0.0.1:${ports.blackbox}`, '--log.level=warn'],
      lifetimeS,
    );
    started.push(bb);
    await waitReady(`http://127.0.0.1:${ports.blackbox}/-/healthy`, bb, 'blackbox_exporter');
    const prom = startBounded(
      dir,
      'prometheus',
      BINARIES.prometheus.path,
      [`--config.file=${promConfig}`, `--storage.tsdb.path=${join(dir, 'prometheus')}`, `--web.listen-address=127.0.0.1:${ports.prometheus}`, '--log.level=warn'],
      lifetimeS,
    );
    started.push(prom);
    await waitReady(`http://127.0.0.1:${ports.prometheus}/-/ready`, prom, 'Prometheus');
    return { stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** One alert as Alertmanager's webhook delivered it: the check, when it arrived, and the alert's startsAt (Prometheus's firing time). */
export interface AlertArrival {
  check: string;
  at: number;
  startsAt: number;
}

/** The pipeline's webhook receiver (node:http on 127.0.0.1, port 0): every alert of every delivery. */
export async function startAlertReceiver(): Promise<{ url: string; alerts: AlertArrival[]; server: Server }> {
  const alerts: AlertArrival[] = [];
  const server = createServer((req, res) => {
    const at = Date.now();
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      try {
        const body = JSON.parse(text) as { alerts?: Array<{ status?: string; labels?: { check?: string }; startsAt?: string }> };
        for (const a of body.alerts ?? []) {
          if (a.status === 'firing' && a.labels?.check && a.startsAt) alerts.push({ check: a.labels.check, at, startsAt: Date.parse(a.startsAt) });
        }
      } catch {
        // not Alertmanager's body: not counted
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, alerts, server };
}
