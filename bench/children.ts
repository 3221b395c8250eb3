// Starting the benchmark's child processes and reading what the kernel says about a process
// (/proc), so a peer written in another language is measured the same way from outside.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The project root (bench/..): children run from there so `--import tsx` resolves. */
export const projectRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Run a bench/*.ts entry in a fresh Node process through tsx's loader (one process, unlike the
 * tsx CLI, which would put a second Node between us and the process we measure).
 */
export function spawnTsx(entry: string, args: readonly string[], nodeFlags: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, '--import', 'tsx', join(projectRoot, 'bench', entry), ...args], {
    cwd: projectRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** Run a built entry (`dist/bench/….js`) in a fresh Node process: no loader, as `node dist/main.js` runs. */
export function spawnBuilt(entry: string, args: readonly string[], nodeFlags: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, join(projectRoot, 'dist', 'bench', entry), ...args], {
    cwd: projectRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** The first line the child prints on stdout, parsed as JSON; rejects if it exits first. */
export function firstJsonLine<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) => reject(new Error(`${what} exited (code ${code}) before reporting`));
    child.once('exit', onExit);
    lines.once('line', (line) => {
      child.off('exit', onExit);
      lines.close();
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`${what} printed something that is not JSON: ${line.slice(0, 200)}`));
      }
    });
  });
}

export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await waitForExit(child);
  clearTimeout(timer);
}

let clockTicks: number | null = null;

/** Kernel clock ticks per second (`getconf CLK_TCK`), the unit of utime/stime in /proc/<pid>/stat. */
export function clockTicksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** A process's fields from /proc/<pid>/stat, counted after the `(comm)` field, which may hold spaces. */
function statFields(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** User + system CPU seconds the process has used so far (its threads included). */
export function processCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  // After "(comm) ": state is field 3 of stat(5), so utime (14) and stime (15) are at 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond();
}

export function parentPid(pid: number): number {
  return Number(statFields(pid)[1]);
}

/** Peak resident set size in bytes (VmHWM), or null once the process is gone. */
export function peakRssBytes(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
