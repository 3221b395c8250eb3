// The public status page: citizens read /status and /status.json without logging in; each
// service's state comes from its checks (partial and major outage, degraded, maintenance, unknown
// when the data is stale), and incidents are told in public-safe words only — nothing a clerk
// typed, nobody's name, no evidence, no internal address, no ref. On SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeStatus } from '../../probes/probe-types.js';
import { callerFor, drive, logIncident, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const NOW = new Date('2026-11-27T03:00:00Z'); // Friday 10:00 WIB
const minutes = (n: number) => n * 60_000;

const service = (key: string, name: string, checks: string[]) =>
  `  - key: ${key}\n    name: ${name}\n    impact: medium\n    checks:\n` +
  checks.map((c) => `      - { key: ${c}, type: http, url: "http://127.0.0.1:9/${c}", interval: 60s, timeout: 10s }\n`).join('');
const YAML =
  'timezone: Asia/Jakarta\nservices:\n' +
  service('perizinan', 'Perizinan Online', ['izin-web', 'izin-api']) +
  service('pengaduan', 'Pengaduan Masyarakat', ['pengaduan-web']) +
  service('skm', 'Survei Kepuasan Masyarakat', ['skm-web']) +
  service('arsip', 'Arsip Digital', ['arsip-web']) +
  service('lambat', 'Antrean Daring', ['lambat-web']) +
  service('web', 'Website Dinas', ['web-web']);

// Everything a clerk, a reporter or a probe put into an incident that a citizen must never read.
const SECRETS = ['RAHASIA', '10.0.0.5', 'Budi Petugas', 'budi', 'Pelapor Rahasia', '0812', 'INC-', 'izin-web', 'pengaduan-web', '/admin'];

describe.each(testDatabaseKinds())('the public status page, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let now = NOW;
  let admin: Caller;

  const setCheck = async (key: string, state: ProbeStatus, lastResultAt: Date | null) => {
    const checks = await sigap.db.stores.checks.listChecks();
    const id = checks.find((c) => c.key === key)!.id;
    await sigap.db.stores.checks.updateCheckState(id, {
      state,
      consecutiveFailures: state === 'down' ? 3 : 0,
      consecutiveSuccesses: state === 'up' ? 3 : 0,
      streakStartedAt: lastResultAt,
      lastResultAt: lastResultAt ?? new Date(0),
      lastStateChangeAt: lastResultAt,
    });
  };
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${sigap.url}${path}`, { headers, redirect: 'manual' });

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    admin = await callerFor(sigap, 'admin', 'admin');
    await callerFor(sigap, 'budi', 'service_desk');
    await sigap.db.stores.accounts.updateUser((await sigap.db.stores.accounts.findUserByUsername('budi'))!.id, { displayName: 'Budi Petugas' }, now);

    const fresh = new Date(NOW.getTime() - 30_000);
    await setCheck('izin-web', 'down', fresh);
    await setCheck('izin-api', 'up', fresh);
    await setCheck('pengaduan-web', 'down', fresh);
    await setCheck('skm-web', 'up', fresh);
    await setCheck('arsip-web', 'up', new Date(NOW.getTime() - minutes(5))); // > 2 × 60 s + 10 s ago
    await setCheck('lambat-web', 'degraded', fresh);
    await setCheck('web-web', 'up', fresh);
    const window = await admin.call('POST', '/api/maintenance', { title: 'Pemindahan server SKM', service: 'skm', startsAt: '2026-11-27T09:00', endsAt: '2026-11-27T12:00' });
    expect(window.status, JSON.stringify(window.json)).toBe(201);

    // Open, with every internal field full of things a citizen must not see.
    const open = await logIncident(admin, {
      service: 'pengaduan',
      title: 'RAHASIA-123 basis data pengaduan mati',
      description: 'Server http://10.0.0.5/admin menolak koneksi; kata sandi RAHASIA-PW ada di catatan.',
      impact: 'high',
      urgency: 'high',
      category: 'availability',
      subcategory: 'outage',
      reporter: { name: 'Pelapor Rahasia', contact: '0812-9999-0000' },
    });
    await drive(admin, open, [
      ['assign', { assignee: 'budi', note: 'RAHASIA-ASSIGN dialihkan ke Budi Petugas' }],
      ['note', { note: 'RAHASIA-NOTE cek http://10.0.0.5/admin' }],
    ]);
    const row = (await sigap.db.stores.incidents.findByRef(open))!;
    await sigap.db.stores.incidents.update(
      row.id,
      { evidence: { url: 'http://10.0.0.5/admin', bodyExcerpt: 'RAHASIA-BODY', errorMessage: 'connect ECONNREFUSED 10.0.0.5:80', resolvedAddress: '10.0.0.5' } },
      now,
    );

    // Resolved two days ago: listed as recent. Resolved ten days ago: gone from the page.
    now = new Date(NOW.getTime() - 2 * 86_400_000);
    const recent = await logIncident(admin, {
      service: 'lambat',
      title: 'RAHASIA-LAMBAT',
      description: 'RAHASIA',
      impact: 'medium',
      urgency: 'low',
      category: 'performance',
      subcategory: 'slow-response',
    });
    now = new Date(now.getTime() + minutes(45));
    await drive(admin, recent, [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: 'RAHASIA-RESOLUSI indeks ditambah' }]]);
    now = new Date(NOW.getTime() - 10 * 86_400_000);
    const old = await logIncident(admin, { service: 'web', title: 'RAHASIA-LAMA', description: 'RAHASIA', category: 'data', subcategory: 'data-quality' });
    await drive(admin, old, [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: 'RAHASIA' }]]);
    now = NOW;
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('answers anyone, without a log-in, with a 30-second cache', async () => {
    for (const path of ['/status', '/status.json']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control'), path).toBe('public, max-age=30');
      expect(res.headers.get('vary'), path).toMatch(/\bCookie\b/);
    }
    const html = await (await get('/status')).text();
    expect(html).toContain('Status layanan');
    expect(html).not.toContain('action="/logout"');
  });

  it('is private and never stored for a logged-in user, whose page carries their CSRF token', async () => {
    const session = await logIn(sigap.url!);
    for (const path of ['/status', '/status.json']) {
      const res = await get(path, { cookie: session.cookie });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control'), path).toBe('private, no-store');
      expect(res.headers.get('vary'), path).toMatch(/\bCookie\b/);
    }
    const html = await (await get('/status', { cookie: session.cookie })).text();
    expect(html).toContain(session.csrfToken);
  });

  it('computes each service’s state from its checks, maintenance and stale data', async () => {
    const json = (await (await get('/status.json')).json()) as {
      services: Array<{ key: string; state: string; days: Array<{ day: string; ratio: number | null }>; uptime90d: number | null }>;
    };
    expect(Object.fromEntries(json.services.map((s) => [s.key, s.state]))).toEqual({
      perizinan: 'partial_outage', // one check down of two
      pengaduan: 'major_outage', // its only check down
      skm: 'maintenance', // a window covers it now
      arsip: 'unknown', // no result for 5 minutes, with a 60 s interval
      lambat: 'degraded',
      web: 'operational',
    });
    const days = json.services[0]!.days;
    expect(days).toHaveLength(90);
    expect(days.at(-1)!.day).toBe('2026-11-27');
    expect(days[0]!.day).toBe('2026-08-30');
    expect(Object.keys(days[0]!).sort()).toEqual(['day', 'ratio']);
  });

  it('shows the states, 90 bars with a text alternative, and incidents in public words, in Indonesian', async () => {
    const html = await (await get('/status')).text();
    for (const text of ['Gangguan sebagian', 'Gangguan total', 'Pemeliharaan', 'Status tidak diketahui', 'Tidak berjalan normal', 'Beroperasi normal'])
      expect(html).toContain(text);
    expect(html.match(/<li class="ratio-[a-z]+" title="2026-\d\d-\d\d: /g)).toHaveLength(6 * 90);
    expect(html).toContain('<span class="sr-only">2026-11-27: tidak ada data</span>');
    expect(html).toMatch(/<strong>Pengaduan Masyarakat<\/strong> — Gangguan layanan\s*<span class="svc-state incident-state-investigating">Sedang ditangani<\/span>/);
    expect(html).toMatch(/<strong>Antrean Daring<\/strong> — Lambat\s*<span class="svc-state incident-state-resolved">Selesai<\/span>/);
    expect(html).toContain('Mulai 27 Nov 2026, 10.00 WIB');
    expect(html).not.toContain('Website Dinas</strong>');
  });

  it('lists open and recently resolved incidents in status.json without internals', async () => {
    const json = (await (await get('/status.json')).json()) as { incidents: unknown[]; generatedAt: string };
    expect(json.generatedAt).toBe(NOW.toISOString());
    expect(json.incidents).toEqual([
      { service: 'pengaduan', serviceName: 'Pengaduan Masyarakat', category: 'outage', state: 'investigating', startedAt: NOW.toISOString(), restoredAt: null },
      expect.objectContaining({ service: 'lambat', category: 'slow', state: 'resolved', startedAt: new Date(NOW.getTime() - 2 * 86_400_000).toISOString() }),
    ]);
  });

  it('never shows a title, description, note, person, evidence, check or ref', async () => {
    const bodies = await Promise.all(['/status', '/status?lang=en', '/status.json'].map(async (p) => [p, await (await get(p)).text()] as const));
    for (const [path, body] of bodies) {
      for (const secret of SECRETS) expect(body.includes(secret), `${path} shows ${secret}`).toBe(false);
    }
  });

  it('speaks English with ?lang=en', async () => {
    const html = await (await get('/status?lang=en')).text();
    for (const text of [
      'Service status',
      'Partial outage',
      'Major outage',
      'Maintenance',
      'Status unknown',
      'Service disruption',
      'Being worked on',
      'Disruptions in the last 7 days',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain('<html lang="en">');
  });
});
