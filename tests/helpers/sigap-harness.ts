// Starts a whole Sigap (the same startSigap as npm start) on a test database and port 0.
import { pino } from 'pino';
import { parseConfig } from '../../config.js';
import { startSigap, type Sigap, type StartOptions } from '../../main.js';

export const TEST_ADMIN_PASSWORD = 'admin-password-1';
/**
 * A cheap scrypt cost for the many users and log-ins of the tests (the default, N = 2^17, costs
 * 128 MiB and about 0.3 s per hash). tests/detector/accounts proves the default and the rehash.
 */
export const TEST_SCRYPT = { N: 2 ** 12, r: 8, p: 1 };

export interface HarnessOptions {
  databaseUrl: string;
  /** The config file's text (YAML). */
  yaml?: string;
  env?: Record<string, string>;
  start?: StartOptions;
}

export async function startTestSigap(options: HarnessOptions): Promise<Sigap & { announced: string[] }> {
  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    BOOTSTRAP_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    SIGAP_INSTANCE: 'test',
    LOG_LEVEL: 'silent',
    ...options.env,
  };
  const config = parseConfig(options.yaml ?? 'services: []\n', 'test.yaml', env);
  const announced: string[] = [];
  const sigap = await startSigap(config, {
    logger: pino({ level: 'silent' }),
    announce: (line) => announced.push(line),
    scrypt: TEST_SCRYPT,
    ...options.start,
  });
  return Object.assign(sigap, { announced });
}

/** Log in through the JSON API; answers the cookie header and CSRF token for later calls. */
export async function logIn(baseUrl: string, username = 'admin', password = TEST_ADMIN_PASSWORD): Promise<{ cookie: string; csrfToken: string }> {
  const res = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`log-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrfToken };
}
