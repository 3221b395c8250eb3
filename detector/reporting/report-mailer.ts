// E-mails the monthly report: on the first working day of each month at 08:00 office time, the
// report of the month before goes to every manager with an e-mail address (people reached by role,
// as a notification route's `roles: [manager]` reaches them), as an HTML mail with the key figures
// and the report attached as CSV and PDF. Once per month however many workers tick: the month is
// claimed by a unique row, in the transaction that queues its copies; the copies are then delivered
// like the notification outbox (claimed one process per copy, retried with backoff, never lost).
import type { Logger } from 'pino';
import { backoffMs } from '../notify/dispatcher.js';
import { OutageLog, Periodic } from '../periodic.js';
import type { BusinessCalendar } from '../sla/business-calendar.js';
import type { Database, ReportMailing, Stores } from '../store/store-types.js';
import type { MonthlyReport, MonthlyReportService } from './monthly-report.js';
import { reportFigures } from './report-figures.js';
import { renderReportMail } from './report-mail.js';
import { renderReportPdf, type Letterhead, type Signature } from './report-pdf.js';
import { dueReportMonth } from './report-schedule.js';

/** What the mailer hands the SMTP relay (notify/channels/email.ts's SmtpMailer is one). */
export interface ReportMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments: ReadonlyArray<{ filename: string; content: Buffer | string; contentType: string }>;
  idempotencyKey: string;
}

export interface ReportMailTransport {
  /** Resolves when the relay accepted it; throws otherwise (an error with `permanent: true` is not retried). */
  send(mail: ReportMail): Promise<void>;
  close?(): Promise<void>;
}

export interface ReportMailerDeps {
  db: Database;
  reports: Pick<MonthlyReportService, 'month'>;
  calendar: BusinessCalendar;
  /** The SMTP relay; null when notifications.smtp is not configured (nothing is sent, and it says so). */
  transport: ReportMailTransport | null;
  /** The CSV files attached (name without the month prefix → content), as the report's downloads give them. */
  renderCsv: (report: MonthlyReport) => ReadonlyArray<{ name: string; content: string }>;
  /** The office's letterhead, its logo already read (config.ts reads and checks it at start). */
  letterhead?: Letterhead | null;
  signature?: Signature | null;
  retry: { initialMs: number; maxMs: number };
  /** This process, as recorded on the month it claims and the copies it delivers. */
  owner: string;
  clock: () => Date;
  logger: Logger;
  /** How often to look (default every minute). */
  intervalMs?: number;
  /** How long a copy's claim lasts before another process may take it (default 5 minutes). */
  claimMs?: number;
  /** PDF streams compressed (default true). */
  compressPdf?: boolean;
}

export interface MailerRound {
  /** The month this round claimed and queued, if it did. */
  claimed: string | null;
  sent: number;
  failed: number;
}

export interface ManualSend {
  month: string;
  sent: string[];
  failed: Array<{ recipient: string; error: string }>;
}

interface Rendered {
  subject: string;
  text: string;
  html: string;
  attachments: ReportMail['attachments'];
}

export const DEFAULT_REPORT_MAIL_INTERVAL_MS = 60_000;

export class MonthlyReportMailer {
  private readonly periodic = new Periodic(() => this.round());
  private readonly outage: OutageLog;
  /** Months known to be claimed (by any process): no need to ask the database again. */
  private readonly settled = new Set<string>();
  private readonly said = new Set<string>();

  constructor(private readonly deps: ReportMailerDeps) {
    this.outage = new OutageLog(deps.logger, {
      failed: 'monthly report e-mail: cannot reach the database; retrying',
      recovered: 'monthly report e-mail: database reachable again',
    });
  }

