// GET /metrics (DESIGN §7): blackbox_exporter's probe metrics from each check's latest result in
// the database, the sigap_ incident metrics computed from the incident record, the scheduler's
// health when the process probes, `promtool check metrics` clean, the optional Bearer token, and
// the Grafana dashboard in docs/ querying only metrics that exist. On SQLite and PostgreSQL.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config.js';
import { DURATION_BUCKETS, METRIC_NAMES } from '../../detector/reporting/metrics.js';
import { projectRoot } from '../../main.js';
import type { ProbeResult } from '../../probes/probe-types.js';
import { callerFor, drive, logIncident, type Caller } from '../helpers/incident-api.js';
import { startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const YAML = `
timezone: Asia/Jakarta
policy:
  flapping: { changes: 20 }
services:
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "https://127.0.0.1:9/", interval: 2h, failureThreshold: 1, successThreshold: 1 }
      - { key: skm-port, type: tcp, target: "127.0.0.1:9", interval: 2h, failureThreshold: 1, successThreshold: 1 }
  - key: pengaduan
    name: Pengaduan Masyarakat
    impact: high
    checks:
      - { key: pengaduan-port, type: tcp, target: "127.0.0.1:9", interval: 2h, failureThreshold: 1, successThreshold: 1 }
`;

// Wednesday 25 November 2026, 09:00 WIB: office hours, so every SLA clock runs.
const T0 = Date.parse('2026-11-25T02:00:00Z');
const MINUTE = 60_000;
const CERT_EXPIRES = '2027-02-01T00:00:00.000Z';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a text exposition (format 0.0.4). */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not an exposition line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: match[3] === '+Inf' ? Infinity : Number(match[3]) };
    });
}

const typedNames = (text: string) => [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);

/** Exit status and output of `promtool check metrics`; fails the test, with how to install it, when promtool is missing. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      `promtool is not installed${process.env.CI ? ' on this CI machine (.ci/run installs it)' : ''}: install Debian's prometheus package ` +
        '(apt-get install -y prometheus) — this test does not skip',
    );
  }
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

/** A histogram's series of one priority, as /metrics should show it, computed from durations in seconds. */
function expectedHistogram(durations: number[]) {
  return {
    buckets: [...DURATION_BUCKETS.map((le) => durations.filter((d) => d <= le).length), durations.length],
    sum: durations.reduce((a, b) => a + b, 0),
    count: durations.length,
  };
}

