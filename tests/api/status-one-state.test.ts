// The public status page never contradicts itself: its headline, each service's card and the list
// of ongoing disruptions come from one state per service (the worst of its checks, its incidents
// not restored yet and maintenance). Each case is read from /status.json and /status, on SQLite
// and PostgreSQL, in the order a day might bring them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeStatus } from '../../probes/probe-types.js';
import { callerFor, drive, logIncident, type Caller } from '../helpers/incident-api.js';
import { startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const NOW = new Date('2026-11-27T03:00:00Z'); // Friday 10:00 WIB
const service = (key: string, name: string) =>
  `  - key: ${key}\n    name: ${name}\n    impact: medium\n    checks:\n      - { key: ${key}-web, type: http, url: "http://127.0.0.1:9/${key}", interval: 60s, timeout: 10s }\n`;
const YAML = 'timezone: Asia/Jakarta\nservices:\n' + service('pengaduan', 'Pengaduan Masyarakat') + service('skm', 'Survei Kepuasan Masyarakat') + service('web', 'Website Dinas');

interface Page {
  overall: string;
  states: Record<string, string>;
  disrupted: string[];
  html: string;
}

describe.each(testDatabaseKinds())('one state per service on the status page, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  const now = NOW;
  let admin: Caller;

  const setCheck = async (key: string, state: ProbeStatus) => {
    const id = (await sigap.db.stores.checks.getCheck(key))!.id;
    await sigap.db.stores.checks.updateCheckState(id, {
      state,
      consecutiveFailures: state === 'up' ? 0 : 3,
      consecutiveSuccesses: state === 'up' ? 3 : 0,
      streakStartedAt: new Date(NOW.getTime() - 30_000),
      lastResultAt: new Date(NOW.getTime() - 30_000),
      lastStateChangeAt: new Date(NOW.getTime() - 30_000),
    });
  };

  /** The page as JSON and HTML, with the rule checked on every read: the three parts agree. */
  const read = async (): Promise<Page> => {
    const json = (await (await fetch(`${sigap.url}/status.json`)).json()) as { overall: string; disrupted: string[]; services: Array<{ key: string; state: string }> };
    const html = await (await fetch(`${sigap.url}/status`)).text();
    const states = Object.fromEntries(json.services.map((s) => [s.key, s.state]));
    const listed = [...html.matchAll(/<li class="status-disruption" data-service="([a-z]+)">\s*<strong>[^<]+<\/strong> <span class="svc-state svc-([a-z_]+)">/g)].map((m) => [
      m[1],
      m[2],
    ]);
    // The list shows the disrupted services, each with its card's state; the headline is "normal" only when it is empty.
    expect(listed).toEqual(json.disrupted.map((key) => [key, states[key]]));
    for (const [key, state] of listed) expect(html).toMatch(new RegExp(`data-service="${key}">\\s*<h3>[^<]+<span class="svc-state svc-${state}">`));
    expect(html.includes('Semua layanan berjalan normal.')).toBe(json.disrupted.length === 0 && json.overall === 'operational');
    return { overall: json.overall, states, disrupted: json.disrupted, html };
  };

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    admin = await callerFor(sigap, 'admin', 'admin');
    for (const key of ['pengaduan-web', 'skm-web', 'web-web']) await setCheck(key, 'up');
  });
  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('says all is normal, lists nothing ongoing, when every check is up and nothing is open', async () => {
    const page = await read();
    expect(page).toMatchObject({ overall: 'operational', states: { pengaduan: 'operational', skm: 'operational', web: 'operational' }, disrupted: [] });
    expect(page.html).not.toContain('class="status-incidents current"');
  });

  let ref = '';
  it('an open incident on a service whose checks are up disrupts that service: headline, card and list agree', async () => {
    ref = await logIncident(admin, { service: 'pengaduan', title: 'Formulir tidak terkirim', category: 'application', subcategory: 'form-submission' });
    const page = await read();
    expect(page).toMatchObject({ overall: 'disrupted', states: { pengaduan: 'partial_outage', skm: 'operational' }, disrupted: ['pengaduan'] });
    expect(page.html).toContain('Sebagian layanan sedang mengalami gangguan.');
    expect(page.html).not.toContain('Semua layanan berjalan normal.');
    expect(page.html).toMatch(/<strong>Pengaduan Masyarakat<\/strong> — Sebagian fungsi terganggu/);
    // the card says it too, not "Beroperasi normal"
    expect(page.html).toMatch(/data-service="pengaduan">\s*<h3>Pengaduan Masyarakat <span class="svc-state svc-partial_outage">Gangguan sebagian<\/span>/);
  });

  it('a down check without an incident disrupts its service, listed as seen by monitoring', async () => {
    await drive(admin, ref, [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: 'formulir diperbaiki' }]]);
    await setCheck('skm-web', 'down');
    const page = await read();
    expect(page).toMatchObject({ overall: 'disrupted', states: { pengaduan: 'operational', skm: 'major_outage' }, disrupted: ['skm'] });
    expect(page.html).toContain('Pemantauan mendeteksi layanan tidak dapat diakses.');
  });

  it('maintenance over a whole service: headline and list say maintenance, the card too', async () => {
    await setCheck('skm-web', 'up');
    const window = await admin.call('POST', '/api/maintenance', { title: 'Pemindahan server', service: 'web', startsAt: '2026-11-27T09:00', endsAt: '2026-11-27T12:00' });
    expect(window.status, JSON.stringify(window.json)).toBe(201);
    const page = await read();
    expect(page).toMatchObject({ overall: 'maintenance', states: { pengaduan: 'operational', skm: 'operational', web: 'maintenance' }, disrupted: ['web'] });
    expect(page.html).toContain('Sebagian layanan sedang dalam pemeliharaan.');
    expect(page.html).toContain('Pemeliharaan terjadwal sedang berlangsung.');
  });

  it('an incident during maintenance is the worse of the two, and a disruption elsewhere outranks maintenance in the headline', async () => {
    await logIncident(admin, { service: 'web', title: 'Halaman utama kosong', category: 'availability', subcategory: 'outage' });
    await setCheck('pengaduan-web', 'degraded');
    const page = await read();
    expect(page).toMatchObject({ overall: 'disrupted', states: { pengaduan: 'degraded', web: 'partial_outage' }, disrupted: ['pengaduan', 'web'] });
  });
});
