import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, INCIDENT_TEST_YAML, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const wib = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

let fingerprints = 0;
/** A fresh fingerprint per test, so tests sharing one database do not meet. */
const newFingerprint = () => `fp${Date.now().toString(16)}${(fingerprints++).toString(16).padStart(4, '0')}`;

interface AlertFields {
  status?: 'firing' | 'resolved';
  fingerprint: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}

function alertOf(a: AlertFields) {
  return {
    status: a.status ?? 'firing',
    labels: a.labels ?? { alertname: 'SkmDown', service: 'skm', severity: 'critical' },
    annotations: a.annotations ?? { summary: 'SKM tidak dapat diakses', description: 'Blackbox: probe_success == 0 selama 2 menit.' },
    startsAt: a.startsAt ?? '2026-11-27T02:55:00.123456789Z',
    endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.local/graph?g0.expr=probe_success',
    fingerprint: a.fingerprint,
  };
}

/** An Alertmanager v4 webhook body, as Alertmanager sends it. */
function webhook(...alerts: AlertFields[]) {
  const body = alerts.map(alertOf);
  return {
    version: '4',
    groupKey: '{}:{alertname="SkmDown"}',
    truncatedAlerts: 0,
    status: body.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'sigap',
    groupLabels: { alertname: 'SkmDown' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.local',
    alerts: body,
  };
}

describe.each(testDatabaseKinds())('Alertmanager as a source on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let desk: Caller;
  const now = wib('2026-11-27 10:00');

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: INCIDENT_TEST_YAML, start: { clock: () => now } });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  const send = (body: unknown, caller = desk) => caller.call('POST', '/api/alertmanager', body);
  const incident = async (ref: string) => (await desk.call('GET', `/api/incidents/${ref}`)).json;

  it('opens one incident for a firing alert, with the fields mapped from its labels and annotations', async () => {
    const fingerprint = newFingerprint();
    const { status, json } = await send(webhook({ fingerprint }));
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json).toEqual({ opened: [expect.stringMatching(/^INC-2026-\d{5}$/)], refreshed: [], restored: [], ignored: 0 });
    const opened = await incident(json.opened[0]);
    expect(opened).toMatchObject({
      source: 'alertmanager',
      service: 'skm',
      check: null,
      status: 'new',
      failureKind: null,
      title: 'SKM tidak dapat diakses',
      description: 'Blackbox: probe_success == 0 selama 2 menit.',
      category: 'availability',
      subcategory: 'outage',
      // skm has impact medium; severity critical is urgency high
      impact: 'medium',
      urgency: 'high',
      priority: 'P2',
      detectedAt: '2026-11-27T02:55:00.123Z',
      serviceRestoredAt: null,
      evidence: {
        labels: { alertname: 'SkmDown', service: 'skm', severity: 'critical' },
        annotations: { summary: 'SKM tidak dapat diakses', description: 'Blackbox: probe_success == 0 selama 2 menit.' },
        generatorURL: 'http://prometheus.local/graph?g0.expr=probe_success',
      },
    });
    expect(new Date(opened.responseDueAt).getTime()).toBeGreaterThan(new Date(opened.detectedAt).getTime());
    expect(opened.events).toEqual([
      expect.objectContaining({
        actor: 'desk1',
        type: 'opened',
        fromStatus: null,
        toStatus: 'new',
        data: expect.objectContaining({ source: 'alertmanager', fingerprint, priority: 'P2' }),
      }),
    ]);
  });

  it('refreshes the open incident when the same fingerprint fires again, with an event only when the alert changed', async () => {
    const fingerprint = newFingerprint();
    const ref = (await send(webhook({ fingerprint }))).json.opened[0];
    expect((await send(webhook({ fingerprint }))).json).toEqual({ opened: [], refreshed: [ref], restored: [], ignored: 0 });
    expect((await incident(ref)).events.map((e: { type: string }) => e.type)).toEqual(['opened']);

    const annotations = { summary: 'SKM tidak dapat diakses', description: 'Sudah 10 menit.' };
    expect((await send(webhook({ fingerprint, annotations }))).json.refreshed).toEqual([ref]);
    const refreshed = await incident(ref);
    expect(refreshed.events.map((e: { type: string }) => e.type)).toEqual(['opened', 'alert_refreshed']);
    expect(refreshed.events[1].data).toMatchObject({ changed: ['annotations'], annotations });
    expect(refreshed.evidence.annotations).toEqual(annotations);
    const listed = await desk.call('GET', `/api/incidents?q=${encodeURIComponent('SKM tidak dapat diakses')}&limit=200`);
    expect(listed.json.items.filter((i: { ref: string }) => i.ref === ref)).toHaveLength(1);
  });

  it('opens one incident when identical webhooks arrive at the same time', async () => {
    const fingerprint = newFingerprint();
    const summary = `Serentak ${fingerprint}`;
    const body = webhook({ fingerprint, annotations: { summary } });
    const answers = await Promise.all([send(body), send(body), send(body), send(body)]);
    for (const a of answers) expect(a.status, JSON.stringify(a.json)).toBe(200);
    const opened = answers.flatMap((a) => a.json.opened);
    const refreshed = answers.flatMap((a) => a.json.refreshed);
    expect(opened).toHaveLength(1);
    expect(refreshed).toEqual([opened[0], opened[0], opened[0]]);
    const listed = await desk.call('GET', `/api/incidents?q=${encodeURIComponent(summary)}`);
    expect(listed.json.items.map((i: { ref: string }) => i.ref)).toEqual(opened);
  });

  it('files an alert for an unknown service under the catch-all service instead of dropping it', async () => {
    const fingerprint = newFingerprint();
    const labels = { alertname: 'DiskFull', service: 'gudang-data', severity: 'warning' };
    const { json } = await send(webhook({ fingerprint, labels, annotations: {} }));
    const opened = await incident(json.opened[0]);
    // no summary: the alert name is the title; the catch-all has impact medium
    expect(opened).toMatchObject({ service: 'other', title: 'DiskFull', description: '', impact: 'medium', urgency: 'medium', priority: 'P3' });
    expect(opened.events[0].data).toMatchObject({ requestedService: 'gudang-data' });
    const services = (await desk.call('GET', '/api/services')).json.items;
    expect(services).toContainEqual(expect.objectContaining({ key: 'other', name: 'Lainnya (Alertmanager)', impact: 'medium' }));
  });

  it.each([
    ['critical', 'high', 'P1'],
    ['warning', 'medium', 'P2'],
    ['info', 'low', 'P3'],
    ['page', 'medium', 'P2'],
    [undefined, 'medium', 'P2'],
  ])('maps severity %s to urgency %s (priority %s on a high-impact service)', async (severity, urgency, priority) => {
    const labels: Record<string, string> = { alertname: 'PengaduanDown', service: 'pengaduan', ...(severity ? { severity } : {}) };
    const { json } = await send(webhook({ fingerprint: newFingerprint(), labels }));
    expect(await incident(json.opened[0])).toMatchObject({ service: 'pengaduan', impact: 'high', urgency, priority });
  });

  it.each([
    [{ category: 'security', subcategory: 'defacement' }, 'security', 'defacement'],
    [{ category: 'security', subcategory: 'weather' }, 'security', 'certificate'],
    [{ category: 'weather' }, 'availability', 'outage'],
  ])('categorizes labels %o as %s / %s', async (extra, category, subcategory) => {
    const labels = { alertname: 'X', service: 'skm', ...extra };
    const { json } = await send(webhook({ fingerprint: newFingerprint(), labels }));
    expect(await incident(json.opened[0])).toMatchObject({ category, subcategory });
  });

  it('records the service restored when the alert resolves, keeps the incident open, and marks it failing again when it fires again', async () => {
    const fingerprint = newFingerprint();
    const ref = (await send(webhook({ fingerprint }))).json.opened[0];
    const resolved = { fingerprint, status: 'resolved' as const, endsAt: '2026-11-27T02:58:30Z' };
    expect((await send(webhook(resolved))).json).toEqual({ opened: [], refreshed: [], restored: [ref], ignored: 0 });
    let detail = await incident(ref);
    expect(detail).toMatchObject({ status: 'new', serviceRestoredAt: '2026-11-27T02:58:30.000Z' });
    // a repeated notification changes nothing
    await send(webhook(resolved));
    expect((await incident(ref)).events.map((e: { type: string }) => e.type)).toEqual(['opened', 'restored']);

    expect((await send(webhook({ fingerprint }))).json.refreshed).toEqual([ref]);
    detail = await incident(ref);
    expect(detail.serviceRestoredAt).toBeNull();
    expect(detail.events.map((e: { type: string }) => e.type)).toEqual(['opened', 'restored', 'failed_again']);
  });

  it('records the restoration on an incident resolved while the alert still fired, and a repeat changes nothing', async () => {
    const fingerprint = newFingerprint();
    const ref = (await send(webhook({ fingerprint }))).json.opened[0];
    for (const [action, body] of [
      ['acknowledge', {}],
      ['resolve', { resolutionCode: 'vendor_fixed', note: 'vendor says it is fixed' }],
    ] as const) {
      expect((await desk.act(ref, action, body)).status).toBe(200);
    }
    const resolved = { fingerprint, status: 'resolved' as const, endsAt: '2026-11-27T02:58:30Z' };
    expect((await send(webhook(resolved))).json).toEqual({ opened: [], refreshed: [], restored: [ref], ignored: 0 });
    expect(await incident(ref)).toMatchObject({ status: 'resolved', serviceRestoredAt: '2026-11-27T02:58:30.000Z' });
    await send(webhook(resolved));
    expect((await incident(ref)).events.filter((e: { type: string }) => e.type === 'restored')).toHaveLength(1);
  });

  it('ignores a resolved alert that has no open incident, and says so', async () => {
    const { status, json } = await send(webhook({ fingerprint: newFingerprint(), status: 'resolved', endsAt: '2026-11-27T02:58:30Z' }));
    expect(status).toBe(200);
    expect(json).toEqual({ opened: [], refreshed: [], restored: [], ignored: 1 });
  });

  it('takes a bearer token only: 401 without one, 403 for a browser session or a role that may not log incidents', async () => {
    const body = webhook({ fingerprint: newFingerprint() });
    const anonymous = await fetch(`${sigap.url}/api/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(anonymous.status).toBe(401);
    const { cookie, csrfToken } = await logIn(sigap.url!);
    const browser = await fetch(`${sigap.url}/api/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify(body),
    });
    expect(browser.status).toBe(403);
    const manager = await callerFor(sigap, 'kabid', 'manager');
    expect((await send(body, manager)).status).toBe(403);
  });

  it('answers 400 to a body that is not a JSON object', async () => {
    expect((await send('{"version": "4", alerts: [')).status).toBe(400);
    expect((await send([webhook({ fingerprint: newFingerprint() })])).status).toBe(400);
  });

  it('answers 422 naming every invalid field, and writes nothing', async () => {
    const good = alertOf({ fingerprint: newFingerprint() });
    const body = {
      ...webhook(),
      version: '3',
      alerts: [good, { ...good, fingerprint: '' }, { ...good, status: 'pending', startsAt: 'yesterday', labels: { n: 1 } }],
    };
    const { status, json } = await send(body);
    expect(status).toBe(422);
    expect(json.error.code).toBe('validation_failed');
    expect(json.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['version', 'alerts.1.fingerprint', 'alerts.2.status', 'alerts.2.startsAt', 'alerts.2.labels.n']),
    );
    expect((await send({ ...webhook(), alerts: [] })).status).toBe(422);
    const many = Array.from({ length: 1001 }, (_, i) => ({ fingerprint: `${good.fingerprint}-${i}` }));
    const tooMany = await send(webhook(...many));
    expect(tooMany.status).toBe(422);
    expect(tooMany.json.error.details.map((d: { path: string }) => d.path)).toEqual(['alerts']);
    // nothing was written: the valid alert of the refused webhook still opens a new incident
    expect((await send(webhook({ fingerprint: good.fingerprint }))).json.opened).toHaveLength(1);
  });

  it('takes a full batch of 1,000 alerts in one webhook', async () => {
    const base = newFingerprint();
    const alerts = Array.from({ length: 1000 }, (_, i) => ({ fingerprint: `${base}-${i}`, labels: { alertname: `Batch${i}`, service: 'skm', severity: 'info' } }));
    const { status, json } = await send(webhook(...alerts));
    expect(status, JSON.stringify(json).slice(0, 300)).toBe(200);
    expect(new Set(json.opened).size).toBe(1000);
  });

  // Last: it replaces the running Sigap with a new one on the same database.
  it('keeps the catch-all service active after a restart with a config that does not name it', async () => {
    await send(webhook({ fingerprint: newFingerprint(), labels: { alertname: 'Unknown', service: 'nowhere' } }));
    await sigap.stop();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: INCIDENT_TEST_YAML, start: { clock: () => now } });
    desk = await callerFor(sigap, 'desk2', 'service_desk');
    expect((await desk.call('GET', '/api/services')).json.items.map((s: { key: string }) => s.key)).toContain('other');
    const { json } = await send(webhook({ fingerprint: newFingerprint(), labels: { alertname: 'Unknown', service: 'nowhere' } }));
    expect(await incident(json.opened[0])).toMatchObject({ service: 'other' });
  });
});
