// The monthly report e-mail, end to end: real Sigap processes (SIGAP_ROLE=worker) on SQLite and
// PostgreSQL with an injected clock, a real local SMTP server, the managers as users. The report
// of the month before goes out on the first working day at 08:00 office time, once per manager,
// however many workers tick and across a restart, and nothing is lost while the relay is down.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli.js';
import { parseMail, pdfText, type Mail } from '../../helpers/mail.js';
import { startTestSigap } from '../../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

interface Received {
  to: string[];
  mail: Mail;
  raw: string;
}

/** A real SMTP server on 127.0.0.1; `refuse` > 0 answers that many recipients with 451 (try later) first. */
async function startSmtp() {
  const state = { received: [] as Received[], refuse: 0, unknown: new Set<string>() };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (state.unknown.has(address.address)) {
        callback(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
        return;
      }
      if (state.refuse > 0) {
        state.refuse -= 1;
        callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        state.received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail: parseMail(raw), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { state, port: (server.server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const yaml = (smtpPort: number | null) => `
timezone: Asia/Jakarta
businessHours:
  mon-thu: "07:30-16:00"
  fri: "07:30-16:30"
holidays: [2027-01-01]
services:
  - key: skm
    name: Survei Kepuasan Masyarakat (SKM)
    impact: medium
  - key: pengaduan
    name: Pengaduan <Masyarakat> & Aduan
    impact: high
notifications:
${smtpPort ? `  smtp: { host: 127.0.0.1, port: ${smtpPort}, from: sigap@dpmptsp.example, timeout: 5s }` : ''}
  retry: { initial: 1m, max: 10m }
`;

const wib = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

/** Log lines at warn and above, to see what the mailer says. */
function capturingLogger() {
  const lines: Array<{ msg: string; month?: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { msg: string });
      done();
    },
  });
  return { lines, logger: pino({ level: 'warn' }, stream) };
}

describe.each(testDatabaseKinds())('the monthly report e-mail, on $name', (kind) => {
  let testDb: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let now: Date;
  const running: Array<{ stop(): Promise<void> }> = [];

  const worker = async (options: { smtp?: boolean; logger?: Logger } = {}) => {
    const sigap = await startTestSigap({
      databaseUrl: testDb.url,
      yaml: yaml(options.smtp === false ? null : smtp.port),
      env: { SIGAP_ROLE: 'worker' },
      start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0, reportMailMs: 0, ...(options.logger ? { logger: options.logger } : {}) },
    });
    running.push(sigap);
    return sigap;
  };
  const stopAll = async () => {
    for (const s of running.splice(0)) await s.stop();
  };
  const addManagers = async (sigap: Awaited<ReturnType<typeof worker>>) => {
    const user = (username: string, role: 'manager' | 'service_desk', email?: string) =>
      sigap.accounts.createUser({ username, displayName: username, role, password: 'a-long-password-1', ...(email ? { email } : {}) });
    await user('kabid', 'manager', 'kabid@dpmptsp.example');
    await user('sekretaris', 'manager', 'sekretaris@dpmptsp.example');
    await user('kasubbag', 'manager'); // a manager without an e-mail address
    await user('desk', 'service_desk', 'desk@dpmptsp.example'); // not a manager
  };
  const recipients = () => smtp.state.received.flatMap((r) => r.to).sort();

  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
  });
  beforeEach(async () => {
    testDb = await kind.create();
    smtp.state.received.length = 0;
    smtp.state.refuse = 0;
    smtp.state.unknown.clear();
    now = wib('2026-12-01 07:59');
  });
  afterEach(async () => {
    await stopAll();
    await testDb.drop();
  });

  it('sends last month’s report at 08:00 on the first working day to each manager once, with HTML, CSV and PDF, however many workers tick', async () => {
    const a = await worker();
    const b = await worker();
    await addManagers(a);
    // A citizen's SP4N-LAPOR! report taken on 28 November: the report counts it by how it came in.
    const desk = (await a.accounts.findUser('desk'))!;
    await a.incidents.commands.logManual(desk, {
      service: 'skm',
      title: 'Formulir SKM tidak bisa dikirim',
      description: 'Laporan lewat SP4N-LAPOR!',
      impact: 'medium',
      urgency: 'medium',
      category: 'application',
      subcategory: 'form-submission',
      reporter: { name: 'Warga', contact: null },
      reportedVia: 'lapor',
      reportedAt: wib('2026-11-28 10:00'),
    });

    await Promise.all([a.reportMailer!.tick(), b.reportMailer!.tick()]);
    expect(smtp.state.received).toEqual([]); // 07:59: not yet

    now = wib('2026-12-01 08:00');
    await Promise.all([a.reportMailer!.tick(), b.reportMailer!.tick(), a.reportMailer!.tick(), b.reportMailer!.tick()]);
    await Promise.all([a.reportMailer!.tick(), b.reportMailer!.tick()]);
    expect(recipients()).toEqual(['kabid@dpmptsp.example', 'sekretaris@dpmptsp.example']);

    for (const { mail } of smtp.state.received) {
      expect(mail.headers.get('subject')).toContain('November 2026');
      const html = mail.parts.find((p) => p.contentType === 'text/html')!.content.toString('utf8');
      expect(html).toContain('Ketersediaan layanan');
      expect(html).toContain('Survei Kepuasan Masyarakat (SKM)');
      // A service name is text in the mail, never markup.
      expect(html).toContain('Pengaduan &lt;Masyarakat&gt; &amp; Aduan');
      expect(html).not.toContain('<Masyarakat>');
      for (const priority of ['P1', 'P2', 'P3', 'P4', 'P5']) expect(html).toContain(`>${priority}<`);
      expect(html).toMatch(/Laporan masyarakat menurut saluran<\/h2>[\s\S]*>SP4N-LAPOR!<\/td>\s*<td[^>]*>1</);
      const availability = mail.parts.find((p) => p.filename === 'laporan-bulanan-2026-11-ketersediaan.csv')!;
      expect(availability.contentType).toBe('text/csv');
      expect(availability.content.toString('utf8')).toContain('Tanggal;Layanan;Ketersediaan (%);Keberhasilan probe (%)');
      expect(availability.content.toString('utf8')).toContain('2026-11-30;skm;');
      const incidents = mail.parts.find((p) => p.filename === 'laporan-bulanan-2026-11-insiden.csv')!;
      expect(incidents.contentType).toBe('text/csv');
      const pdf = mail.parts.find((p) => p.filename === 'laporan-bulanan-2026-11.pdf')!;
      expect(pdf.contentType).toBe('application/pdf');
      expect(pdf.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = pdfText(pdf.content);
      expect(text).toContain('Bulan November 2026');
      expect(text).toContain('Pengaduan <Masyarakat> & Aduan');
      expect(text).toContain('Mengetahui,');
      expect(text).toMatch(/Halaman 1 dari \d/);
      expect(text).toContain('Dicetak: 1 Desember 2026 pukul 08.00 WIB');
    }
  });

  it('sends the month once across a restart, and not again later in the month', async () => {
    const first = await worker();
    await addManagers(first);
    now = wib('2026-12-01 09:30');
    await first.reportMailer!.tick();
    expect(recipients()).toEqual(['kabid@dpmptsp.example', 'sekretaris@dpmptsp.example']);
    await stopAll();

    const again = await worker();
    // A manager added after the month went out gets next month's report, not this one.
    await again.accounts.createUser({ username: 'plt', displayName: 'Plt. Kepala Bidang', role: 'manager', password: 'a-long-password-1', email: 'plt@dpmptsp.example' });
    now = wib('2026-12-14 10:00');
    await again.reportMailer!.tick();
    await again.reportMailer!.tick();
    expect(smtp.state.received).toHaveLength(2);

    // January: December's report, on Monday 4 January 2027 (1 January is a holiday).
    now = wib('2027-01-01 09:00');
    await again.reportMailer!.tick();
    expect(smtp.state.received).toHaveLength(2);
    now = wib('2027-01-04 08:00');
    await again.reportMailer!.tick();
    const december = smtp.state.received.slice(2);
    expect(december.flatMap((r) => r.to).sort()).toEqual(['kabid@dpmptsp.example', 'plt@dpmptsp.example', 'sekretaris@dpmptsp.example']);
    for (const r of december) expect(r.mail.headers.get('subject')).toContain('Desember 2026');
  });

  it('keeps a copy the relay refused and delivers it on a later tick, once', async () => {
    const a = await worker();
    await addManagers(a);
    smtp.state.refuse = 1;
    now = wib('2026-12-01 08:00');
    await a.reportMailer!.tick();
    expect(smtp.state.received).toHaveLength(1);
    const copies = await a.db.stores.reportMails.listForMonth('2026-11');
    expect(copies.map((c) => [c.status, c.attempts])).toEqual(
      expect.arrayContaining([
        ['sent', 1],
        ['pending', 1],
      ]),
    );
    expect(copies.find((c) => c.status === 'pending')!.lastError).toContain('451');

    // A worker that started after the failure delivers it once its retry time has come.
    const b = await worker();
    await b.reportMailer!.tick();
    expect(smtp.state.received).toHaveLength(1); // backoff: not yet
    now = new Date(now.getTime() + 61_000);
    await Promise.all([a.reportMailer!.tick(), b.reportMailer!.tick()]);
    expect(recipients()).toEqual(['kabid@dpmptsp.example', 'sekretaris@dpmptsp.example']);
    expect((await b.db.stores.reportMails.listForMonth('2026-11')).map((c) => c.status)).toEqual(['sent', 'sent']);
  });

  it('gives up on a copy the relay refuses for good (5xx), keeping its error', async () => {
    const a = await worker();
    await addManagers(a);
    smtp.state.unknown.add('sekretaris@dpmptsp.example');
    now = wib('2026-12-01 08:00');
    await a.reportMailer!.tick();
    now = wib('2026-12-02 08:00');
    await a.reportMailer!.tick();
    expect(recipients()).toEqual(['kabid@dpmptsp.example']);
    const refused = (await a.db.stores.reportMails.listForMonth('2026-11')).find((c) => c.recipient === 'sekretaris@dpmptsp.example')!;
    expect(refused).toMatchObject({ status: 'failed', attempts: 1 });
    expect(refused.lastError).toContain('550');
  });

  it('says clearly that no manager has an e-mail address, and does not fail', async () => {
    const { lines, logger } = capturingLogger();
    const a = await worker({ logger });
    now = wib('2026-12-01 08:00');
    await expect(a.reportMailer!.tick()).resolves.toMatchObject({ claimed: '2026-11', sent: 0 });
    expect(lines).toContainEqual(expect.objectContaining({ month: '2026-11', msg: expect.stringContaining('no active manager has an e-mail address') }));
    expect(smtp.state.received).toEqual([]);
  });

  it('without notifications.smtp says so once and sends nothing, leaving the month unclaimed', async () => {
    const { lines, logger } = capturingLogger();
    const a = await worker({ smtp: false, logger });
    await addManagers(a);
    now = wib('2026-12-01 08:00');
    await a.reportMailer!.tick();
    await a.reportMailer!.tick();
    expect(lines.filter((l) => l.msg.includes('notifications.smtp is not configured'))).toHaveLength(1);
    expect(await a.db.stores.reportMails.isClaimed('2026-11')).toBe(false);
  });

  describe('sigap report send --month', () => {
    let dir: string;
    const cli = async (args: string[], options: { smtp?: boolean } = {}) => {
      const file = join(dir, options.smtp === false ? 'no-smtp.yaml' : 'sigap.yaml');
      writeFileSync(file, yaml(options.smtp === false ? null : smtp.port));
      const out = { stdout: '', stderr: '' };
      const code = await runCli(args, {
        env: { DATABASE_URL: testDb.url, SIGAP_CONFIG: file },
        stdout: (t) => (out.stdout += t),
        stderr: (t) => (out.stderr += t),
        readStdin: async () => '',
      });
      return { code, ...out };
    };
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'sigap-report-cli-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('sends the month to every manager now, again when asked again, and the automatic mail then skips it', async () => {
      const a = await worker();
      await addManagers(a);
      const sent = await cli(['report', 'send', '--month', '2026-10']);
      expect(sent).toMatchObject({ code: 0, stderr: '' });
      expect(sent.stdout).toBe('sent the report of 2026-10 to kabid@dpmptsp.example\nsent the report of 2026-10 to sekretaris@dpmptsp.example\n');
      expect(recipients()).toEqual(['kabid@dpmptsp.example', 'sekretaris@dpmptsp.example']);
      const pdf = smtp.state.received[0]!.mail.parts.find((p) => p.filename === 'laporan-bulanan-2026-10.pdf')!;
      expect(pdfText(pdf.content)).toContain('Bulan Oktober 2026');

      // By hand it sends whether or not the month went before.
      expect((await cli(['report', 'send', '--month', '2026-10'])).code).toBe(0);
      expect(smtp.state.received).toHaveLength(4);

      // November sent by hand before its automatic time: the automatic mail does not repeat it.
      expect((await cli(['report', 'send', '--month', '2026-11'])).code).toBe(0);
      now = wib('2026-12-01 08:00');
      await a.reportMailer!.tick();
      expect(smtp.state.received).toHaveLength(6);
    });

    it('exits 1 naming the manager whose copy the relay refused', async () => {
      const a = await worker();
      await addManagers(a);
      smtp.state.refuse = 1;
      const run = await cli(['report', 'send', '--month', '2026-11']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/could not send the report of 2026-11 to (kabid|sekretaris)@dpmptsp\.example: .*451/);
      expect(smtp.state.received).toHaveLength(1);
    });

    it('exits 1 with a clear message without notifications.smtp or without a manager to send to', async () => {
      const a = await worker();
      expect(await cli(['report', 'send', '--month', '2026-11'])).toMatchObject({ code: 1, stderr: expect.stringContaining('no active manager has an e-mail address') });
      await addManagers(a);
      expect(await cli(['report', 'send', '--month', '2026-11'], { smtp: false })).toMatchObject({
        code: 1,
        stderr: 'sigap: notifications.smtp is not configured: there is no way to send e-mail\n',
      });
      expect(smtp.state.received).toEqual([]);
    });

    it.each([
      [['report']],
      [['report', 'send']],
      [['report', 'send', '--month', '2026-13']],
      [['report', 'send', '--month', 'November']],
      [['report', 'resend', '--month', '2026-11']],
    ])('exits 2 with the usage for %j', async (args) => {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('report send --month YYYY-MM');
      expect(smtp.state.received).toEqual([]);
    });
  });
});
