// `npm run demo`: the five-minute tour. Starts the stand-in SKM and complaint sites on loopback,
// then a whole Sigap (the same startSigap as `npm start`) watching them.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { loadConfigOrExit, projectRoot, startSigap, stopOnSignals, type Sigap } from '../main.js';
import { startStandInSites, type StandInSites } from './stand-in-sites.js';

export const DEMO_PORTS = { control: 18080, skm: 18081, pengaduan: 18082 } as const;
export const DEMO_ADMIN_PASSWORD = 'sigap-demo-admin';

/** A copy of `env` with the demo's defaults filled in where the user set nothing. */
export function demoEnvironment(env: NodeJS.ProcessEnv, root: string): NodeJS.ProcessEnv {
  const defaults: Record<string, string> = {
    SIGAP_CONFIG: join(root, 'demo', 'sigap.demo.yaml'),
    DATABASE_URL: 'sqlite:./data/demo.db',
    BOOTSTRAP_ADMIN_PASSWORD: DEMO_ADMIN_PASSWORD,
  };
  const result = { ...env };
  for (const [name, value] of Object.entries(defaults)) {
    if (!result[name]) result[name] = value;
  }
  return result;
}

function banner(sigap: Sigap, sites: StandInSites, passwordFromUser: boolean): string {
  const password = passwordFromUser ? 'the one in BOOTSTRAP_ADMIN_PASSWORD' : DEMO_ADMIN_PASSWORD;
  return `
Sigap demo is running. The stand-in sites listen on 127.0.0.1 only; nothing leaves this machine.

  Dashboard      ${sigap.url ?? '(none: SIGAP_ROLE=worker)'}   user admin, password ${password}
  Control page   ${sites.controlUrl}
  Stand-ins      SKM ${sites.skmUrl}   pengaduan ${sites.pengaduanUrl}

Try this:
  1. On the control page, set the SKM site to "stopped" (its port now refuses connections).
  2. Within about 10 s + 2x2 s + 3 s an incident opens on the dashboard: network / connection, P2.
  3. Set SKM back to "normal": after two good probes the incident shows "pulih" (restored).
  Then try error, maintenance, slow and broken-form, or the complaint site (high impact: P1).
  4. Set a site to "judi-crawler-only" (a gambling page only search engines see): within 30 s
     its integrity check opens a security / cloaking incident. The playbook is on /sop.
  The admin password applies to a new database only (DATABASE_URL, default ./data/demo.db).

Ctrl+C stops everything.
`;
}

export async function runDemo(): Promise<void> {
  const env = demoEnvironment(process.env, projectRoot());
  const config = loadConfigOrExit(env, 'sigap demo');
  const logger = pino({ level: config.logLevel });
  const dashboardHost = config.host.includes(':') ? `[${config.host}]` : config.host;

  let sites: StandInSites | null = null;
  let sigap: Sigap | null = null;
  try {
    sites = await startStandInSites({
      skmPort: DEMO_PORTS.skm,
      pengaduanPort: DEMO_PORTS.pengaduan,
      controlPort: DEMO_PORTS.control,
      dashboardUrl: `http://${dashboardHost}:${config.port}/`,
    });
    sigap = await startSigap(config, { logger });
  } catch (err) {
    logger.fatal({ err }, 'the demo could not start (is another demo already running on ports 18080-18082 or 3000?)');
    await sites?.stop();
    process.exit(1);
  }
  process.stdout.write(banner(sigap, sites, Boolean(process.env.BOOTSTRAP_ADMIN_PASSWORD)));

  stopOnSignals(logger, () => Promise.all([sigap.stop(), sites.stop()]));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runDemo();
}
