// Sigap as a real child process, started exactly as production starts it (`node --import tsx
// main.ts` in the project root, configured only through the environment), plus a stand-in site
// on 127.0.0.1 that can be stopped (connections refused) and started again on its port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PROCESS_ADMIN_PASSWORD = 'admin-password-1';

export interface LogLine {
  msg?: string;
  level?: number;
  [key: string]: unknown;
}

export interface SigapProcessOptions {
  /** SIGAP_INSTANCE: recorded on every probe result. */
  instance: string;
  databaseUrl: string;
  configPath: string;
  role?: 'all' | 'web' | 'worker';
  env?: Record<string, string>;
}

/** Every child started and not yet seen to exit, so a failed test can still kill them. */
const running = new Set<SigapProcess>();

export class SigapProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  /** stdout lines that were not JSON, and all of stderr: shown when something goes wrong. */
  readonly text: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitStatus: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(readonly options: SigapProcessOptions) {
    // A minimal environment, as a service manager would give it: nothing of the test runner's.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      SIGAP_CONFIG: options.configPath,
      DATABASE_URL: options.databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      SIGAP_ROLE: options.role ?? 'worker',
      SIGAP_INSTANCE: options.instance,
      BOOTSTRAP_ADMIN_PASSWORD: PROCESS_ADMIN_PASSWORD,
      LOG_LEVEL: 'info',
      ...options.env,
    };
    this.child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this);
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        this.text.push(line);
      }
      this.notify();
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.text.push(`stderr: ${line}`);
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        running.delete(this);
        this.notify();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** What the process said, for failure messages. */
  transcript(): string {
    const lines = [...this.logs.map((l) => JSON.stringify(l)), ...this.text];
    return `--- sigap ${this.options.instance} (pid ${this.child.pid}, exit ${JSON.stringify(this.exitStatus)}) ---\n${lines.slice(-40).join('\n')}`;
  }

  /** Resolve with the first log line with this `msg`; fail if the process exits or time runs out. */
  waitForLog(msg: string, timeoutMs = 15_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.logs.find((l) => l.msg === msg);
        if (found) return done(() => resolve(found));
        if (this.exitStatus) return done(() => reject(new Error(`sigap ${this.options.instance} exited before logging "${msg}"\n${this.transcript()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for sigap ${this.options.instance} to log "${msg}"\n${this.transcript()}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** SIGTERM, as a service manager stops it; answers how it exited. */
  async stop(timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exitStatus) this.child.kill('SIGTERM');
    return withTimeout(this.exited, timeoutMs, `sigap ${this.options.instance} to exit after SIGTERM`);
  }

  /** kill -9: no shutdown code runs. */
  async kill(): Promise<void> {
    if (!this.exitStatus) this.child.kill('SIGKILL');
    await withTimeout(this.exited, 15_000, `sigap ${this.options.instance} to die after SIGKILL`);
  }
}

/** Start a Sigap process and wait until it logs "probing started". */
export async function startSigapProcess(options: SigapProcessOptions): Promise<SigapProcess> {
  const sigap = new SigapProcess(options);
  try {
    await sigap.waitForLog('probing started', 30_000);
  } catch (err) {
    await sigap.kill();
    throw err;
  }
  return sigap;
}

/** kill -9 every child still running (cleanup after a failed test); answers how many there were. */
export async function killLeftoverProcesses(): Promise<number> {
  const leftovers = [...running];
  await Promise.all(leftovers.map((p) => p.kill()));
  return leftovers.length;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A stand-in site on 127.0.0.1 that can be stopped (connections refused) and started again on its port. */
export class StandInSite {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly page = '<html><body><h1>Survei Kepuasan Masyarakat</h1></body></html>') {}

  async start(): Promise<void> {
    const server = createServer((_req, res) => res.end(this.page));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }
}