describe.each(testDatabaseKinds())('GET /metrics on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let desk: Caller;
  let now = T0;
  let text: string;
  let samples: Sample[];
  let formRef: string;
  let portRef: string;

  const result = (checkKey: string, minute: number, fields: Partial<ProbeResult>): Promise<unknown> =>
    sigap.detector.handleResult({ checkKey, startedAt: new Date(T0 + minute * MINUTE), durationMs: 5, status: 'up', failureKind: null, timings: {}, evidence: {}, ...fields });
  const down = { status: 'down', failureKind: 'connect', timings: { connect: 1 }, evidence: { errorCode: 'ECONNREFUSED' } } as const;
  const find = (name: string, labels: Record<string, string> = {}) => samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  const value = (name: string, labels: Record<string, string>) => {
    const found = find(name, labels);
    expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
    return found[0]!.value;
  };

  beforeAll(async () => {
    database = await kind.create();
    // Web role: nothing probes by itself; the test feeds the detector and moves the clock.
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => new Date(now) } });
    desk = await callerFor(sigap, 'desk1', 'service_desk');

    // 09:00 both sites refuse connections: two probe incidents.
    now = T0 + 1000;
    await result('skm-form', 0, down);
    await result('pengaduan-port', 0, down);
    const { json } = await desk.call('GET', '/api/incidents?status=new');
    formRef = json.items.find((i: { check: string }) => i.check === 'skm-form').ref;
    portRef = json.items.find((i: { check: string }) => i.check === 'pengaduan-port').ref;
    // 09:10 the desk acknowledges the SKM incident; 09:20 SKM answers again, with a certificate;
    // the SKM port's probe ran while the probing host was offline (unknown).
    now = T0 + 10 * MINUTE;
    await drive(desk, formRef, [['acknowledge']]);
    now = T0 + 20 * MINUTE;
    await result('skm-form', 20, {
      durationMs: 250,
      timings: { resolve: 2, connect: 3, tls: 40, processing: 180, transfer: 25 },
      evidence: { statusCode: 200, tlsExpiresAt: CERT_EXPIRES, tlsDaysLeft: 60 },
    });
    await result('skm-port', 20, { status: 'unknown', failureKind: 'connect', evidence: { errorCode: 'ENETUNREACH' } });
    // 09:30 a citizen reports a form problem by telephone; 09:50 the SKM incident is resolved.
    now = T0 + 30 * MINUTE;
    await logIncident(desk, { service: 'skm', category: 'application', subcategory: 'form-submission' });
    now = T0 + 50 * MINUTE;
    await drive(desk, formRef, [['resolve', { resolutionCode: 'restarted', note: 'php-fpm dijalankan ulang' }]]);
    // 11:00 the clock's sweep marks whatever response and resolution targets have passed.
    now = T0 + 120 * MINUTE;
    await sigap.incidents.sla.sweep();

    const res = await fetch(`${sigap.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    text = await res.text();
    samples = parseExposition(text);
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it("reports each check's latest probe result under blackbox_exporter's names, labelled by service and check only", () => {
    const form = { service: 'skm', check: 'skm-form' };
    expect(value('probe_success', form)).toBe(1);
    expect(value('probe_success', { service: 'pengaduan', check: 'pengaduan-port' })).toBe(0);
    // Unknown claims nothing: no probe_success, so an alert on probe_success == 0 stays quiet.
    expect(find('probe_success', { check: 'skm-port' })).toEqual([]);
    expect(value('probe_duration_seconds', form)).toBe(0.25);
    expect(value('probe_duration_seconds', { service: 'skm', check: 'skm-port' })).toBe(0.005);
    expect(Object.fromEntries(find('probe_http_duration_seconds', form).map((s) => [s.labels.phase, s.value]))).toEqual({
      resolve: 0.002,
      connect: 0.003,
      tls: 0.04,
      processing: 0.18,
      transfer: 0.025,
    });
    expect(value('probe_http_status_code', form)).toBe(200);
    expect(value('probe_ssl_earliest_cert_expiry', form)).toBe(Date.parse(CERT_EXPIRES) / 1000);
    // TCP checks have no HTTP phases or status.
    expect(find('probe_http_status_code', { check: 'pengaduan-port' })).toEqual([]);
    expect(find('probe_http_duration_seconds', { check: 'pengaduan-port' })).toEqual([]);
    for (const s of samples.filter((x) => x.name.startsWith('probe_'))) {
      expect(Object.keys(s.labels).sort(), s.name).toEqual(s.name === 'probe_http_duration_seconds' ? ['check', 'phase', 'service'] : ['check', 'service']);
    }
  });

  it('counts open and ever-opened incidents by service, category and priority, from the incident record', async () => {
    const { json } = await desk.call('GET', '/api/incidents?limit=100');
    const incidents = json.items as Array<{ ref: string; service: string; category: string; priority: string; status: string }>;
    expect(incidents).toHaveLength(3);
    const port = incidents.find((i) => i.ref === portRef)!;
    expect(port).toMatchObject({ service: 'pengaduan', category: 'network' });
    expect(['new', 'assigned', 'escalated', 'pending']).toContain(port.status);
    expect(value('sigap_incidents_open', { service: 'pengaduan', priority: port.priority })).toBe(1);
    const manual = incidents.find((i) => i.ref !== portRef && i.ref !== formRef)!;
    expect(value('sigap_incidents_open', { service: 'skm', priority: manual.priority })).toBe(1);
    // Every service has every priority, zero included; the resolved SKM incident is not open.
    expect(find('sigap_incidents_open', { service: 'skm' })).toHaveLength(5);
    expect(find('sigap_incidents_open').reduce((sum, s) => sum + s.value, 0)).toBe(2);

    const opened = find('sigap_incidents_opened_total').map((s) => ({ ...(s.labels as { service: string; category: string; priority: string }), value: s.value }));
    const expected = new Map<string, number>();
    for (const i of incidents) expected.set(`${i.service}/${i.category}/${i.priority}`, (expected.get(`${i.service}/${i.category}/${i.priority}`) ?? 0) + 1);
    expect(Object.fromEntries(opened.map((o) => [`${o.service}/${o.category}/${o.priority}`, o.value]))).toEqual(Object.fromEntries(expected));
    expect(opened.every((o) => Object.keys(o).sort().join() === 'category,priority,service,value')).toBe(true);
  });

  it('keeps time to acknowledge and to resolve as histograms per priority: cumulative buckets, +Inf, sum and count', async () => {
    const form = (await desk.call('GET', `/api/incidents/${formRef}`)).json;
    expect(Date.parse(form.acknowledgedAt) - Date.parse(form.detectedAt)).toBe(10 * MINUTE);
    expect(Date.parse(form.resolvedAt) - Date.parse(form.detectedAt)).toBe(50 * MINUTE);
    for (const [metric, seconds] of [
      ['sigap_incident_time_to_acknowledge_seconds', 600],
      ['sigap_incident_time_to_resolve_seconds', 3000],
    ] as const) {
      for (const priority of ['P1', 'P2', 'P3', 'P4', 'P5']) {
        const want = expectedHistogram(priority === form.priority ? [seconds] : []);
        const buckets = find(`${metric}_bucket`, { priority });
        expect(buckets.map((b) => b.labels.le)).toEqual([...DURATION_BUCKETS.map(String), '+Inf']);
        expect(
          buckets.map((b) => b.value),
          `${metric} ${priority}`,
        ).toEqual(want.buckets);
        expect(value(`${metric}_sum`, { priority })).toBe(want.sum);
        expect(value(`${metric}_count`, { priority })).toBe(want.count);
      }
    }
  });

  it('counts SLA breaches per target and priority from the breach flags', async () => {
    const { json } = await desk.call('GET', '/api/incidents?limit=100');
    const incidents = json.items as Array<{ priority: string; responseBreached: boolean; resolutionBreached: boolean }>;
    // The unacknowledged incidents were detected 2 h and 1.5 h before: at least one response target has passed.
    expect(incidents.some((i) => i.responseBreached)).toBe(true);
    for (const priority of ['P1', 'P2', 'P3', 'P4', 'P5']) {
      const mine = incidents.filter((i) => i.priority === priority);
      expect(value('sigap_sla_breaches_total', { target: 'response', priority })).toBe(mine.filter((i) => i.responseBreached).length);
      expect(value('sigap_sla_breaches_total', { target: 'resolution', priority })).toBe(mine.filter((i) => i.resolutionBreached).length);
    }
  });

  it('reports availability and probe success per service for 24h, 7d and 30d, the same figures as /api/services', async () => {
    const { json } = await desk.call('GET', '/api/services');
    type Ratios = Record<'24h' | '7d' | '30d', number | null>;
    const services = json.items as Array<{ key: string; availability: Ratios; probeSuccess: Ratios }>;
    let reported = 0;
    for (const service of services) {
      for (const window of ['24h', '7d', '30d'] as const) {
        for (const [metric, ratio] of [
          ['sigap_availability_ratio', service.availability[window]],
          ['sigap_probe_success_ratio', service.probeSuccess[window]],
        ] as const) {
          const found = find(metric, { service: service.key, window });
          expect(
            found.map((s) => s.value),
            `${metric} ${service.key} ${window}`,
          ).toEqual(ratio === null ? [] : [ratio]);
          reported += found.length;
        }
      }
    }
    expect(reported).toBeGreaterThanOrEqual(12);
    expect(value('sigap_availability_ratio', { service: 'pengaduan', window: '24h' })).toBeLessThan(1);
  });

  it('reports the outbox backlog, and no scheduler metrics in a process that does not probe', () => {
    expect(value('sigap_notification_outbox_backlog', {})).toBeGreaterThanOrEqual(0);
    expect(typedNames(text)).not.toContain('sigap_probe_queue_length');
    expect(text).not.toMatch(/^(process|nodejs)_/m);
  });

  it('has no incident refs, URLs or user names in any label', () => {
    const labelValues = samples.flatMap((s) => Object.values(s.labels));
    expect(labelValues.filter((v) => /INC-|https?:|127\.0\.0\.1|desk1|admin/.test(v))).toEqual([]);
  });

  it('passes promtool check metrics with no lint problem', () => {
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  });
});

describe.each(testDatabaseKinds())('GET /metrics of a probing process with a metrics token, on $name', (kind) => {
  const TOKEN = 'metrics-token-0123456789';
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({
      databaseUrl: database.url,
      yaml: 'metrics:\n  bearerToken: "${METRICS_TOKEN}"\nservices: []\n',
      env: { METRICS_TOKEN: TOKEN },
      start: { slaSweepMs: 0, dispatchMs: 0 },
    });
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  const scrape = (authorization?: string) => fetch(`${sigap.url}/metrics`, { headers: authorization ? { authorization } : {} });

  it('answers 401 without the token, with a wrong one, or with an API token', async () => {
    const admin = (await sigap.db.stores.accounts.findUserByUsername('admin'))!;
    const { token: apiToken } = await sigap.accounts.createToken(admin, 'scripts');
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Bearer ${apiToken}`, `Basic ${TOKEN}`]) {
      const res = await scrape(authorization);
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    }
  });

  it('is not an API token: the metrics token opens /metrics and nothing under /api', async () => {
    const res = await scrape(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(typedNames(await res.text())).toContain('sigap_incidents_open');
    expect((await fetch(`${sigap.url}/api/incidents`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(401);
  });

  it("reports the scheduler's lateness quantiles, its queue and the results buffered, and passes promtool", async () => {
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    const samples = parseExposition(text);
    expect(samples.filter((s) => s.name === 'sigap_probe_lateness_seconds').map((s) => s.labels.quantile)).toEqual(['0.5', '0.99', '1']);
    expect(samples.find((s) => s.name === 'sigap_probe_queue_length')?.value).toBe(0);
    expect(samples.find((s) => s.name === 'sigap_results_buffered')?.value).toBe(0);
    expect(samples.find((s) => s.name === 'sigap_notification_outbox_backlog')?.value).toBe(0);
    // Every documented metric has its HELP and TYPE, even before it has a sample.
    expect(typedNames(text).sort()).toEqual([...METRIC_NAMES].sort());
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  });
});

describe('the metrics section of sigap.yaml', () => {
  it('leaves /metrics open by default and refuses a token shorter than 16 characters, naming the key', () => {
    expect(parseConfig('services: []\n', 'test.yaml', {}).metrics).toEqual({ bearerToken: null });
    expect(() => parseConfig('metrics: { bearerToken: short }\n', 'test.yaml', {})).toThrow(/metrics\.bearerToken: must be at least 16 characters/);
  });
});

describe('the Grafana dashboard in docs/grafana', () => {
  const dashboard = JSON.parse(readFileSync(join(projectRoot(), 'docs/grafana/sigap-dashboard.json'), 'utf8'));
  type Panel = { title: string; targets?: Array<{ expr: string }>; panels?: Panel[] };
  const panels = (dashboard.panels as Panel[]).flatMap((p) => [p, ...(p.panels ?? [])]);
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('is an importable dashboard with a Prometheus datasource input', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    expect(exprs.length).toBeGreaterThanOrEqual(8);
  });

  it('queries only metrics that /metrics exposes, and shows each of the DESIGN §7 metrics', () => {
    const queried = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:probe|sigap)_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''))));
    expect([...queried].filter((name) => !(METRIC_NAMES as readonly string[]).includes(name))).toEqual([]);
    for (const name of [
      'probe_success',
      'probe_http_duration_seconds',
      'sigap_availability_ratio',
      'sigap_incidents_open',
      'sigap_incidents_opened_total',
      'sigap_incident_time_to_acknowledge_seconds',
      'sigap_incident_time_to_resolve_seconds',
      'sigap_sla_breaches_total',
      'sigap_notification_outbox_backlog',
    ]) {
      expect(queried, name).toContain(name);
    }
  });
});
