// The incident page guides, as a browser without JavaScript sees it: the SOP's next step for this
// state and this person first, as a sentence and as the one primary form; the other actions in a
// collapsed group; cancelling apart and refused by the server without its confirmation; a
// confirmation after every action (post/redirect/get); the history newest first; and after the
// desk hands an incident to the vendor, the page and the API agree on what the desk may still do.
// On SQLite and PostgreSQL.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMessages } from '../../api/i18n.js';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { PROJECT_ROOT } from '../helpers/sigap-process.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

interface Browser {
  cookie: string;
  csrfToken: string;
}

type Role = 'desk' | 'support' | 'vendor' | 'admin' | 'manager';
type Steps = ReadonlyArray<readonly [string, unknown?]>;

const id = loadMessages(join(PROJECT_ROOT, 'views', 'locales'), 'id');

/** The action of the page's primary form, or null. */
const primaryOf = (html: string) => /<div class="action-form action-(\w+) primary">/.exec(html)?.[1] ?? null;
/** The actions whose forms sit in a group, by group. */
function groupsOf(html: string) {
  const section = html.slice(html.indexOf('<section class="actions"'), html.indexOf('</section>', html.indexOf('<section class="actions"')));
  const forms = (part: string) => [...part.matchAll(/<details class="action-form action-(\w+)"/g)].map((m) => m[1]);
  const danger = section.indexOf('<details class="actions-group danger-zone"');
  return { others: forms(danger < 0 ? section : section.slice(0, danger)), danger: danger < 0 ? [] : forms(section.slice(danger)) };
}
const flashOf = (html: string) => /<div class="flash" role="status">([^<]*)<\/div>/.exec(html)?.[1] ?? null;
const nextStepOf = (html: string) => /<p class="next-step-text">(.*?)<\/p>/s.exec(html)?.[1]?.replace(/<[^>]+>/g, '') ?? null;

