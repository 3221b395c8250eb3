// An integrity check's baseline, after the probe: the first clean result is recorded as the
// baseline once (no one named) and never overwritten by later results; findings open a security
// incident whose page shows them with the baseline they differ from; admin and support accept the
// latest snapshot from the incident page, from /services and through the API — each writes the
// baseline, an audit entry with before/after and, while the incident is open, a timeline event —
// a snapshot that is no longer the latest is refused (409), other roles 403, bad input 422
// naming the field, a check that is not an integrity check 404; /metrics reports every finding
// kind of every integrity check. On SQLite and PostgreSQL; results are fed to the detector by hand.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, type Caller } from '../helpers/incident-api.js';
import { finding, integrityEvidence, integrityResult, snapshot } from '../helpers/integrity-results.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import type { IntegrityBaseline } from '../../probes/probe-types.js';
import { snapshotVersion } from '../../detector/integrity/baseline-service.js';

const YAML = `
timezone: Asia/Jakarta
services:
  - key: perizinan
    name: Perizinan Daring
    impact: high
    checks:
      - { key: site-integrity, type: integrity, url: "https://dpmptsp.example/" }
      - { key: quiet-integrity, type: integrity, url: "https://quiet.example/" }
      - { key: fresh-integrity, type: integrity, url: "https://fresh.example/" }
      - { key: site-http, type: http, url: "https://dpmptsp.example/" }
`;

const T0 = Date.parse('2026-12-07T02:00:00Z');
const MINUTE = 60_000;
const KINDS = ['forbidden_term', 'hidden_link', 'foreign_link', 'foreign_embed', 'sitemap_entry', 'cloaking', 'drift'];

const FIRST = snapshot();
const DEFACED = snapshot({ title: 'Slot Gacor Hari Ini', domains: ['lapor.go.id', 'slot.example'], fingerprint: 'aaaabbbbccccdddd' });
const DEFACED_AGAIN = snapshot({ title: 'Slot Gacor Maxwin', domains: ['lapor.go.id', 'slot.example'], fingerprint: 'eeeeffff00001111' });
const REDESIGN = snapshot({ title: 'DPMPTSP — situs baru', fingerprint: '2222333344445555' });