  start(): void {
    this.periodic.start(this.deps.intervalMs ?? DEFAULT_REPORT_MAIL_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
    await this.deps.transport?.close?.();
  }

  /** One round now (the timer's, or a test's): claim the due month if nobody has, deliver due copies. */
  tick(): Promise<MailerRound> {
    return this.periodic.tick();
  }

  /** `sigap report send`: the month's report to every manager now, whether or not it went before; the automatic mail then skips that month. */
  async sendNow(month: string): Promise<ManualSend> {
    const { db, clock, transport } = this.deps;
    if (!transport) throw new Error('notifications.smtp is not configured: there is no way to send e-mail');
    const recipients = await this.managers(db.stores);
    const rendered = await this.render(month);
    const result: ManualSend = { month, sent: [], failed: [] };
    const stamp = clock().getTime();
    for (const to of recipients) {
      try {
        await transport.send({ ...rendered, to, idempotencyKey: `report/${month}/manual-${stamp}/${to.toLowerCase()}` });
        result.sent.push(to);
      } catch (err) {
        result.failed.push({ recipient: to, error: (err as Error).message });
      }
    }
    if (result.sent.length > 0) await db.stores.reportMails.claimMonth(month, `${this.deps.owner} (by hand)`, recipients.length, clock());
    return result;
  }

  private async managers(stores: Stores): Promise<string[]> {
    const users = await stores.accounts.listReachableUsers(['manager']);
    return [...new Set(users.flatMap((u) => (u.email ? [u.email] : [])))];
  }

  private async round(): Promise<MailerRound> {
    const report: MailerRound = { claimed: null, sent: 0, failed: 0 };
    try {
      report.claimed = await this.claimDueMonth();
      const due = await this.deps.db.stores.reportMails.listDue(this.deps.clock(), 20);
      this.outage.ok();
      const rendered = new Map<string, Promise<Rendered>>();
      for (const copy of due) {
        if (!rendered.has(copy.month)) rendered.set(copy.month, this.render(copy.month));
        const outcome = await this.deliver(copy, rendered.get(copy.month)!);
        if (outcome === 'sent') report.sent += 1;
        if (outcome === 'failed') report.failed += 1;
      }
    } catch (err) {
      this.outage.failed({ err });
    }
    return report;
  }

  private async claimDueMonth(): Promise<string | null> {
    const { db, owner, clock, logger, transport } = this.deps;
    const now = clock();
    const month = dueReportMonth(now, this.deps.calendar);
    if (!month || this.settled.has(month)) return null;
    if (!transport) {
      this.sayOnce(month, () =>
        logger.warn({ month }, 'monthly report not e-mailed: notifications.smtp is not configured (send it by hand with "sigap report send --month" once it is)'),
      );
      return null;
    }
    const claimed = await db.transaction(async (stores) => {
      const recipients = await this.managers(stores);
      if (!(await stores.reportMails.claimMonth(month, owner, recipients.length, now))) return null;
      await stores.reportMails.queue(month, recipients, now);
      return recipients;
    });
    this.settled.add(month);
    if (!claimed) return null;
    if (claimed.length === 0) logger.warn({ month }, 'monthly report not e-mailed: no active manager has an e-mail address (add one, then "sigap report send --month")');
    else logger.info({ month, recipients: claimed.length }, 'monthly report queued for the managers');
    return month;
  }

  private async deliver(copy: ReportMailing, rendered: Promise<Rendered>): Promise<'sent' | 'failed' | 'taken'> {
    const { db, owner, clock, logger, transport } = this.deps;
    const store = db.stores.reportMails;
    const now = clock();
    if (!transport) return 'taken';
    if (!(await store.claim(copy.id, owner, now, new Date(now.getTime() + (this.deps.claimMs ?? 300_000))))) return 'taken';
    const attempts = copy.attempts + 1;
    try {
      await transport.send({ ...(await rendered), to: copy.recipient, idempotencyKey: copy.idempotencyKey });
    } catch (err) {
      const permanent = (err as { permanent?: unknown }).permanent === true;
      const error = err instanceof Error ? err.message : String(err);
      await store.markFailed(copy.id, owner, { attempts, error, nextAttemptAt: new Date(clock().getTime() + backoffMs(attempts, this.deps.retry)), permanent });
      logger.warn({ month: copy.month, recipient: copy.recipient, attempts, error, permanent }, 'monthly report e-mail not delivered');
      return 'failed';
    }
    await store.markSent(copy.id, owner, attempts, clock());
    logger.info({ month: copy.month, recipient: copy.recipient, attempts }, 'monthly report e-mailed');
    return 'sent';
  }

  private async render(month: string): Promise<Rendered> {
    const { letterhead, signature, clock, calendar } = this.deps;
    const report = await this.deps.reports.month(month);
    const figures = reportFigures(report);
    const message = renderReportMail(figures, letterhead?.office ?? null);
    const pdf = await renderReportPdf(figures, {
      letterhead: letterhead ?? null,
      signature: signature ?? null,
      printedAt: clock(),
      timezone: calendar.timezone,
      compress: this.deps.compressPdf,
    });
    return {
      ...message,
      attachments: [
        ...this.deps.renderCsv(report).map((file) => ({ filename: `laporan-bulanan-${month}-${file.name}.csv`, content: file.content, contentType: 'text/csv; charset=utf-8' })),
        { filename: `laporan-bulanan-${month}.pdf`, content: pdf, contentType: 'application/pdf' },
      ],
    };
  }

  private sayOnce(key: string, say: () => void): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    say();
  }
}