describe.each(testDatabaseKinds())('the incident page that guides, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  // Wednesday 25 November 2026, 10:00 WIB: office hours.
  let now = new Date('2026-11-25T03:00:00Z');
  let desk: Caller;
  let supportApi: Caller;
  let vendorApi: Caller;
  const browsers = {} as Record<Role, Browser>;

  const page = async (path: string, who: Role) => {
    const res = await fetch(`${sigap.url}${path}`, { redirect: 'manual', headers: { cookie: browsers[who].cookie, accept: 'text/html' } });
    return { status: res.status, html: await res.text() };
  };
  const post = async (path: string, who: Role, fields: Record<string, string>) => {
    const body = new URLSearchParams({ _csrf: browsers[who].csrfToken, ...fields });
    const res = await fetch(`${sigap.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: browsers[who].cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  };
  const statusOf = async (ref: string) => (await desk.call('GET', `/api/incidents/${ref}`)).json.status as string;

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: INCIDENT_TEST_YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
    supportApi = await callerFor(sigap, 'support1', 'support');
    vendorApi = await callerFor(sigap, 'vendor1', 'vendor');
    await callerFor(sigap, 'head1', 'manager');
    browsers.desk = await logIn(sigap.url!, 'desk1', 'desk1-password');
    browsers.support = await logIn(sigap.url!, 'support1', 'support1-password');
    browsers.vendor = await logIn(sigap.url!, 'vendor1', 'vendor1-password');
    browsers.manager = await logIn(sigap.url!, 'head1', 'head1-password');
    browsers.admin = await logIn(sigap.url!);
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  const RESOLVE = ['resolve', { resolutionCode: 'fixed', note: 'konfigurasi diperbaiki' }] as const;
  // How a freshly logged incident reaches each state, and as whom; then each role's primary action ('404': the page is not theirs).
  const STATES: ReadonlyArray<readonly [string, Steps, 'desk' | 'vendor', Partial<Record<Role, string | null>>]> = [
    ['new', [], 'desk', { desk: 'acknowledge', support: 'acknowledge', admin: 'acknowledge', manager: null, vendor: '404' }],
    ['assigned to desk1', [['acknowledge']], 'desk', { desk: 'resolve', support: 'note', admin: 'note', manager: null }],
    ['escalated to system support', [['escalate', { note: 'perlu tim aplikasi' }]], 'desk', { support: 'acknowledge', desk: 'note', admin: 'acknowledge', vendor: '404' }],
    [
      'escalated to the vendor',
      [['acknowledge'], ['escalate', { level: 2, note: 'perlu vendor' }]],
      'desk',
      { vendor: 'resolve', desk: 'note', support: 'note', admin: 'acknowledge', manager: null },
    ],
    ['pending', [['acknowledge'], ['pending', { reason: 'menunggu penyedia hosting' }]], 'desk', { desk: 'resume', support: 'resume', admin: 'resume' }],
    ['resolved', [['acknowledge'], RESOLVE], 'desk', { desk: 'close', support: 'close', admin: 'close', manager: null, vendor: '404' }],
    ['resolved by the vendor', [['escalate', { level: 2, note: 'perlu vendor' }]], 'vendor', { vendor: null, desk: 'close' }],
    ['closed', [['acknowledge'], RESOLVE, ['close', { closureCode: 'confirmed' }]], 'desk', { desk: null, support: null, admin: null }],
    ['canceled', [['cancel', { reason: 'laporan ganda' }]], 'desk', { desk: null, admin: null }],
  ];

  it.each(STATES)('%s: each role is offered its next step as the primary form', async (_name, steps, then, expected) => {
    const ref = await logIncident(desk);
    await drive(desk, ref, steps);
    if (then === 'vendor') await drive(vendorApi, ref, [RESOLVE]);
    for (const [role, action] of Object.entries(expected) as Array<[Role, string | null]>) {
      const { status, html } = await page(`/incidents/${ref}`, role);
      if (action === '404') {
        expect(status, role).toBe(404);
        continue;
      }
      expect(status, role).toBe(200);
      expect(primaryOf(html), role).toBe(action);
      expect(nextStepOf(html), role).toMatch(/^Langkah berikutnya: \S/);
      // What is primary is not offered a second time below it.
      if (action) expect(groupsOf(html).others, role).not.toContain(action);
    }
  });

  it('cites the SOP step as the /sop page numbers it', async () => {
    const ref = await logIncident(desk);
    const html = (await page(`/incidents/${ref}`, 'desk')).html;
    const cited = /<a href="\/sop#(SOP-Insiden-\d{3})">\1 langkah (\d+)<\/a>/.exec(html);
    expect(cited?.slice(1)).toEqual(['SOP-Insiden-001', '5']);
    expect(nextStepOf(html)).toBe('Langkah berikutnya: terima insiden dan mulai diagnosis (SOP-Insiden-001 langkah 5).');
    const sop = (await page('/sop', 'desk')).html;
    const section = sop.slice(sop.indexOf('id="SOP-Insiden-001"'));
    const steps = [...section.slice(section.indexOf('<ol class="steps">')).matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]!);
    const respond = id['sop.001.step.respond']!.split('{')[0]!;
    expect(steps[4]!.startsWith(respond), `${steps[4]} starts with ${respond}`).toBe(true);
  });

  it('keeps cancelling apart, refuses it without the "Saya yakin" box (422, nothing changed) and cancels with it', async () => {
    const ref = await logIncident(desk);
    const before = await page(`/incidents/${ref}`, 'desk');
    expect(groupsOf(before.html)).toEqual({ others: ['assign', 'note', 'reprioritize', 'escalate', 'escalate_management'], danger: ['cancel'] });
    expect(before.html).toContain('Saya yakin ingin membatalkan insiden ini');

    const refused = await post(`/incidents/${ref}/actions/cancel`, 'desk', { reason: 'laporan ganda' });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('Insiden tidak dibatalkan: centang');
    // The refused form comes back open in its open group, with the reason typed and the box unticked.
    expect(refused.html).toMatch(/<details class="actions-group danger-zone" open>/);
    expect(refused.html).toMatch(/<details class="action-form action-cancel" open>/);
    expect(refused.html).toContain('laporan ganda');
    expect(refused.html).not.toMatch(/name="confirm" value="true" checked/);
    expect(await statusOf(ref)).toBe('new');

    const done = await post(`/incidents/${ref}/actions/cancel`, 'desk', { reason: 'laporan ganda', confirm: 'true' });
    expect([done.status, done.location]).toEqual([303, `/incidents/${ref}?done=cancel`]);
    expect(await statusOf(ref)).toBe('canceled');
    expect(flashOf((await page(done.location!, 'desk')).html)).toBe(`Insiden ${ref} dibatalkan.`);
  });

  it('confirms every action on the page it redirects to, and shows nothing for a `done` it does not know', async () => {
    const ref = await logIncident(desk);
    const walk: ReadonlyArray<readonly [Role, string, Record<string, string>, string]> = [
      ['desk', 'note', { note: 'pelapor dihubungi' }, 'Catatan disimpan.'],
      ['desk', 'reprioritize', { urgency: 'high', reason: 'banyak warga terdampak' }, `Prioritas insiden ${ref} diubah.`],
      ['desk', 'acknowledge', {}, `Insiden ${ref} diterima; Anda pemiliknya sekarang.`],
      ['desk', 'escalate_management', { note: 'mohon perhatian' }, `Kepala bidang dilibatkan dalam insiden ${ref}.`],
      ['desk', 'pending', { reason: 'menunggu pelapor' }, `Insiden ${ref} ditunda; jam penyelesaian dijeda.`],
      ['desk', 'resume', {}, `Penanganan insiden ${ref} dilanjutkan.`],
      ['desk', 'escalate', { level: '1', note: 'perlu tim aplikasi' }, `Insiden ${ref} dieskalasi.`],
      ['support', 'assign', { assignee: 'support1' }, `Insiden ${ref} ditugaskan.`],
      ['support', 'resolve', { resolutionCode: 'fixed', note: 'batas unggah dinaikkan' }, `Insiden ${ref} diselesaikan.`],
      ['desk', 'reopen', { reason: 'pelapor masih gagal' }, `Insiden ${ref} dibuka kembali.`],
      ['support', 'resolve', { resolutionCode: 'fixed', note: 'server dimulai ulang' }, `Insiden ${ref} diselesaikan.`],
      ['desk', 'close', { closureCode: 'confirmed' }, `Insiden ${ref} ditutup.`],
    ];
    for (const [who, action, fields, message] of walk) {
      const res = await post(`/incidents/${ref}/actions/${action}`, who, fields);
      expect([res.status, res.location], `${action}: ${res.html.slice(0, 300)}`).toEqual([303, `/incidents/${ref}?done=${action}`]);
      expect(flashOf((await page(res.location!, who)).html), action).toBe(message);
    }
    expect(await statusOf(ref)).toBe('closed');
    for (const done of ['teleport', '<script>', '']) expect(flashOf((await page(`/incidents/${ref}?done=${encodeURIComponent(done)}`, 'desk')).html)).toBeNull();
    // In English too, from the same table.
    expect(flashOf((await page(`/incidents/${ref}?done=close&lang=en`, 'desk')).html)).toBe(`Incident ${ref} closed.`);
    await page(`/incidents/${ref}?lang=id`, 'desk');
  });

  it('keeps a refused form open with its message beside it, and says why when the action no longer applies', async () => {
    const ref = await logIncident(desk);
    await drive(desk, ref, [['acknowledge']]);
    // The primary form (resolve) refused: its message inside it, what was typed kept, no confirmation.
    const resolve = await post(`/incidents/${ref}/actions/resolve`, 'desk', { resolutionCode: 'workaround', note: ' ' });
    expect(resolve.status).toBe(422);
    const primary = resolve.html.slice(
      resolve.html.indexOf('<div class="action-form action-resolve primary">'),
      resolve.html.indexOf('</form>', resolve.html.indexOf('action-resolve primary')),
    );
    expect(primary).toContain('<div class="form-error" role="alert">');
    expect(primary).toContain('<option value="workaround" selected>');
    expect(flashOf(resolve.html)).toBeNull();
    // A grouped form refused: its group and its own box come back open.
    const reprioritize = await post(`/incidents/${ref}/actions/reprioritize`, 'desk', { urgency: 'high', reason: '' });
    expect(reprioritize.status).toBe(422);
    expect(reprioritize.html).toMatch(/<details class="actions-group" open>/);
    expect(reprioritize.html).toMatch(
      /<details class="action-form action-reprioritize" open>\s*<summary>[^<]*<\/summary>\s*<form[^>]*>\s*<input[^>]*>\s*<div class="form-error" role="alert">/,
    );
    // Someone else moved the incident on meanwhile: a form no longer offered still gets its answer (409).
    const stale = await post(`/incidents/${ref}/actions/acknowledge`, 'desk', {});
    expect(stale.status).toBe(409);
    expect(stale.html).toMatch(/<\/div>\s*<div class="form-error" role="alert"><h3>&quot;Terima \(ambil alih\)&quot; tidak dilakukan:<\/h3>/);
    expect(await statusOf(ref)).toBe('assigned');
  });

  it('shows the history newest first, above the evidence and the deliveries', async () => {
    const ref = await logIncident(desk);
    await drive(desk, ref, [['note', { note: 'catatan pertama' }]]);
    now = new Date(now.getTime() + 60_000);
    await drive(desk, ref, [['acknowledge'], ['note', { note: 'catatan terbaru' }]]);
    const { html } = await page(`/incidents/${ref}`, 'desk');
    const history = html.slice(html.indexOf('<section class="history"'));
    const events = [...history.matchAll(/<li class="event"><time>[^<]*<\/time> <strong>([^<]*)<\/strong>/g)].map((m) => m[1]);
    expect(events).toEqual(['Catatan', 'Diterima', 'Catatan', 'Insiden dicatat']);
    expect(history.indexOf('catatan terbaru')).toBeLessThan(history.indexOf('catatan pertama'));
    expect(html.indexOf('data-live-region="timeline"')).toBeLessThan(html.indexOf(`<h2>${id['notify.history']}</h2>`));
    expect(html.indexOf('data-live-region="summary"')).toBeLessThan(html.indexOf('<section class="actions"'));
  });

  it('after the desk hands an incident to the vendor, offers it exactly what the API still accepts from it', async () => {
    const ref = await logIncident(desk);
    await drive(desk, ref, [['acknowledge'], ['escalate', { level: 2, note: 'perlu vendor' }]]);
    const { html } = await page(`/incidents/${ref}`, 'desk');
    expect(primaryOf(html)).toBe('note');
    expect(nextStepOf(html)).toContain('sudah diserahkan ke vendor');
    const offered = ['note', ...groupsOf(html).others, ...groupsOf(html).danger];
    expect(offered.sort()).toEqual(['assign', 'escalate_management', 'note', 'reprioritize']);
    for (const [action, body] of [
      ['acknowledge', {}],
      ['resolve', { resolutionCode: 'fixed', note: 'n' }],
      ['pending', { reason: 'r' }],
    ] as const) {
      const refused = await desk.act(ref, action, body);
      expect(refused.status, action).toBe(403);
      expect(refused.json.error.message).toMatch(/is with the vendor \(level 2\): acknowledge, pending, resume, resolve are the vendor's; you may still assign, note/);
      const form = await post(`/incidents/${ref}/actions/${action}`, 'desk', Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])));
      expect(form.status, action).toBe(403);
    }
    expect(await statusOf(ref)).toBe('escalated');
    expect((await supportApi.act(ref, 'resolve', { resolutionCode: 'fixed', note: 'n' })).status).toBe(403);
    expect((await desk.act(ref, 'note', { note: 'pelapor menelepon lagi' })).status).toBe(200);
    expect((await vendorApi.act(ref, 'resolve', { resolutionCode: 'vendor_fixed', note: 'diperbaiki vendor' })).status).toBe(200);
    // Back with the desk: it verifies and closes.
    expect(primaryOf((await page(`/incidents/${ref}`, 'desk')).html)).toBe('close');
  });

  it('makes escalation the next step when the resolution target is near', async () => {
    const ref = await logIncident(desk);
    await drive(desk, ref, [['acknowledge']]);
    expect(primaryOf((await page(`/incidents/${ref}`, 'desk')).html)).toBe('resolve');
    const { json } = await desk.call('GET', `/api/incidents/${ref}`);
    // A minute before the resolution target: Sigap has warned (at 75%) when the next action catches up.
    now = new Date(new Date(json.resolveDueAt).getTime() - 60_000);
    await drive(desk, ref, [['note', { note: 'masih diselidiki' }]]);
    // Sessions expire when idle; the clock has moved on.
    browsers.desk = await logIn(sigap.url!, 'desk1', 'desk1-password');
    const { html } = await page(`/incidents/${ref}`, 'desk');
    expect(primaryOf(html)).toBe('escalate');
    expect(nextStepOf(html)).toContain('SOP-Insiden-002 langkah 1');
  });
});