describe.each(testDatabaseKinds())('integrity baselines on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let now = T0;
  let admin: Caller;
  let support: Caller;
  let others: Caller[];
  let ref: string;

  const feed = (minute: number, evidence: ReturnType<typeof integrityEvidence>, checkKey = 'site-integrity') =>
    sigap.detector.handleResult(integrityResult(checkKey, new Date(T0 + minute * MINUTE), evidence));
  const baselineOf = async () => (await admin.call('GET', '/api/checks/site-integrity/integrity-baseline')).json;
  const asBaseline = (b: IntegrityBaseline | null) => b;
  const page = async (path: string, session: { cookie: string }) => {
    const res = await fetch(`${sigap.url}${path}`, { headers: { accept: 'text/html', cookie: session.cookie } });
    return { status: res.status, html: await res.text() };
  };
  const postForm = async (path: string, session: { cookie: string; csrfToken: string }, fields: Record<string, string>) => {
    const res = await fetch(`${sigap.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'text/html', cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, _csrf: session.csrfToken }),
    });
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  };
  const auditEntries = async () => (await admin.call('GET', '/api/audit?action=integrity')).json.items;
  const timeline = async () => (await admin.call('GET', `/api/incidents/${ref}`)).json.events.filter((e: { type: string }) => e.type === 'baseline_accepted');

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => new Date(now) } });
    admin = await callerFor(sigap, 'admin', 'admin');
    support = await callerFor(sigap, 'support1', 'support');
    others = [await callerFor(sigap, 'desk1', 'service_desk'), await callerFor(sigap, 'vendor1', 'vendor'), await callerFor(sigap, 'manager1', 'manager')];
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('records the first clean result as the baseline, no one named, and never overwrites it with a later clean result', async () => {
    expect((await baselineOf()).baseline).toBeNull();
    now = T0 + 1000;
    await feed(0, integrityEvidence([], { snapshot: FIRST }));
    const recorded = { ...FIRST, acceptedAt: new Date(T0).toISOString(), acceptedBy: null };
    expect((await baselineOf()).baseline).toEqual({ ...recorded, version: snapshotVersion(FIRST) });
    // A later clean result that (as a probe that could not read the baseline) carries none: still the first.
    await feed(15, integrityEvidence([], { snapshot: snapshot({ title: 'Judul lain', fingerprint: '9999999999999999' }) }));
    await feed(30, integrityEvidence([], { snapshot: FIRST, baseline: asBaseline(recorded) }));
    expect((await baselineOf()).baseline).toEqual({ ...recorded, version: snapshotVersion(FIRST) });
    expect((await sigap.db.stores.integrity.getBaseline((await sigap.db.stores.checks.getCheck('site-integrity'))!.id))!.acceptedByUserId).toBeNull();
  });

  it('records the first clean result of a batch, not a failing one before it, and nothing for a result without a snapshot', async () => {
    const quietId = (await sigap.db.stores.checks.getCheck('quiet-integrity'))!.id;
    const at = (minute: number) => new Date(T0 + minute * MINUTE);
    const unreadable = { ...integrityResult('quiet-integrity', at(1), integrityEvidence([], { snapshot: null })), status: 'unknown' as const };
    await sigap.detector.handleBatch([
      integrityResult(
        'quiet-integrity',
        at(2),
        integrityEvidence([finding('foreign_link', { domain: 'judi.example' })], { snapshot: snapshot({ fingerprint: '0000000000000001' }) }),
      ),
      unreadable,
    ]);
    expect(await sigap.db.stores.integrity.getBaseline(quietId)).toBeNull();
    await sigap.detector.handleBatch([
      integrityResult('quiet-integrity', at(3), integrityEvidence([], { snapshot: snapshot({ fingerprint: '0000000000000002' }) })),
      integrityResult('quiet-integrity', at(4), integrityEvidence([], { snapshot: snapshot({ fingerprint: '0000000000000003' }) })),
    ]);
    expect(await sigap.db.stores.integrity.getBaseline(quietId)).toMatchObject({ fingerprint: '0000000000000002', acceptedAt: at(3).toISOString(), acceptedBy: null });
  });

  it('hands the probe the stored baseline (without the user id), null for a check without one, and a database error as an error', async () => {
    const { version, ...recorded } = (await baselineOf()).baseline;
    expect(version).toBe(snapshotVersion(FIRST));
    await expect(sigap.baselines.baselineOf('site-integrity')).resolves.toEqual(recorded);
    await expect(sigap.baselines.baselineOf('fresh-integrity')).resolves.toBeNull();
    await expect(sigap.baselines.baselineOf('no-such-check')).resolves.toBeNull();
    const broken = { ...sigap.db.stores.integrity, getBaseline: () => Promise.reject(new Error('database unavailable')) };
    const original = sigap.db.stores.integrity;
    (sigap.db.stores as { integrity: typeof original }).integrity = broken;
    try {
      await expect(sigap.baselines.baselineOf('site-integrity')).rejects.toThrow('database unavailable');
    } finally {
      (sigap.db.stores as { integrity: typeof original }).integrity = original;
    }
  });

  it('opens a security incident whose page shows the findings, the baseline they differ from (recorded automatically) and the accept form', async () => {
    const evidence = () =>
      integrityEvidence(
        [
          finding('hidden_link', {
            domain: 'slot.example',
            hidden: 'display:none',
            snippet: { before: '<p>Layanan</p>', match: '<a href="https://slot.example/" style="display:none">slot gacor</a>', after: '</div>' },
          }),
          finding('drift', { where: 'title', field: 'title', before: FIRST.title, after: DEFACED.title }),
        ],
        { snapshot: DEFACED, baseline: { ...FIRST, acceptedAt: new Date(T0).toISOString(), acceptedBy: null }, limits: ['sitemap: stopped at 50000 URLs'] },
      );
    now = T0 + 45 * MINUTE;
    await feed(45, evidence());
    await feed(46, evidence());
    const incident = (await admin.call('GET', '/api/incidents?status=new')).json.items.find((i: { check: string }) => i.check === 'site-integrity');
    expect(incident).toMatchObject({ category: 'security', subcategory: 'defacement', failureKind: 'defacement' });
    ref = incident.ref;

    const session = await logIn(sigap.url!, 'admin');
    const { status, html } = await page(`/incidents/${ref}`, session);
    expect(status).toBe(200);
    expect(html).toContain('Temuan pemeriksaan integritas situs');
    expect(html).toContain('<a href="/sop#integritas">Panduan situs disusupi (SOP)</a>');
    expect(html).toContain('Tautan tersembunyi');
    expect(html).toContain('&lt;a href&#x3D;&quot;https://slot.example/&quot; style&#x3D;&quot;display:none&quot;&gt;slot gacor&lt;/a&gt;</mark>');
    expect(html).toContain('Dicatat otomatis pada pemeriksaan bersih pertama');
    expect(html).toContain('Slot Gacor Hari Ini');
    expect(html).toContain('sitemap: stopped at 50000 URLs');
    expect(html).toContain(`action="/incidents/${ref}/accept-baseline"`);
    expect(html).toContain(`name="snapshot" value="${snapshotVersion(DEFACED)}"`);
    // Who may not accept is not offered the form.
    const desk = await logIn(sigap.url!, 'desk1', 'desk1-password');
    expect((await page(`/incidents/${ref}`, desk)).html).not.toContain('accept-baseline"');
  });

  it('refuses a stale snapshot (409, saying the page changed again) and other roles (403), and names the field of bad input', async () => {
    const stale = await support.call('PUT', '/api/checks/site-integrity/integrity-baseline', { snapshot: snapshotVersion(FIRST) });
    expect(stale.status).toBe(409);
    expect(stale.json.error.message).toMatch(/changed again/);
    for (const caller of others) {
      expect((await caller.call('PUT', '/api/checks/site-integrity/integrity-baseline', { snapshot: snapshotVersion(DEFACED) })).status, caller.username).toBe(403);
    }
    const desk = await logIn(sigap.url!, 'desk1', 'desk1-password');
    expect((await postForm(`/incidents/${ref}/accept-baseline`, desk, { snapshot: snapshotVersion(DEFACED) })).status).toBe(403);
    expect((await postForm('/services/checks/site-integrity/accept-baseline', desk, { snapshot: snapshotVersion(DEFACED) })).status).toBe(403);

    for (const body of [{}, { snapshot: 'not-hex' }, { snapshot: snapshotVersion(DEFACED), extra: 1 }]) {
      const bad = await admin.call('PUT', '/api/checks/site-integrity/integrity-baseline', body);
      expect(bad.status, JSON.stringify(body)).toBe(422);
      expect(bad.json.error.details.map((d: { path: string }) => d.path)).toContain(Object.keys(body).includes('extra') ? 'extra' : 'snapshot');
    }
    expect((await admin.call('GET', '/api/checks/site-http/integrity-baseline')).status).toBe(404);
    expect((await admin.call('PUT', '/api/checks/site-http/integrity-baseline', { snapshot: snapshotVersion(DEFACED) })).status).toBe(404);
    expect((await admin.call('GET', '/api/checks/no-such-check/integrity-baseline')).status).toBe(404);
    // Nothing refused changed anything.
    expect((await baselineOf()).baseline.fingerprint).toBe(FIRST.fingerprint);
    expect(await auditEntries()).toEqual([]);
    expect(await timeline()).toEqual([]);
  });

  it('accepts from the incident page: baseline named, audit before/after, timeline event, a confirmation', async () => {
    const session = await logIn(sigap.url!, 'admin');
    const posted = await postForm(`/incidents/${ref}/accept-baseline`, session, { snapshot: snapshotVersion(DEFACED) });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(`/incidents/${ref}?done=accept-baseline`);
    const { baseline } = await baselineOf();
    expect(baseline).toEqual({ ...DEFACED, version: snapshotVersion(DEFACED), acceptedAt: new Date(now).toISOString(), acceptedBy: 'admin' });

    const [entry] = await auditEntries();
    expect(entry).toMatchObject({ action: 'integrity.baseline_accepted', actor: { username: 'admin' }, target: 'site-integrity' });
    expect(entry.detail).toMatchObject({ before: FIRST, beforeAcceptedBy: null, after: DEFACED });
    expect(await timeline()).toEqual([
      expect.objectContaining({ actor: 'admin', data: { check: 'site-integrity', fingerprint: DEFACED.fingerprint, previousFingerprint: FIRST.fingerprint } }),
    ]);

    const { html } = await page(`/incidents/${ref}?done=accept-baseline`, session);
    expect(html).toContain('Halaman disetujui sebagai acuan baru');
    expect(html).toContain('Acuan integritas situs disetujui');
    expect(html).toContain('Halaman pada pemeriksaan terakhir sudah menjadi acuan.');
  });

  it('refuses the incident form once the page changed again, in Indonesian, and accepts the new one from /services with a confirmation', async () => {
    now = T0 + 60 * MINUTE;
    await feed(60, integrityEvidence([finding('forbidden_term', { where: 'title', term: 'slot gacor' })], { snapshot: DEFACED_AGAIN }));
    const session = await logIn(sigap.url!, 'support1', 'support1-password');
    const stale = await postForm(`/incidents/${ref}/accept-baseline`, session, { snapshot: snapshotVersion(DEFACED) });
    expect(stale.status).toBe(409);
    expect(stale.html).toContain('Halaman sudah berubah lagi sejak ditampilkan');

    const services = await page('/services', session);
    expect(services.html).toContain('Disetujui oleh admin');
    expect(services.html).toContain('action="/services/checks/site-integrity/accept-baseline"');
    expect(services.html).toContain(`name="snapshot" value="${snapshotVersion(DEFACED_AGAIN)}"`);
    expect(services.html).toContain('Belum ada acuan');
    const posted = await postForm('/services/checks/site-integrity/accept-baseline', session, { snapshot: snapshotVersion(DEFACED_AGAIN) });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe('/services?done=accept-baseline');
    expect((await page('/services?done=accept-baseline', session)).html).toContain('Halaman disetujui sebagai acuan baru');
    expect((await baselineOf()).baseline).toMatchObject({ fingerprint: DEFACED_AGAIN.fingerprint, acceptedBy: 'support1' });
    expect((await auditEntries()).map((e: { actor: { username: string } }) => e.actor.username)).toEqual(['support1', 'admin']);
    expect(await timeline()).toHaveLength(2);
  });

  it('accepts through the API, recorded in the timeline of the incident still open after its restoration', async () => {
    now = T0 + 75 * MINUTE;
    const clean = integrityEvidence([], { snapshot: REDESIGN });
    await feed(75, clean);
    await feed(90, clean);
    expect((await admin.call('GET', `/api/incidents/${ref}`)).json.serviceRestoredAt).not.toBeNull();
    const read = await support.call('GET', '/api/checks/site-integrity/integrity-baseline');
    expect(read.status).toBe(200);
    expect(read.json.latest).toMatchObject({ status: 'up', snapshot: REDESIGN, counts: {} });
    const accepted = await support.call('PUT', '/api/checks/site-integrity/integrity-baseline', { snapshot: snapshotVersion(REDESIGN) });
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(200);
    expect(accepted.json.baseline).toMatchObject({ ...REDESIGN, acceptedBy: 'support1' });
    expect(await auditEntries()).toHaveLength(3);
    // Restored but not resolved yet, the incident is still open: the acceptance is in its timeline.
    expect((await admin.call('GET', `/api/incidents/${ref}`)).json.status).toBe('new');
    expect(await timeline()).toHaveLength(3);
  });

  it('reports every finding kind of every integrity check on /metrics, 0 for kinds not found, promtool-clean', async () => {
    now = T0 + 100 * MINUTE;
    await feed(
      100,
      integrityEvidence([
        finding('hidden_link', { domain: 'a.example' }),
        finding('hidden_link', { domain: 'b.example' }),
        finding('cloaking', { viewer: 'googlebot', where: 'page' }),
      ]),
    );
    const text = await (await fetch(`${sigap.url}/metrics`)).text();
    const series = [...text.matchAll(/^sigap_integrity_findings\{([^}]*)\} (\S+)$/gm)].map((m) => ({ labels: m[1]!, value: Number(m[2]) }));
    const value = (check: string, kind: string) => series.filter((s) => s.labels.includes(`check="${check}"`) && s.labels.includes(`kind="${kind}"`)).map((s) => s.value);
    for (const k of KINDS) {
      expect(value('site-integrity', k), k).toEqual([k === 'hidden_link' ? 2 : k === 'cloaking' ? 1 : 0]);
      expect(value('quiet-integrity', k), k).toEqual([0]);
      expect(value('fresh-integrity', k), k).toEqual([0]);
    }
    expect(series.every((s) => s.labels.includes('service="perizinan"'))).toBe(true);
    expect(series.some((s) => s.labels.includes('site-http'))).toBe(false);
    expect(text).toContain('# TYPE sigap_integrity_findings gauge');
    const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
    expect(run.error).toBeUndefined();
    expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
    expect(run.status).toBe(0);
  });
});
