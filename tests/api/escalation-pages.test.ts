// What the queue and the incident page show of SOP-Insiden-002 and -003: escalated and breached
// incidents marked in words (level and group, which target, the head of division), the closure
// checklist with the restoration check's progress, and the proposal to record a known error when
// a failure keeps coming back. On SQLite and PostgreSQL, with a clock the test moves by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeStatus } from '../../probes/probe-types.js';
import { callerFor, drive, logIncident, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

// Nothing probes or sweeps by itself (web role, no SLA sweep): the test feeds results and sweeps.
// One failure confirms, one success restores; probed every minute, so results go stale after 2 min.
const YAML = `
timezone: Asia/Jakarta
policy:
  flapping: { changes: 20 }
services:
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://127.0.0.1:9/", interval: 1m, failureThreshold: 1, successThreshold: 1 }
      - { key: skm-api, type: http, url: "http://127.0.0.1:9/api", interval: 1m, failureThreshold: 1, successThreshold: 1 }
`;

const MINUTE = 60_000;
// Monday 2 March 2026, 09:00 in Jakarta.
const START = new Date('2026-03-02T02:00:00Z');

describe.each(testDatabaseKinds())('escalation and closure on the pages, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let now = START;
  let desk: Caller;
  let admin: { cookie: string };

  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };

  /** A probe result taken now. */
  async function probe(checkKey: string, status: ProbeStatus) {
    await sigap.detector.handleResult({
      checkKey,
      startedAt: now,
      durationMs: 3,
      status,
      failureKind: status === 'up' ? null : 'connect',
      timings: { connect: 1 },
      evidence: status === 'up' ? { statusCode: 200 } : { errorCode: 'ECONNREFUSED' },
    });
  }

  /** One healthy result a minute for `minutes` minutes. */
  async function healthyFor(checkKey: string, minutes: number) {
    for (let m = 0; m < minutes; m += 1) {
      advance(MINUTE);
      await probe(checkKey, 'up');
    }
  }

  async function openIncidentOf(checkKey: string): Promise<{ ref: string; status: string; priority: string }> {
    const { json } = await desk.call('GET', '/api/incidents');
    const open = json.items.filter((i: { check: string | null; status: string }) => i.check === checkKey && !['resolved', 'closed', 'canceled'].includes(i.status));
    expect(open).toHaveLength(1);
    return open[0];
  }

  async function page(path: string): Promise<string> {
    const res = await fetch(`${sigap.url}${path}`, { headers: { cookie: admin.cookie, accept: 'text/html' } });
    expect(res.status).toBe(200);
    return res.text();
  }

  /** The HTML of the queue row that links to an incident. */
  function rowOf(html: string, ref: string): string {
    const link = html.indexOf(`href="/incidents/${ref}"`);
    expect(link).toBeGreaterThan(-1);
    return html.slice(html.lastIndexOf('<tr', link), html.indexOf('</tr>', link));
  }

  /** The closure checklist section of an incident page. */
  function checklistOf(html: string): string {
    const start = html.indexOf('<section class="closure">');
    expect(start).toBeGreaterThan(-1);
    return html.slice(start, html.indexOf('</section>', start));
  }

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => now, slaSweepMs: 0 } });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
    admin = await logIn(sigap.url!);
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('marks a P2 incident whose response target passed as breached (response), escalated to L1 and with the head of division involved, in both languages', async () => {
    const ref = await logIncident(desk, { impact: 'high', urgency: 'medium', title: 'Formulir SKM lambat sekali' });
    expect((await desk.call('GET', `/api/incidents/${ref}`)).json.priority).toBe('P2');
    const before = rowOf(await page('/'), ref);
    expect(before).not.toContain('Terlampaui');
    expect(before).not.toContain('Eskalasi');

    advance(31 * MINUTE);
    await sigap.incidents.sla.sweep();

    const id = rowOf(await page('/'), ref);
    expect(id).toMatch(/<tr class="priority-p2 escalated breached" data-live-key="INC-[0-9-]+">/);
    expect(id).toContain('Eskalasi L1 · dukungan sistem');
    expect(id).toContain('Terlampaui: respons');
    expect(id).not.toContain('penyelesaian<');
    expect(id).toContain('Kepala bidang dilibatkan');
    // the response clock stops once escalated: the target shows as missed, not as a growing "over"
    expect(id).toContain('<span class="due overdue">terlampaui (jam berhenti)</span>');
    expect(id).toContain('<span class="due">sisa 7 jam 29 menit</span>');
    const en = rowOf(await page('/?lang=en'), ref);
    expect(en).toContain('Escalated L1 · system support');
    expect(en).toContain('Breached: response');
    expect(en).toContain('Head of division involved');
  });

  it('shows the breach, the automatic escalation by sigap and the head of division on the incident page, with readable timeline labels', async () => {
    const { json } = await desk.call('GET', '/api/incidents?status=escalated');
    const ref = json.items[0].ref as string;
    const html = await page(`/incidents/${ref}`);
    expect(html).toContain('dukungan sistem (level 1)');
    expect(html).toContain('<span class="tag breached">Terlampaui: respons</span>');
    expect(html).not.toContain('Terlampaui: penyelesaian');
    expect(html).toContain('<dt>Kepala bidang</dt><dd><span class="tag management">Kepala bidang dilibatkan</span>: batas respons terlampaui</dd>');
    expect(html).toContain('<strong>Batas SLA terlampaui</strong> (batas respons lewat 1 menit) · sigap');
    expect(html).toContain('<strong>Dieskalasi</strong> (otomatis oleh Sigap: batas respons terlampaui) · sigap');
    expect(html).toContain('<strong>Kepala bidang dilibatkan</strong> (batas respons terlampaui) · sigap');
    expect(html).not.toMatch(/event\.\w/);
    const en = await page(`/incidents/${ref}?lang=en`);
    expect(en).toContain('<strong>SLA target breached</strong> (response target missed by 1 min) · sigap');
    expect(en).toContain('<strong>Escalated</strong> (automatically by Sigap: response target breached) · sigap');
    expect(en).not.toMatch(/event\.\w/);
  });

  it('shows a resolved probe incident waiting for its check to stay healthy, with the time left, then verified after 15 minutes healthy', async () => {
    await probe('skm-form', 'down');
    const { ref, priority } = await openIncidentOf('skm-form');
    expect(priority).not.toBe('P1');
    await drive(desk, ref, [['acknowledge'], ['resolve', { resolutionCode: 'restarted', note: 'php-fpm dijalankan ulang', confirmStillFailing: true }]]);

    const down = checklistOf(await page(`/incidents/${ref}`));
    expect(down).toContain('Daftar periksa penutupan');
    expect(down).toContain('✓</span> Penyelesaian didokumentasikan');
    expect(down).toContain('✗</span> Layanan terverifikasi pulih');
    expect(down).toContain('Menunggu: pemeriksaan belum sehat; harus sehat 15 menit berturut-turut');
    expect(down).toContain('–</span> Pelapor diberi tahu');
    expect(down).toContain('Ditutup otomatis pada');

    await healthyFor('skm-form', 6);
    const briefly = checklistOf(await page(`/incidents/${ref}`));
    expect(briefly).toContain('Menunggu: pemeriksaan baru sehat selama 5 menit, tinggal 10 menit lagi (perlu 15 menit berturut-turut).');
    const brieflyEn = checklistOf(await page(`/incidents/${ref}?lang=en`));
    expect(brieflyEn).toContain('Closure checklist');
    expect(brieflyEn).toContain('Waiting: the check has been healthy for 5 min only, 10 min to go');
    expect(brieflyEn).toContain('Closes by itself at');

    await healthyFor('skm-form', 11);
    const verified = checklistOf(await page(`/incidents/${ref}`));
    expect(verified).toContain('✓</span> Layanan terverifikasi pulih');
    expect(verified).toContain('Terverifikasi: pemeriksaan sehat selama 16 menit berturut-turut.');
    expect(verified).not.toContain('Menunggu');
  });

  it('asks a manual resolved incident to inform its reporter, verification not required, with the reporter’s name escaped', async () => {
    const ref = await logIncident(desk, { reporter: { name: '<img src=x onerror=alert(1)>', contact: null } });
    await drive(desk, ref, [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: 'cache formulir dibersihkan' }]]);
    const html = checklistOf(await page(`/incidents/${ref}`));
    expect(html).toContain('✓</span> Layanan terverifikasi pulih');
    expect(html).toContain('Tidak diperlukan: insiden ini tidak dipantau probe; konfirmasi dengan pelapor sebagai gantinya.');
    expect(html).toContain('✗</span> Pelapor diberi tahu <span class="state">(belum)</span>');
    expect(html).toContain('Pelapor: &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).not.toContain('<img');
    const en = checklistOf(await page(`/incidents/${ref}?lang=en`));
    expect(en).toContain('Not required: no probe watches this incident; confirm with the reporter instead.');
    expect(en).toContain('✗</span> Reporter informed');

    await drive(desk, ref, [['close', { closureCode: 'confirmed' }]]);
    const closed = checklistOf(await page(`/incidents/${ref}`));
    expect(closed).toContain('✓</span> Pelapor diberi tahu');
    expect(closed).toContain('Pelapor mengonfirmasi layanan pulih.');
    expect(closed).not.toContain('Ditutup otomatis pada');
  });

  it('proposes recording a known error, with the form open, once the same check failed the same way three times in 30 days', async () => {
    const resolve = (ref: string) => drive(desk, ref, [['resolve', { resolutionCode: 'restarted', note: 'layanan API dijalankan ulang', confirmStillFailing: true }]]);
    await probe('skm-api', 'down');
    const { ref } = await openIncidentOf('skm-api');
    await drive(desk, ref, [['acknowledge']]);
    await resolve(ref);
    const once = await page(`/incidents/${ref}`);
    expect(once).not.toContain('class="proposal"');
    expect(once).toMatch(/<details class="known-error-form" id="known-error-form">/);

    for (let reopen = 1; reopen <= 2; reopen += 1) {
      await healthyFor('skm-api', 1);
      advance(MINUTE);
      await probe('skm-api', 'down');
      expect(await openIncidentOf('skm-api')).toMatchObject({ ref, status: 'assigned' });
      await resolve(ref);
    }

    const html = await page(`/incidents/${ref}`);
    expect(html).toContain('<p class="proposal">Gangguan ini terulang 3 kali dalam 30 hari: catat sebagai known error.');
    expect(html).toMatch(/<details class="known-error-form" id="known-error-form" open>/);
    expect(await page(`/incidents/${ref}?lang=en`)).toContain('This failure recurred 3 times in 30 days: record it as a known error.');

    // Once recorded, the proposal goes away.
    const saved = await desk.call('POST', `/api/incidents/${ref}/known-error`, { symptoms: 'API SKM menolak koneksi', cause: 'proses API berhenti' });
    expect(saved.status, JSON.stringify(saved.json)).toBe(201);
    expect(await page(`/incidents/${ref}`)).not.toContain('class="proposal"');
  });

  it('keeps a script in an incident title escaped in the queue', async () => {
    const ref = await logIncident(desk, { title: '<script>alert(1)</script>' });
    const row = rowOf(await page('/'), ref);
    expect(row).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(row).not.toContain('<script>');
  });
});
