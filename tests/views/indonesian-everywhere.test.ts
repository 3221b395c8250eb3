// Indonesian everywhere a person reads: every page, as an admin and as a vendor, with incidents in
// every state (probe ones with their reasons), checks, maintenance, known errors, users, the audit
// log and the report, and every form sent back with invalid values — all in `id`, none showing an
// untranslated key or an English validation, probe or store message. Only what a page shows as
// code on purpose (a `<code>` or `<pre>` element: keys, paths, error codes) is left out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMessages } from '../../api/i18n.js';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { finding, integrityEvidence, integrityResult, snapshot } from '../helpers/integrity-results.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { PROJECT_ROOT } from '../helpers/sigap-process.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const YAML = `${INCIDENT_TEST_YAML.replace(
  /impact: medium\n/,
  `impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://127.0.0.1:9/", interval: 2h, failureThreshold: 1, successThreshold: 1 }
      - { key: skm-home, type: http, url: "http://127.0.0.1:9/home", interval: 2h, failureThreshold: 1, successThreshold: 1 }
      - { key: skm-integrity, type: integrity, url: "http://127.0.0.1:9/", interval: 2h, failureThreshold: 1, successThreshold: 1 }
`,
)}`;

// English that must not reach a person reading Indonesian: zod's, the probes', the store's, the router's.
const ENGLISH = [
  /\bexpected\b/i,
  /\bInvalid\b/,
  /Too (small|big)/,
  /\bmust (be|not)\b/,
  /not in \[/,
  /does not contain/,
  /already exists/,
  /\bnot found\b/,
  /\bno route\b/,
  /is not your current password/,
  /unknown field/,
  /Unrecognized key/,
  /\bE(CONN\w+|TIMEDOUT|NOTFOUND|AI_AGAIN)\b/,
  /not_healthy|remainingMs|no_recent_results|healthy_too_briefly/,
  /\((service_desk|support|manager|admin)\)/,
  /\b\d+× (up|down|degraded)\b/,
  /\bhttp_[45]xx\b|\btls_expiring\b/,
  /\bdampak (high|medium|low)\b/i,
  /your role does not allow/,
  /internal error/,
  /\bresponse took\b|\bover the \d+ ms limit\b/,
];

const messagesId = loadMessages(`${PROJECT_ROOT}/views/locales`, 'id');
const KEY_PREFIXES = new Set(Object.keys(messagesId).map((k) => k.split('.')[0]!));

/** What a person reads: tags dropped, the contents of `<code>`, `<pre>`, `<script>` and `<style>` left out, entities decoded. */
function readText(html: string): string {
  return html
    .replace(/<(code|pre|script|style)\b[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The problems of one page: untranslated keys (a key of the locales' namespaces left as is) and English phrases. */
function problemsOf(where: string, html: string): string[] {
  const text = readText(html);
  const keys = [...text.matchAll(/\b([a-z][a-zA-Z]*)(\.[a-zA-Z_][\w-]*)+\b/g)].filter((m) => KEY_PREFIXES.has(m[1]!)).map((m) => `${where}: untranslated key ${m[0]}`);
  const english = ENGLISH.flatMap((pattern) => {
    const m = pattern.exec(text);
    return m ? [`${where}: English "${text.slice(Math.max(0, m.index - 60), m.index + 60)}"`] : [];
  });
  return [...keys, ...english];
}

interface Browser {
  cookie: string;
  csrfToken: string;
}

describe.each(testDatabaseKinds())('Indonesian everywhere on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let now = new Date('2026-11-25T03:00:00Z');
  let admin: Caller;
  let desk: Caller;
  let adminBrowser: Browser;
  let vendorBrowser: Browser;
  const refs: Record<string, string> = {};

  const page = async (path: string, who: Browser | null) => {
    const res = await fetch(`${sigap.url}${path}`, { redirect: 'manual', headers: { ...(who ? { cookie: who.cookie } : {}), accept: 'text/html' } });
    return { status: res.status, html: await res.text() };
  };
  const post = async (path: string, who: Browser, fields: Record<string, string>) => {
    const res = await fetch(`${sigap.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: who.cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: who.csrfToken, ...fields }).toString(),
    });
    return { status: res.status, html: await res.text() };
  };

  async function probe(checkKey: string, status: 'up' | 'down', evidence: Record<string, unknown>, failureKind: string | null) {
    await sigap.detector.handleResult({ checkKey, startedAt: now, durationMs: 12, status, failureKind: failureKind as never, timings: { resolve: 1, connect: 2 }, evidence });
    now = new Date(now.getTime() + 60_000);
  }

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    admin = await callerFor(sigap, 'admin', 'admin');
    desk = await callerFor(sigap, 'desk1', 'service_desk');
    const support = await callerFor(sigap, 'support1', 'support');
    await callerFor(sigap, 'vendor1', 'vendor');
    adminBrowser = await logIn(sigap.url!);
    vendorBrowser = await logIn(sigap.url!, 'vendor1', 'vendor1-password');

    // Probe incidents: a wrong status with its reason, a refused connection.
    for (let n = 0; n < 3; n += 1) await probe('skm-home', 'up', { statusCode: 200 }, null);
    await probe('skm-home', 'down', { statusCode: 500, reason: 'status 500 not in [200]' }, 'http_5xx');
    await probe('skm-form', 'down', { errorCode: 'ECONNREFUSED', errorMessage: 'connect ECONNREFUSED 127.0.0.1:9' }, 'connect');
    // An integrity incident: a clean page recorded as the baseline, then findings of every kind (a scan limit reached).
    await sigap.detector.handleResult(integrityResult('skm-integrity', now, integrityEvidence([])));
    const integrityFindings = [
      finding('hidden_link', {
        domain: 'slot.example',
        hidden: 'off-screen',
        snippet: { before: '<div>', match: '<a href="https://slot.example/">slot gacor</a>', after: '</div>' },
      }),
      finding('foreign_embed', { where: 'script', domain: 'cdn.slot.example', hidden: 'display:none' }),
      finding('forbidden_term', { viewer: 'search_referer', where: 'title', term: 'togel' }),
      finding('sitemap_entry', { viewer: 'browser', where: 'sitemap_url', url: 'http://127.0.0.1:9/sitemap.xml', term: 'slot gacor' }),
      finding('cloaking', { viewer: 'googlebot', where: 'page' }),
      finding('foreign_link', { domain: 'judi.example' }),
      finding('drift', { where: 'page', field: 'domains', before: 'lapor.go.id', after: 'lapor.go.id, slot.example' }),
    ];
    const baseline = { ...snapshot(), acceptedAt: now.toISOString(), acceptedBy: null };
    now = new Date(now.getTime() + 60_000);
    await sigap.detector.handleResult(
      integrityResult(
        'skm-integrity',
        now,
        integrityEvidence(integrityFindings, { snapshot: snapshot({ fingerprint: 'aaaabbbbccccdddd' }), baseline, limits: ['sitemap: stopped at 50000 URLs'] }),
      ),
    );
    const { json } = await desk.call('GET', '/api/incidents?status=new');
    for (const i of json.items as Array<{ ref: string; check: string | null }>) if (i.check) refs[i.check] = i.ref;
    await drive(desk, refs['skm-home']!, [['acknowledge'], ['resolve', { resolutionCode: 'restarted', note: 'Layanan dijalankan ulang.', confirmStillFailing: true }]]);

    // Manual incidents in every state.
    refs.new = await logIncident(desk);
    refs.assigned = await logIncident(desk, { title: 'Pengaduan lambat' });
    await drive(desk, refs.assigned, [['acknowledge']]);
    refs.escalated = await logIncident(desk, { title: 'Server aplikasi mati' });
    await drive(desk, refs.escalated, [['acknowledge'], ['escalate', { level: 2, note: 'Ke vendor.' }]]);
    refs.pending = await logIncident(desk, { title: 'Menunggu penyedia jaringan' });
    await drive(desk, refs.pending, [['acknowledge'], ['pending', { reason: 'Menunggu teknisi.' }]]);
    refs.resolved = await logIncident(desk, { title: 'Formulir pulih' });
    await drive(desk, refs.resolved, [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: 'Diperbaiki.' }]]);
    refs.closed = await logIncident(desk, { title: 'Sudah ditutup' });
    await drive(desk, refs.closed, [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: 'Diperbaiki.' }], ['close', { closureCode: 'confirmed' }]]);
    refs.canceled = await logIncident(desk, { title: 'Laporan ganda' });
    await drive(support, refs.canceled, [['cancel', { reason: 'Ganda.' }]]);

    // A known error, a maintenance window.
    await admin.call('POST', `/api/incidents/${refs.closed}/known-error`, {
      title: 'Tombol kirim macet',
      symptoms: 'Tombol tidak merespons.',
      cause: 'Sesi habis.',
      workaround: 'Muat ulang.',
      resolution: 'Perpanjang sesi.',
    });
    await admin.call('POST', '/api/maintenance', { title: 'Pemeliharaan server', service: 'skm', startsAt: '2026-11-26T22:00', endsAt: '2026-11-26T23:00' });
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('shows every page in Indonesian to an admin', async () => {
    const paths = [
      '/',
      '/?all=1',
      '/incidents/new',
      '/services',
      '/services?done=accept-baseline',
      '/maintenance',
      '/known-errors',
      '/notifications',
      '/sop',
      '/reports',
      '/users',
      '/me',
      '/audit',
      '/status',
      '/no-such-page',
    ];
    const problems: string[] = [];
    for (const path of [...paths, ...Object.values(refs).map((ref) => `/incidents/${ref}`), `/incidents/${refs['skm-integrity']}?done=accept-baseline`]) {
      const { status, html } = await page(path, adminBrowser);
      expect([200, 404], path).toContain(status);
      problems.push(...problemsOf(`admin ${path}`, html));
    }
    expect(problems).toEqual([]);
    const probeIncident = readText((await page(`/incidents/${refs['skm-form']}`, adminBrowser)).html);
    expect(probeIncident).toContain('Layanan Survei Kepuasan Masyarakat / skm-form');
    const integrity = readText((await page(`/incidents/${refs['skm-integrity']}`, adminBrowser)).html);
    expect(integrity).toContain('Temuan pemeriksaan integritas situs');
    expect(integrity).toContain('Dicatat otomatis pada pemeriksaan bersih pertama');
    expect(readText((await page('/', adminBrowser)).html)).not.toMatch(/ skm /);
  });

  it('shows a vendor its pages, and the pages it may not open, in Indonesian', async () => {
    const problems: string[] = [];
    for (const path of ['/', '/sop', '/me', '/reports', '/users', '/audit', `/incidents/${refs.escalated}`, `/incidents/${refs.new}`, '/no-such-page']) {
      const { html } = await page(path, vendorBrowser);
      problems.push(...problemsOf(`vendor ${path}`, html));
    }
    const reports = await page('/reports', vendorBrowser);
    expect(reports.status).toBe(403);
    expect(readText(reports.html)).toContain('Laporan bulanan hanya untuk kepala bidang');
    expect(problems).toEqual([]);
  });

  it('answers every form sent with invalid values in Indonesian, naming the field in words', async () => {
    const sent: Array<[string, string, Record<string, string>]> = [
      ['new incident, empty', '/incidents/new', {}],
      [
        'new incident, wrong values',
        '/incidents/new',
        { service: 'nope', title: ' ', impact: 'huge', urgency: 'x', category: 'application', subcategory: 'dns', reporterName: '' },
      ],
      ['resolve without a note', `/incidents/${refs.assigned}/actions/resolve`, { resolutionCode: 'fixed', note: '' }],
      ['assign to nobody', `/incidents/${refs.assigned}/actions/assign`, { assignee: 'nobody' }],
      ['reprioritize without a reason', `/incidents/${refs.assigned}/actions/reprioritize`, { impact: 'low' }],
      ['escalate downwards', `/incidents/${refs.escalated}/actions/escalate`, { level: '1', note: 'x' }],
      ['close before verified', `/incidents/${refs['skm-home']}/actions/close`, { closureCode: 'confirmed' }],
      ['reopen a new incident', `/incidents/${refs.new}/actions/reopen`, { reason: 'x' }],
      ['known error from an open incident', `/incidents/${refs.assigned}/known-error`, { title: '', symptoms: '' }],
      ['a user already there', '/users', { username: 'desk1', displayName: 'Desk', role: 'service_desk', password: 'panjang-sekali-1', email: '' }],
      ['a user with bad values', '/users', { username: 'A', displayName: '', role: 'boss', password: 'short', email: 'no-mail' }],
      ['a token without a name', '/users/tokens', { name: '', username: 'admin', expiresOn: 'kemarin' }],
      ['a profile with a bad e-mail', '/me', { displayName: '', email: 'bukan-email', language: 'id' }],
      ['a wrong current password', '/me/password', { currentPassword: 'salah-sekali', newPassword: 'kata-sandi-baru-1', newPasswordAgain: 'kata-sandi-baru-1' }],
      ['new passwords that differ', '/me/password', { currentPassword: 'admin-password-1', newPassword: 'kata-sandi-baru-1', newPasswordAgain: 'lain' }],
      ['a maintenance window backwards', '/maintenance', { title: '', service: 'skm', recurrence: 'none', startsAt: 'besok', endsAt: '2026-01-01T00:00' }],
      ['a weekly window without days', '/maintenance', { title: 'Mingguan', recurrence: 'weekly', start: '25:00', durationMinutes: '0' }],
      ['a check that is no check', '/services/checks', { service: 'skm', definition: 'key: Bad Key\ntype: smtp\n' }],
      ['a check that is no YAML', '/services/checks', { service: 'nope', definition: 'key: [' }],
      ['a baseline no longer the latest', `/incidents/${refs['skm-integrity']}/accept-baseline`, { snapshot: '0000000000000000' }],
      ['a baseline without a snapshot version', '/services/checks/skm-integrity/accept-baseline', { snapshot: 'x' }],
      ['a baseline of a check that is not an integrity check', '/services/checks/skm-form/accept-baseline', { snapshot: 'aaaabbbbccccdddd' }],
    ];
    const problems: string[] = [];
    for (const [what, path, fields] of sent) {
      const { status, html } = await post(path, adminBrowser, fields);
      expect(status, what).toBeGreaterThanOrEqual(400);
      problems.push(...problemsOf(what, html));
    }
    const duplicate = await post('/users', adminBrowser, { username: 'desk1', displayName: 'Desk', role: 'service_desk', password: 'panjang-sekali-1' });
    expect(readText(duplicate.html)).toContain('Nama pengguna sudah dipakai');
    const wrong = await post('/me/password', adminBrowser, { currentPassword: 'salah-sekali', newPassword: 'kata-sandi-baru-1', newPasswordAgain: 'kata-sandi-baru-1' });
    expect(readText(wrong.html)).toContain('Kata sandi saat ini : bukan kata sandi Anda saat ini');
    const form = await post('/incidents/new', adminBrowser, { impact: 'huge' });
    expect(readText(form.html)).toContain('Dampak : pilih salah satu: tinggi, sedang, rendah');
    expect(problems).toEqual([]);
  });

  it('answers the API in English by default and in Indonesian when asked, the code and paths unchanged', async () => {
    const send = (headers: Record<string, string>) =>
      fetch(`${sigap.url}/api/incidents`, {
        method: 'POST',
        headers: { cookie: adminBrowser.cookie, 'x-csrf-token': adminBrowser.csrfToken, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ impact: 'huge' }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error: { code: string; message: string; details: Array<{ path: string; message: string }> } } }));
    const english = await send({});
    const indonesian = await send({ 'accept-language': 'id-ID,id;q=0.9,en;q=0.8' });
    expect(english.status).toBe(422);
    expect(indonesian.status).toBe(422);
    expect(indonesian.body.error.code).toBe('validation_failed');
    expect(indonesian.body.error.details.map((d) => d.path)).toEqual(english.body.error.details.map((d) => d.path));
    expect(english.body.error.details.find((d) => d.path === 'impact')?.message).toMatch(/Invalid option/);
    expect(indonesian.body.error.details.find((d) => d.path === 'impact')?.message).toBe('pilih salah satu: tinggi, sedang, rendah');
    expect(indonesian.body.error.message).toBe('Ada isian yang belum benar; perbaiki yang ditandai.');
    expect(Object.keys(indonesian.body.error.details[0]!).sort()).toEqual(['message', 'path']);
    const notFound = await fetch(`${sigap.url}/api/nothing?lang=id`, { headers: { cookie: adminBrowser.cookie } }).then((r) => r.json());
    expect(notFound).toEqual({ error: { code: 'not_found', message: 'Halaman /api/nothing tidak ada.', details: [] } });
  });
});
