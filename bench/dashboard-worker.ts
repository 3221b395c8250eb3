// Child process: Sigap's dashboard, first alone and then beside the probes in one process, for
// the orchestrator to time a page idle and under probe load (dashboard-load.ts). Phase `idle`:
// Sigap started as main.ts starts it with SIGAP_ROLE=web on the generated sigap.yaml of N checks
// (nothing probes). Phase `loaded`: stopped, then started again with SIGAP_ROLE=all on the same
// database — leases, scheduler, probes, batcher, detector and the web app on one event loop, as
// the default deployment runs.
//
// Usage: node --import tsx bench/dashboard-worker.ts --checks 2000 --interval 20 --ports 4001,4002 --database sqlite:/tmp/x.db
// Prints one JSON line (DashboardPhase) per phase on stdout and waits for a line on stdin before
// the next; stdin closed: it stops and exits.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { parseConfig } from '../config.js';
import { startSigap, type Sigap } from '../main.js';
import { DASHBOARD_PASSWORD, type DashboardPhase } from './dashboard-load.js';
import { benchConfigYaml } from './fixture.js';

// As probe-worker.ts: `node dist/main.js` runs without source-mapped stack traces.
process.setSourceMapsEnabled(false);

const { values } = parseArgs({
  options: {
    checks: { type: 'string' },
    ports: { type: 'string' },
    database: { type: 'string' },
    interval: { type: 'string', default: '10' },
    lifetime: { type: 'string', default: '600' },
  },
});
const checks = Number(values.checks);
const intervalS = Number(values.interval);
const ports = (values.ports ?? '').split(',').map(Number);
const yaml = benchConfigYaml(checks, ports, intervalS);
setTimeout(() => process.exit(3), Number(values.lifetime) * 1000).unref();

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
let sigap: Sigap | null = null;

async function phase(phase: DashboardPhase['phase'], role: 'web' | 'all'): Promise<boolean> {
  const env = {
    DATABASE_URL: values.database,
    PORT: '0',
    HOST: '127.0.0.1',
    SIGAP_ROLE: role,
    BOOTSTRAP_ADMIN_PASSWORD: DASHBOARD_PASSWORD,
    LOG_LEVEL: 'silent',
    SIGAP_INSTANCE: 'bench',
  };
  sigap = await startSigap(parseConfig(yaml, 'bench.yaml', env), { logger: pino({ level: 'silent' }), announce: () => {} });
  process.stdout.write(`${JSON.stringify({ phase, url: sigap.url! } satisfies DashboardPhase)}\n`);
  const next = await lines.next();
  await Promise.race([sigap.stop(), new Promise((resolve) => setTimeout(resolve, 15_000))]);
  sigap = null;
  return !next.done;
}

if (await phase('idle', 'web')) await phase('loaded', 'all');
process.exit(0);
