// The demo's promise, end to end: Sigap with demo/sigap.demo.yaml watches the stand-ins; a site
// switched into a compromised mode raises one security incident within one integrity interval
// (the next run, then the retry that confirms it), while the site's http check stays quiet — it
// still sees the right text and form — and clean runs mark it restored. On SQLite and on PostgreSQL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type CheckConfig } from '../../config.js';
import { startStandInSites, type SiteName, type StandInSites } from '../../demo/stand-in-sites.js';
import { projectRoot, startSigap, type Sigap } from '../../main.js';
import { logIn, TEST_ADMIN_PASSWORD, TEST_SCRYPT } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { waitFor } from '../helpers/wait.js';

const DEMO_CONFIG = join(projectRoot(), 'demo', 'sigap.demo.yaml');
const INTEGRITY_CHECK_OF: Record<SiteName, string> = { skm: 'skm-integrity', pengaduan: 'pengaduan-integrity' };

interface IncidentJson {
  ref: string;
  check: string | null;
  status: string;
  priority: string;
  category: string;
  subcategory: string;
  failureKind: string;
  serviceRestoredAt: string | null;
}

/** The demo's configuration with the stand-ins' fixed ports moved to this suite's port-0 ones. */
function demoYamlFor(sites: StandInSites): string {
  const origins: Record<string, string> = {
    'http://127.0.0.1:18080': new URL(sites.controlUrl).origin,
    'http://127.0.0.1:18081': new URL(sites.skmUrl).origin,
    'http://127.0.0.1:18082': new URL(sites.pengaduanUrl).origin,
  };
  return readFileSync(DEMO_CONFIG, 'utf8').replace(/http:\/\/127\.0\.0\.1:1808[0-2]/g, (origin) => origins[origin]!);
}

/**
 * How long "within one integrity interval" may take after the switch, from the check's own
 * settings: the next run is at most one interval away, each failed run is re-checked after
 * retryInterval until failureThreshold runs agree, and each run takes at most its timeout. Plus
 * 2 s for writing the result and the incident.
 */
const withinOneInterval = (check: CheckConfig): number => check.intervalMs + (check.failureThreshold - 1) * check.retryIntervalMs + check.failureThreshold * check.timeoutMs + 2000;

describe.each(testDatabaseKinds())('the demo on $name: a compromised stand-in raises a security incident', (kind) => {
  let sites: StandInSites;
  let database: TestDatabase;
  let sigap: Sigap;
  let cookie: string;
  const checks = new Map<string, CheckConfig>();

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${sigap.url}${path}`, { headers: { cookie } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const openIncidents = async () => (await api<{ items: IncidentJson[] }>('/api/incidents?status=new,assigned,escalated,pending')).items;
  const latestStatus = async (check: string) => (await api<{ items: Array<{ status: string }> }>(`/api/checks/${check}/results?limit=1`)).items[0]?.status;

  beforeAll(async () => {
    sites = await startStandInSites({ skmPort: 0, pengaduanPort: 0, controlPort: 0 });
    database = await kind.create();
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      BOOTSTRAP_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      SIGAP_INSTANCE: 'test',
      LOG_LEVEL: 'silent',
    };
    // Parsed as the demo's own file, so its relative calendar paths resolve as in `npm run demo`.
    const config = parseConfig(demoYamlFor(sites), DEMO_CONFIG, env);
    for (const check of config.services.flatMap((service) => service.checks)) checks.set(check.key, check);
    sigap = await startSigap(config, { logger: pino({ level: 'silent' }), announce: () => undefined, scrypt: TEST_SCRYPT });
    ({ cookie } = await logIn(sigap.url!));
  });

  afterAll(async () => {
    await sigap?.stop();
    await sites?.stop();
    await database?.drop();
  });

  it('judges the clean stand-ins clean: both integrity checks up, no incident', async () => {
    for (const site of ['skm', 'pengaduan'] as const) {
      const key = INTEGRITY_CHECK_OF[site];
      const check = checks.get(key);
      expect(check?.type, key).toBe('integrity');
      await waitFor(`${key} to judge the clean site up`, async () => ((await latestStatus(key)) === 'up' ? true : undefined), withinOneInterval(check!));
    }
    expect(await openIncidents()).toEqual([]);
  }, 120_000);

  it('opens one security incident per compromised site within one integrity interval: cloaking for SKM (P2), hidden gambling links for the complaint site (P1)', async () => {
    await sites.setMode('skm', 'judi-crawler-only');
    await sites.setMode('pengaduan', 'judi-hidden-links');
    const switchedAt = Date.now();
    const bound = Math.max(...Object.values(INTEGRITY_CHECK_OF).map((key) => withinOneInterval(checks.get(key)!)));
    const incidents = await waitFor(
      'an incident for each compromised site',
      async () => {
        const open = await openIncidents();
        return Object.values(INTEGRITY_CHECK_OF).every((key) => open.some((i) => i.check === key)) ? open : undefined;
      },
      bound,
      250,
    );
    console.info(`[${kind.name}] both incidents open ${Date.now() - switchedAt} ms after the switch (bound ${bound} ms)`);
    // The http checks still see the right page and form: the integrity checks are the ones that notice.
    expect(incidents.map((i) => i.check).sort()).toEqual(['pengaduan-integrity', 'skm-integrity']);
    expect(incidents.find((i) => i.check === 'skm-integrity')).toMatchObject({
      status: 'new',
      category: 'security',
      subcategory: 'cloaking',
      failureKind: 'cloaking',
      priority: 'P2',
    });
    const complaint = incidents.find((i) => i.check === 'pengaduan-integrity')!;
    expect(complaint).toMatchObject({ status: 'new', category: 'security', priority: 'P1' });
    // Hidden links to a foreign domain are injected content, though their new domain is also drift
    // from the baseline recorded from the clean page.
    expect(complaint).toMatchObject({ failureKind: 'injected_content', subcategory: 'injected-content' });
  }, 180_000);

  it('marks both incidents restored, and leaves them open for a person, once the sites are clean again and re-checked clean', async () => {
    await sites.setMode('skm', 'normal');
    await sites.setMode('pengaduan', 'normal');
    // successThreshold clean runs, one interval apart, each within its timeout.
    const bound = Math.max(
      ...Object.values(INTEGRITY_CHECK_OF).map((key) => {
        const check = checks.get(key)!;
        return check.successThreshold * (check.intervalMs + check.timeoutMs) + 2000;
      }),
    );
    const restored = await waitFor(
      'both integrity incidents restored',
      async () => {
        const open = (await openIncidents()).filter((i) => i.check !== null && Object.values(INTEGRITY_CHECK_OF).includes(i.check));
        return open.length === 2 && open.every((i) => i.serviceRestoredAt !== null) ? open : undefined;
      },
      bound,
      250,
    );
    for (const incident of restored) expect(incident.status).toBe('new');
  }, 180_000);
});
