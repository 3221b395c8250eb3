// A vendor opens only incidents escalated to its level (2). Here it tries every read path for two
// level-0 incidents — a probe incident that a later level-2 incident of the same check recurs, and
// a manual one whose resolution a level-2 incident is offered — and finds nothing of them: no ref,
// no title, no resolution notes, no known error recorded from them. The same paths read as an
// admin show all of it, so the test cannot pass by reading nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, REPORT, type Caller } from '../helpers/incident-api.js';
import { startHttpServer, stopAllServers, type LocalServer } from '../helpers/local-servers.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { waitFor } from '../helpers/wait.js';

type Started = Awaited<ReturnType<typeof startTestSigap>>;
type Who = 'vendor' | 'admin';

const TO_VENDOR = ['escalate', { level: 2, note: 'to the vendor' }] as const;
const HIDDEN = {
  manualTitle: 'Rahasia kantor: formulir SKM bocor',
  manualNotes: 'catatan-rahasia-manual: reset the SKM admin password',
  probeNotes: 'catatan-rahasia-probe: restarted the gateway behind the firewall',
  manualKnownError: 'KE-rahasia-manual',
  probeKnownError: 'KE-rahasia-probe',
};

describe.each(testDatabaseKinds())('a vendor reading every path for a level-0 incident, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Started;
  let site: LocalServer;
  let failing = true;
  const callers = {} as Record<Who, Caller>;
  const sessions = {} as Record<Who, { cookie: string }>;
  const tokens = {} as Record<Who, string>;
  // Level 0: hidden from the vendor. Level 2: open to it, and each points at a hidden one.
  let hiddenProbe: string;
  let hiddenManual: string;
  let visibleProbe: string;
  let visibleManual: string;

  const probeIncidents = async () =>
    ((await callers.admin.call('GET', '/api/incidents?service=pengaduan&limit=200')).json.items as Array<{ ref: string; source: string; serviceRestoredAt: string | null }>).filter(
      (i) => i.source === 'probe',
    );

  beforeAll(async () => {
    site = await startHttpServer((_req, res) => {
      res.statusCode = failing ? 503 : 200;
      res.end(failing ? 'down' : 'Pengaduan');
    });
    database = await kind.create();
    sigap = await startTestSigap({
      databaseUrl: database.url,
      yaml: `${INCIDENT_TEST_YAML}    checks:
      - { key: pengaduan-form, type: http, url: "http://127.0.0.1:${site.port}/", interval: 1s, timeout: 900ms, retryInterval: 100ms, failureThreshold: 1, successThreshold: 1 }
policy: { reopenWindow: 1ms }
`,
      start: { slaSweepMs: 0, dispatchMs: 0 },
    });
    for (const who of ['vendor', 'admin'] as const) {
      callers[who] = await callerFor(sigap, who, who);
      sessions[who] = await logIn(sigap.url!, who, who === 'admin' ? undefined : `${who}-password`);
      const user = (await sigap.db.stores.accounts.findUserByUsername(who))!;
      tokens[who] = (await sigap.accounts.createToken(user, `${who}-reads`)).token;
    }
    const admin = callers.admin;

    // The probe pair: a failure (level 0), restored and resolved, then the same failure again — a
    // new incident linked to the first, escalated to the vendor.
    hiddenProbe = await waitFor('the first failure opens an incident', async () => (await probeIncidents())[0]?.ref);
    failing = false;
    await waitFor('the site is restored', async () => (await probeIncidents()).find((i) => i.ref === hiddenProbe && i.serviceRestoredAt !== null));
    await drive(admin, hiddenProbe, [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: HIDDEN.probeNotes }]]);
    await admin.call('POST', `/api/incidents/${hiddenProbe}/known-error`, { title: HIDDEN.probeKnownError, symptoms: 'gateway 503', cause: 'gateway stuck' });
    failing = true;
    visibleProbe = await waitFor('the failure again opens a new, linked incident', async () => (await probeIncidents()).find((i) => i.ref !== hiddenProbe)?.ref);
    await drive(admin, visibleProbe, [TO_VENDOR]);

    // The manual pair, same category: the level-2 one is offered the level-0 one's resolution.
    hiddenManual = await logIncident(admin, { title: HIDDEN.manualTitle });
    await drive(admin, hiddenManual, [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: HIDDEN.manualNotes }]]);
    await admin.call('POST', `/api/incidents/${hiddenManual}/known-error`, { title: HIDDEN.manualKnownError, symptoms: 'form leaks', cause: 'bad ACL' });
    visibleManual = await logIncident(admin, { title: REPORT.title });
    await drive(admin, visibleManual, [TO_VENDOR]);

    // An admin records which suggestions helped: each event names a hidden incident or known error.
    for (const ref of [visibleProbe, visibleManual]) {
      const { json } = await admin.call('GET', `/api/incidents/${ref}`);
      expect(json.suggestions.length, `suggestions of ${ref}`).toBeGreaterThanOrEqual(2);
      for (const s of json.suggestions as Array<{ kind: string; ref: string | null; knownErrorId: number | null }>) {
        const body = s.kind === 'known_error' ? { knownErrorId: s.knownErrorId } : { ref: s.ref };
        expect((await admin.call('POST', `/api/incidents/${ref}/suggestion-helped`, body)).status).toBe(201);
      }
    }
  });

  afterAll(async () => {
    await sigap?.stop();
    await stopAllServers();
    await database?.drop();
  });

  const markers = () => ({ hiddenProbe, hiddenManual, ...HIDDEN });

  /** Every read path, API and page, that lists, searches, reports or points at incidents. */
  const readPaths = () => {
    const searches = [hiddenManual, hiddenProbe, HIDDEN.manualTitle, 'rahasia', HIDDEN.manualNotes.slice(0, 20), HIDDEN.probeNotes.slice(0, 20)];
    const queue = [
      '',
      ...searches.map((q) => `q=${encodeURIComponent(q)}`),
      'status=resolved',
      'status=new,assigned,escalated,pending,resolved,closed,canceled',
      'service=skm',
      'service=pengaduan',
      'category=application',
      'priority=P1,P2,P3,P4,P5',
      'breached=false',
      'group=service_desk',
      'assignee=admin',
      'limit=200',
    ];
    return [
      `/api/incidents/${hiddenProbe}`,
      `/api/incidents/${hiddenManual}`,
      `/incidents/${hiddenProbe}`,
      `/incidents/${hiddenManual}`,
      `/api/incidents/${visibleProbe}`,
      `/api/incidents/${visibleManual}`,
      `/incidents/${visibleProbe}`,
      `/incidents/${visibleManual}`,
      ...queue.map((q) => `/api/incidents?${q}`),
      ...queue.map((q) => `/?${q}`),
      '/api/known-errors',
      ...searches.map((q) => `/api/known-errors?q=${encodeURIComponent(q)}`),
      '/known-errors',
      ...searches.map((q) => `/known-errors?q=${encodeURIComponent(q)}`),
      '/api/reports/incidents',
      '/api/reports/incidents?format=csv',
      '/api/reports/availability',
      '/api/reports/availability?format=csv',
      '/reports',
      '/api/services',
      '/api/checks',
      '/services',
      '/notifications',
      '/api/notifications',
      '/status',
      '/status.json',
      '/metrics',
    ];
  };

  async function read(who: Who, path: string): Promise<{ status: number; body: string }> {
    const api = path.startsWith('/api/') || path === '/metrics';
    const res = await fetch(`${sigap.url}${path}`, {
      redirect: 'manual',
      headers: api ? { authorization: `Bearer ${tokens[who]}` } : { cookie: sessions[who].cookie, accept: 'text/html' },
    });
    return { status: res.status, body: await res.text() };
  }

  /**
   * Whether the body tells more of the marker than the request itself did: a 404 naming the ref
   * asked for, or a search box showing the words searched, only echo the caller. The same request
   * with the marker swapped for words nobody stored shows how often the page echoes it.
   */
  async function tells(who: Who, path: string, body: string, marker: string): Promise<boolean> {
    const count = (text: string, what: string) => text.toLowerCase().split(what.toLowerCase()).length - 1;
    const found = count(body, marker);
    if (found === 0) return false;
    const encoded = [marker, encodeURIComponent(marker)].find((m) => path.includes(m));
    if (!encoded) return true;
    const stand = `nothing-stored-${marker.length}`;
    const echo = await read(who, path.replace(encoded, encodeURIComponent(stand)));
    return found > count(echo.body, stand);
  }

  it('the vendor finds no ref, title, resolution or known error of the level-0 incidents anywhere', async () => {
    const leaks: string[] = [];
    let opened = 0;
    for (const path of readPaths()) {
      const { status, body } = await read('vendor', path);
      if (status === 200) opened++;
      for (const [name, marker] of Object.entries(markers())) if (await tells('vendor', path, body, marker)) leaks.push(`${name} in ${path} (${status})`);
    }
    expect(leaks).toEqual([]);
    // Not vacuous: the vendor does read its own incidents, the queue, the known errors and its pages.
    expect(opened).toBeGreaterThan(40);
  });

  it('the vendor gets 404 for the level-0 incidents and 403 for the reports, as for any record it may not see', async () => {
    for (const path of [`/api/incidents/${hiddenProbe}`, `/api/incidents/${hiddenManual}`, `/incidents/${hiddenProbe}`, `/incidents/${hiddenManual}`]) {
      expect((await read('vendor', path)).status, path).toBe(404);
    }
    for (const path of ['/api/reports/incidents', '/api/reports/incidents?format=csv', '/api/reports/availability', '/api/reports/availability?format=csv', '/reports']) {
      expect((await read('vendor', path)).status, path).toBe(403);
    }
  });

  it('the vendor opens the level-2 incidents, their history and their other suggestions', async () => {
    const probe = (await callers.vendor.call('GET', `/api/incidents/${visibleProbe}`)).json;
    expect(probe.relatedRef).toBeNull();
    expect(probe.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['opened', 'escalate', 'suggestion_helped']));
    const manual = (await callers.vendor.call('GET', `/api/incidents/${visibleManual}`)).json;
    expect(manual.suggestions).toEqual([]);
    const queue = (await callers.vendor.call('GET', '/api/incidents?limit=200')).json.items.map((i: { ref: string }) => i.ref);
    expect(queue.sort()).toEqual([visibleProbe, visibleManual].sort());
  });

  it('an admin reading the same paths sees every one of those references', async () => {
    const seen = new Set<string>();
    for (const path of readPaths()) {
      const { body } = await read('admin', path);
      for (const [name, marker] of Object.entries(markers())) if (await tells('admin', path, body, marker)) seen.add(name);
    }
    expect([...seen].sort()).toEqual(Object.keys(markers()).sort());
    const probe = (await callers.admin.call('GET', `/api/incidents/${visibleProbe}`)).json;
    expect(probe.relatedRef).toBe(hiddenProbe);
    const manual = (await callers.admin.call('GET', `/api/incidents/${visibleManual}`)).json;
    expect(manual.suggestions.map((s: { ref: string | null }) => s.ref)).toContain(hiddenManual);
  });
});
