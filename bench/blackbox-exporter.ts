// The peer: prometheus-blackbox-exporter from Debian, started by us alone, on 127.0.0.1, with a
// generated config whose one module probes like Sigap's checks do. Never the system service: the
// package is installed with services held from starting, and the instance we start is bounded by
// coreutils `timeout`, so it stops by itself even if the benchmark is killed.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPid, sleep, stopChild } from './children.js';
import { ensureDebianPackage } from './debian-package.js';
import { KEYWORD } from './fixture.js';

export const EXPORTER_PATH = '/usr/bin/prometheus-blackbox-exporter';
const PACKAGE = 'prometheus-blackbox-exporter';
export type ExporterAvailability = { available: true; version: string } | { available: false; reason: string };

/** Install the Debian package when missing and we are root; otherwise say how and skip. */
export function ensureExporter(progress: (line: string) => void): ExporterAvailability {
  const installed = ensureDebianPackage(PACKAGE, EXPORTER_PATH, progress);
  if (!installed.installed) return { available: false, reason: installed.reason };
  const others = exporterPids();
  if (others.length > 0) progress(`note: another blackbox exporter is running (pid ${others.join(', ')}); it is not ours and is not measured`);
  let version = 'unknown version';
  try {
    const out = execFileSync(EXPORTER_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    version = /version (\S+)/.exec(out)?.[1] ?? version;
  } catch (err) {
    version = /version (\S+)/.exec(String((err as { stderr?: string }).stderr))?.[1] ?? version;
  }
  return { available: true, version };
}

/** Pids of running exporters (comm is cut to 15 characters by the kernel). */
function exporterPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() === 'prometheus-blac') pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The module Sigap's checks correspond to: GET, any 2xx, the keyword in the body, IPv4, 5 s. */
function exporterConfig(): string {
  return [
    'modules:',
    '  http_2xx:',
    '    prober: http',
    '    timeout: 5s',
    '    http:',
    '      method: GET',
    '      preferred_ip_protocol: ip4',
    '      ip_protocol_fallback: false',
    `      fail_if_body_not_matches_regexp: ["${KEYWORD}"]`,
    '',
  ].join('\n');
}

export interface RunningExporter {
  /** The exporter's own pid (not timeout's), for /proc. */
  pid: number;
  port: number;
  stop(): Promise<void>;
}

export async function startExporter(lifetimeS: number): Promise<RunningExporter> {
  const dir = mkdtempSync(join(tmpdir(), 'sigap-bench-bbe-'));
  const configFile = join(dir, 'blackbox.yml');
  writeFileSync(configFile, exporterConfig());
  const port = await freePort();
  const args = [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
  const child: ChildProcess = spawn('timeout', ['--kill-after=5', String(lifetimeS), EXPORTER_PATH, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pid = await childOf(child.pid!);
    await waitHealthy(port);
    return { pid, port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The exporter is timeout's only child; /proc/<pid>/task/<pid>/children is not always there. */
async function childOf(parent: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const pid = exporterPids().find((p) => {
      try {
        return parentPid(p) === parent;
      } catch {
        return false;
      }
    });
    if (pid !== undefined) return pid;
    await sleep(50);
  }
  throw new Error('prometheus-blackbox-exporter did not start');
}

async function waitHealthy(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/-/healthy`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`prometheus-blackbox-exporter did not answer on 127.0.0.1:${port}`);
}
