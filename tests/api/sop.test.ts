// /sop renders SOP-Insiden-001/002/003 from the configured policy: change the policy and the
// written procedure changes with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

type Started = Awaited<ReturnType<typeof startTestSigap>>;

/** The page's "today": 3 December 2026, 10:00 WIB. */
const TODAY = new Date('2026-12-03T03:00:00Z');

const CUSTOM_POLICY = `
timezone: Asia/Jakarta
businessHours:
  mon-fri: "08:00-15:00"
holidays: [2026-12-25, { date: 2026-11-20, name: HUT Kabupaten }, { from: 2027-01-01, to: 2027-01-02, name: Tahun Baru }]
services:
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
policy:
  targets:
    P1: { respond: 10m, resolve: 3h, clock: 24x7 }
    P5: { respond: 1d4h, resolve: 10d, clock: business }
  verifyFor: 20m
  autoCloseAfter: 2d
  reopenWindow: 12h
  warnAt: 0.5
`;

/** The page's text without tags, whitespace collapsed. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ');

describe.each(testDatabaseKinds())('the /sop page on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Started;
  let cookie: string;

  const page = async (path: string) => {
    const res = await fetch(`${sigap.url}${path}`, { redirect: 'manual', headers: { cookie, accept: 'text/html' } });
    expect(res.status).toBe(200);
    return textOf(await res.text());
  };

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: CUSTOM_POLICY, start: { slaSweepMs: 0, dispatchMs: 0, clock: () => TODAY } });
    ({ cookie } = await logIn(sigap.url!));
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('sends a visitor without a session to the log-in page', async () => {
    const res = await fetch(`${sigap.url}/sop`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fsop');
  });

  it('shows the three SOPs in Indonesian with the configured targets, not the defaults', async () => {
    const text = await page('/sop');
    for (const id of ['SOP-Insiden-001', 'SOP-Insiden-002', 'SOP-Insiden-003']) expect(text).toContain(id);
    expect(text).toContain('P1: tanggapi dalam 10 menit, selesaikan dalam 3 jam (24x7)');
    expect(text).not.toContain('tanggapi dalam 15 menit');
    // The targets not configured keep their defaults.
    expect(text).toContain('P3: tanggapi dalam 2 jam, selesaikan dalam 24 jam (jam kerja)');
    expect(text).toContain('P4: tanggapi dalam 8 jam, selesaikan dalam 5 hari kerja (jam kerja)');
    expect(text).toContain('P5: tanggapi dalam 1 hari kerja 4 jam, selesaikan dalam 10 hari kerja (jam kerja)');
    expect(text).toContain('sehat selama 20 menit');
    expect(text).toContain('ditutup otomatis setelah 2 hari');
    expect(text).toContain('tidak pernah untuk P1');
    expect(text).toContain('dalam 12 jam setelah penyelesaian');
    expect(text).toContain('saat 50% dari target');
    expect(text).toContain('Senin 08:00–15:00');
    expect(text).toContain('Sabtu libur');
    expect(text).toContain('2026-12-25');
  });

  it('explains working days with examples computed on the office week, and lists the upcoming holidays with their names', async () => {
    const text = await page('/sop');
    expect(text).toContain('„d” berarti hari kerja');
    // Friday 15:00 is the office's closing time (hours 08:00-15:00): it counts from Monday's opening.
    expect(text).toContain('Jumat 15:00 + 2 hari kerja → Rabu 08:00');
    expect(text).toContain('Kamis 10:00, Jumat hari libur: + 1 hari kerja → Senin 10:00');
    expect(text).toContain('Senin 11:00 + 2 jam → Senin 14:00');
    expect(text).toContain('Senin 12:30 (istirahat siang, dihitung dari 13:00) + 1 hari kerja → Selasa 13:00');
    expect(text).toContain('2026-12-25 Jumat (tanpa nama) 2027-01-01 Jumat Tahun Baru 2027-01-02 Sabtu Tahun Baru');
    expect(text).not.toContain('HUT Kabupaten');
  });

  it('shows the same values in English with ?lang=en', async () => {
    const text = await page('/sop?lang=en');
    expect(text).toContain('P1: respond within 10 min, resolve within 3 h (24x7)');
    expect(text).not.toContain('respond within 15 min');
    expect(text).toContain('healthy for 20 min');
    expect(text).toContain('close themselves after 2 d');
    expect(text).toContain('within 12 h of resolution');
    expect(text).toContain('Incident Escalation SOP');
    expect(text).toContain('P4: respond within 8 h, resolve within 5 working days (business hours)');
    expect(text).toContain('Friday 15:00 + 2 working days → Wednesday 08:00');
    expect(text).toContain('Upcoming holidays 2026-12-25 Friday (no name)');
  });

  it('carries the integrity playbook: what each finding means, then isolate, report, preserve evidence, search-engine removal, and close on a clean re-check', async () => {
    const res = await fetch(`${sigap.url}/sop`, { headers: { cookie, accept: 'text/html' } });
    const html = await res.text();
    const section = /<section class="sop" id="integritas">([\s\S]*?)<\/section>/.exec(html)?.[1];
    expect(section).toBeDefined();
    const text = textOf(section!);
    expect(text).toContain('Situs disusupi judi online / deface / cloaking');
    // One line per finding kind.
    expect(section!.match(/<li>/g)).toHaveLength(7 + 6);
    for (const finding of ['Istilah terlarang', 'Tautan tersembunyi', 'Tautan asing', 'Sisipan asing', 'Entri sitemap', 'Cloaking', 'Perubahan dari baseline']) {
      expect(text).toContain(`${finding}:`);
    }
    const steps = [...section!.matchAll(/<ol class="steps">([\s\S]*?)<\/ol>/g)].flatMap((m) => [...m[1]!.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((li) => textOf(li[1]!)));
    expect(steps.map((step) => step.split(':')[0])).toEqual([
      'Isolasi',
      'Laporkan',
      'Amankan bukti sebelum membersihkan',
      'Bersihkan dan tutup celahnya (vendor)',
      'Setelah bersih, minta mesin pencari menghapus alamat spam (Google Search Console, menu Penghapusan; Bing Webmaster Tools).',
      'Tutup hanya setelah pemeriksaan ulang bersih',
    ]);
    expect(steps[0]).toContain('Jangan menghapus berkas');
    expect(steps[1]).toContain('CSIRT provinsi');
    expect(steps[1]).toContain('bantuan70@bssn.go.id');
    expect(steps[2]).toContain('log server');
    expect(steps[5]).toContain('harus lulus lagi sebelum insiden ditutup');
  });

  it('carries the integrity playbook in English with ?lang=en', async () => {
    const text = await page('/sop?lang=en');
    expect(text).toContain('Site compromised by online gambling / defacement / cloaking');
    expect(text).toContain('Do not delete any files.');
    expect(text).toContain('Preserve evidence before cleaning');
    expect(text).toContain('the integrity check must pass again before the incident is closed');
    expect(text).not.toContain('integritySop.');
  });

  it('lists the roles and what each may do, from the action rules', async () => {
    const text = await page('/sop?lang=en');
    expect(text).toMatch(/Vendor \( vendor \) Level 2[^.]*\. Acknowledge \(take it\), Add a note, Set pending, Resume, Resolve/);
    expect(text).toMatch(/Head of division \( manager \) .* reads only/);
  });
});
