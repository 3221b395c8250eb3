// The flaky site on every surface: a site that fails one probe in three, never twice in a row
// (failureThreshold 2), has no incident and no confirmed outage. Fed through the real detector of
// a running Sigap, on SQLite and PostgreSQL, every surface that shows availability shows 100 %,
// and those for engineers show its probe success, below 100 %, beside it: /api/services, the
// /services page, /metrics, /status and /status.json, the monthly report and
// /api/reports/availability.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPercent } from '../../api/presenters/formatters.js';
import type { ProbeStatus } from '../../probes/probe-types.js';
import { callerFor, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const YAML = `
timezone: Asia/Jakarta
services:
  - key: flaky
    name: Situs Kadang Gagal
    impact: medium
    checks:
      - { key: flaky-web, type: http, url: "http://127.0.0.1:9/", interval: 60s, timeout: 10s, failureThreshold: 2 }
`;
const MIN = 60_000;
const T0 = Date.parse('2026-12-10T01:00:00Z'); // Thursday 08:00 WIB
const at = (minute: number) => new Date(T0 + minute * MIN);
const PROBE_SUCCESS = 120 / 180; // 60 failed minutes of 180

/** The one sample of a metric with these labels, from the text exposition. */
function sample(text: string, name: string, labels: string): number {
  const lines = text.split('\n').filter((l) => l.startsWith(`${name}{${labels}}`));
  expect(lines, `${name}{${labels}}`).toHaveLength(1);
  return Number(lines[0]!.split(' ').at(-1));
}

describe.each(testDatabaseKinds())('availability and probe success on every surface, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let now = at(0);
  let head: Caller;
  let cookie: string;

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    head = await callerFor(sigap, 'kabid', 'manager');
    cookie = (await logIn(sigap.url!, 'kabid', 'kabid-password')).cookie;
    for (let minute = 0; minute < 180; minute++) {
      now = at(minute);
      const status: ProbeStatus = minute % 3 === 2 ? 'down' : 'up';
      await sigap.detector.handleResult({
        checkKey: 'flaky-web',
        startedAt: at(minute),
        durationMs: 5,
        status,
        failureKind: status === 'up' ? null : 'connect',
        timings: {},
        evidence: {},
      });
    }
    now = at(180);
  });
  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  const page = async (path: string) => {
    const res = await fetch(`${sigap.url}${path}`, { headers: { cookie } });
    expect(res.status, path).toBe(200);
    return res.text();
  };

  it('opens no incident for it', async () => {
    expect((await head.call('GET', '/api/incidents?limit=10')).json.items).toEqual([]);
  });

  it('/api/services: availability 1 in every window, probe success below beside it, for the service and its check', async () => {
    const { json } = await head.call('GET', '/api/services');
    const flaky = json.items.find((s: { key: string }) => s.key === 'flaky');
    for (const subject of [flaky, flaky.checks[0]]) {
      expect(subject.availability).toEqual({ '24h': 1, '7d': 1, '30d': 1 });
      for (const window of ['24h', '7d', '30d']) expect(subject.probeSuccess[window]).toBeCloseTo(PROBE_SUCCESS, 10);
    }
  });

  it('/metrics: sigap_availability_ratio 1 and sigap_probe_success_ratio below', async () => {
    const text = await (await fetch(`${sigap.url}/metrics`)).text();
    for (const window of ['24h', '7d', '30d']) {
      expect(sample(text, 'sigap_availability_ratio', `service="flaky",window="${window}"`)).toBe(1);
      expect(sample(text, 'sigap_probe_success_ratio', `service="flaky",window="${window}"`)).toBeCloseTo(PROBE_SUCCESS, 10);
    }
  });

  it('/services: 100 % availability, and the probe success beside it', async () => {
    const html = await page('/services');
    expect(html).toMatch(/Ketersediaan: 24 jam <strong>100\.00 %<\/strong>/);
    expect(html).toContain(`Keberhasilan probe: 24 jam ${(PROBE_SUCCESS * 100).toFixed(2)} %`);
  });

  it('/status and /status.json: 100 % over 90 days and today, the service operational', async () => {
    const json = (await (await fetch(`${sigap.url}/status.json`)).json()) as {
      overall: string;
      services: Array<{ key: string; state: string; uptime90d: number | null; days: Array<{ day: string; ratio: number | null }> }>;
    };
    expect(json.overall).toBe('operational');
    expect(json.services[0]).toMatchObject({ key: 'flaky', state: 'operational', uptime90d: 1 });
    expect(json.services[0]!.days.at(-1)).toEqual({ day: '2026-12-10', ratio: 1 });
    const html = await (await fetch(`${sigap.url}/status`)).text();
    expect(html).toContain(`<strong>${formatPercent(1, 'id')}</strong>`);
    expect(html).toContain('Semua layanan berjalan normal.');
  });

  it('the monthly report: 100 % availability and the probe success beside it', async () => {
    const html = await page('/reports?month=2026-12');
    const row = html.match(/<tr data-service="flaky">.*?<\/tr>/s)![0];
    expect(row).toContain(formatPercent(1, 'id')!);
    expect(row).toContain(`<td class="muted probe-success">${formatPercent(PROBE_SUCCESS, 'id')}</td>`);
    const { json } = await head.call('GET', '/api/reports/availability?from=2026-12-10&to=2026-12-11');
    expect(json.days).toEqual([expect.objectContaining({ day: '2026-12-10', service: 'flaky', downMs: 0, availability: 1, probeDownMs: 60 * MIN })]);
    expect(json.days[0].probeSuccess).toBeCloseTo(PROBE_SUCCESS, 10);
    expect(json.downIntervals).toEqual([]);
  });
});
