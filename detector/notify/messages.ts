// What a notification says, in Indonesian or English: the e-mail (subject, text, HTML), the
// Telegram text, the short phone text (WhatsApp and HTTP gateways) and the Alertmanager-shaped
// webhook body. Pure functions of the payload; the
// words live in one table per language below. Every user-supplied value is escaped in HTML.
import { createHash } from 'node:crypto';
import { closureCodeText, resolutionCodeText, taxonomyText } from '../incidents/incident-words.js';
import { failureReasonText } from '../incidents/probe-words.js';
import { reporterText } from './reporter-message.js';
import type { MessageLanguage, NotificationEvent, NotificationPayload, NotifiedIncident } from './notification-types.js';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/** What the next-step sentences may refer to, already formatted. */
interface StepContext {
  responseDue: string;
  resolveDue: string;
  level: number;
  group: string;
  responseOpen: boolean;
  closureCode: string;
  reopenCount: number;
}

interface Strings {
  locale: string;
  event: Record<NotificationEvent, string>;
  label: { service: string; title: string; failed: string; since: string; priority: string; owner: string; link: string; next: string; note: string; resolution: string };
  owner: (assignee: string | null, group: string, level: number) => string;
  next: Record<NotificationEvent, (c: StepContext) => string>;
}

const ID: Strings = {
  locale: 'id-ID',
  event: {
    opened: 'TERBUKA',
    acknowledged: 'DITANGGAPI',
    escalated: 'DIESKALASI',
    warning: 'PERINGATAN SLA',
    breached: 'SLA TERLAMPAUI',
    restored: 'LAYANAN PULIH',
    resolved: 'DISELESAIKAN',
    closed: 'DITUTUP',
    reopened: 'DIBUKA KEMBALI',
    reminder: 'PENGINGAT',
  },
  label: {
    service: 'Layanan',
    title: 'Judul',
    failed: 'Gangguan',
    since: 'Sejak',
    priority: 'Prioritas',
    owner: 'Penanggung jawab',
    link: 'Tautan',
    next: 'Langkah berikutnya',
    note: 'Catatan',
    resolution: 'Penyelesaian',
  },
  owner: (assignee, group, level) => (assignee ? `${assignee} (${group}, level ${level})` : `${group}, level ${level} — belum ada petugas`),
  next: {
    opened: (c) => `Tanggapi (acknowledge) di Sigap dalam target respons (batas ${c.responseDue}).`,
    reminder: (c) => `Belum ditanggapi: tanggapi di Sigap sekarang (batas respons ${c.responseDue}).`,
    acknowledged: (c) => `Sedang ditangani; selesaikan sebelum batas penyelesaian ${c.resolveDue}.`,
    warning: (c) =>
      c.responseOpen ? `Target respons jatuh tempo ${c.responseDue} — tanggapi atau eskalasikan.` : `Target penyelesaian jatuh tempo ${c.resolveDue} — tangani atau eskalasikan.`,
    breached: (c) => `Target terlampaui: dieskalasi ke level ${c.level}, kepala bidang sudah diberi tahu; ambil alih insiden ini.`,
    escalated: (c) => `Grup level ${c.level} (${c.group}) mengambil alih: tanggapi di Sigap.`,
    restored: () => 'Probe melihat layanan sehat kembali: catat penyelesaiannya (kode penyelesaian dan catatan).',
    resolved: () => 'Verifikasi lalu tutup insiden (konfirmasi dengan pelapor).',
    closed: (c) => `Tidak perlu tindakan; kode penutupan ${c.closureCode}.`,
    reopened: (c) => `Gagal lagi setelah diselesaikan (dibuka kembali ${c.reopenCount}×): selidiki.`,
  },
};

const EN: Strings = {
  locale: 'en-GB',
  event: {
    opened: 'OPENED',
    acknowledged: 'ACKNOWLEDGED',
    escalated: 'ESCALATED',
    warning: 'SLA WARNING',
    breached: 'SLA BREACHED',
    restored: 'SERVICE RESTORED',
    resolved: 'RESOLVED',
    closed: 'CLOSED',
    reopened: 'REOPENED',
    reminder: 'REMINDER',
  },
  label: {
    service: 'Service',
    title: 'Title',
    failed: 'What failed',
    since: 'Since',
    priority: 'Priority',
    owner: 'Owner',
    link: 'Link',
    next: 'What to do next',
    note: 'Note',
    resolution: 'Resolution',
  },
  owner: (assignee, group, level) => (assignee ? `${assignee} (${group}, level ${level})` : `${group}, level ${level} — nobody assigned yet`),
  next: {
    opened: (c) => `Acknowledge it in Sigap within the response target (due ${c.responseDue}).`,
    reminder: (c) => `Still unacknowledged: acknowledge it in Sigap now (response due ${c.responseDue}).`,
    acknowledged: (c) => `Being handled; resolve it before the resolution target (due ${c.resolveDue}).`,
    warning: (c) => (c.responseOpen ? `Response target due at ${c.responseDue} — act or escalate.` : `Resolution target due at ${c.resolveDue} — act or escalate.`),
    breached: (c) => `Target breached: escalated to level ${c.level}, head of division informed; take it over.`,
    escalated: (c) => `The level ${c.level} group (${c.group}) takes it: acknowledge it in Sigap.`,
    restored: () => 'Probes see the service healthy again: record the resolution (resolution code and notes).',
    resolved: () => 'Verify and close it (confirm with the reporter).',
    closed: (c) => `No action needed; closure code ${c.closureCode}.`,
    reopened: (c) => `Failed again after it was resolved (reopened ${c.reopenCount}×): investigate.`,
  },
};

const STRINGS: Record<MessageLanguage, Strings> = { id: ID, en: EN };

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** "27 Nov 2026 08.00 WIB" in the office time zone; UTC when the zone is unknown. */
export function formatTime(iso: string, timezone: string, language: MessageLanguage): string {
  const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' };
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat(STRINGS[language].locale, { ...options, timeZone: timezone });
  } catch {
    format = new Intl.DateTimeFormat(STRINGS[language].locale, { ...options, timeZone: 'UTC' });
  }
  return format.format(date).replace(', ', ' ');
}

interface Row {
  label: string;
  value: string;
  href?: string;
}

/** The facts of a message in reading order, plain (unescaped) strings. */
function compose(payload: NotificationPayload): { heading: string; rows: Row[] } {
  const language: MessageLanguage = payload.language === 'en' ? 'en' : 'id';
  const s = STRINGS[language];
  const i = payload.incident;
  const time = (iso: string | null): string => (iso ? formatTime(iso, payload.timezone, language) : '—');
  const context: StepContext = {
    responseDue: time(i.responseDueAt),
    resolveDue: time(i.resolveDueAt),
    level: i.escalationLevel,
    group: i.assignedGroup,
    responseOpen: i.acknowledgedAt === null,
    closureCode: closureCodeText(i.closureCode, language) || '—',
    reopenCount: i.reopenCount,
  };
  const taxonomy = taxonomyText(i.category, i.subcategory, language);
  const failed = i.failureReason ? `${failureReasonText(i.failureReason, language)} (${taxonomy})` : taxonomy;
  const rows: Row[] = [
    { label: s.label.service, value: i.serviceName },
    { label: s.label.title, value: i.title },
    { label: s.label.failed, value: failed },
    { label: s.label.since, value: time(i.detectedAt) },
    { label: s.label.priority, value: i.priority },
    { label: s.label.owner, value: s.owner(i.assignee, i.assignedGroup, i.escalationLevel) },
  ];
  if (payload.event === 'resolved' || payload.event === 'closed') {
    const resolution = [resolutionCodeText(i.resolutionCode, language), i.resolutionNotes].filter((part): part is string => !!part).join(' — ');
    if (resolution) rows.push({ label: s.label.resolution, value: resolution });
  }
  if (payload.cause.note) rows.push({ label: s.label.note, value: `${payload.cause.note} (${payload.cause.actor})` });
  rows.push({ label: s.label.next, value: s.next[payload.event](context) });
  rows.push({ label: s.label.link, value: payload.link, href: payload.link });
  return { heading: `${i.priority} ${s.event[payload.event]}`, rows };
}

export function renderMessage(payload: NotificationPayload): RenderedMessage {
  const { heading, rows } = compose(payload);
  const i = payload.incident;
  const subject = `[Sigap] ${heading} — ${i.serviceName}: ${i.title} (${i.ref})`.replace(/[\r\n]+/g, ' ');
  const text = [`${heading} — ${i.ref}`, '', ...rows.map((row) => `${row.label}: ${row.value}`), ''].join('\n');
  const cells = rows.map((row) => {
    const value = row.href ? `<a href="${escapeHtml(row.href)}">${escapeHtml(row.value)}</a>` : escapeHtml(row.value);
    return `<tr><th align="left" valign="top">${escapeHtml(row.label)}</th><td>${value}</td></tr>`;
  });
  const html = ['<!doctype html><html><body>', `<h2>${escapeHtml(heading)} — ${escapeHtml(i.ref)}</h2>`, `<table cellpadding="4">${cells.join('')}</table>`, '</body></html>'].join(
    '\n',
  );
  return { subject, text, html };
}

const TELEGRAM_LIMIT = 4096;

/** Telegram's HTML parse mode (<b>, <a href>); long values are cut until the text fits. */
export function telegramText(payload: NotificationPayload): string {
  for (const cap of [500, 200, 60]) {
    const text = telegramTextWithin(payload, cap);
    if (text.length < TELEGRAM_LIMIT) return text;
  }
  return telegramTextWithin(payload, 20).slice(0, TELEGRAM_LIMIT - 1);
}

function telegramTextWithin(payload: NotificationPayload, cap: number): string {
  const { heading, rows } = compose(payload);
  const cut = (value: string): string => (value.length > cap ? `${value.slice(0, cap - 1)}…` : value);
  const lines = rows.filter((row) => !row.href).map((row) => `<b>${escapeHtml(row.label)}:</b> ${escapeHtml(cut(row.value))}`);
  const ref = escapeHtml(payload.incident.ref);
  return [`<b>[Sigap] ${escapeHtml(heading)}</b> — <a href="${escapeHtml(payload.link)}">${ref}</a>`, ...lines].join('\n');
}

/** A phone message's budget: one screen of WhatsApp or two SMS, the link excepted when it is long. */
export const PHONE_TEXT_LIMIT = 300;

interface PhoneContext {
  responseDue: string;
  resolveDue: string;
  i: NotifiedIncident;
}

const PHONE: Record<MessageLanguage, { failed: string; next: Record<NotificationEvent, (c: PhoneContext) => string> }> = {
  id: {
    failed: 'Gangguan',
    next: {
      opened: (c) => `Tanggapi sebelum ${c.responseDue}.`,
      reminder: (c) => `Belum ditanggapi; batas respons ${c.responseDue}.`,
      acknowledged: (c) => `Ditangani ${c.i.assignee ?? c.i.assignedGroup}; selesaikan sebelum ${c.resolveDue}.`,
      escalated: (c) => `Dieskalasi ke level ${c.i.escalationLevel} (${c.i.assignedGroup}); batas ${c.resolveDue}.`,
      warning: (c) => (c.i.acknowledgedAt === null ? `Batas respons ${c.responseDue} segera lewat.` : `Batas penyelesaian ${c.resolveDue} segera lewat.`),
      breached: (c) => `Target SLA terlampaui; kini level ${c.i.escalationLevel} (${c.i.assignedGroup}).`,
      restored: () => 'Layanan sehat kembali; catat penyelesaiannya.',
      resolved: (c) => `Diselesaikan${c.i.resolutionCode ? ` (${resolutionCodeText(c.i.resolutionCode, 'id')})` : ''}; verifikasi lalu tutup.`,
      closed: (c) => `Ditutup${c.i.closureCode ? ` (${closureCodeText(c.i.closureCode, 'id')})` : ''}.`,
      reopened: (c) => `Gagal lagi, dibuka kembali (${c.i.reopenCount}×); selidiki.`,
    },
  },
  en: {
    failed: 'Failure',
    next: {
      opened: (c) => `Acknowledge by ${c.responseDue}.`,
      reminder: (c) => `Still unacknowledged; response due ${c.responseDue}.`,
      acknowledged: (c) => `Handled by ${c.i.assignee ?? c.i.assignedGroup}; resolve by ${c.resolveDue}.`,
      escalated: (c) => `Escalated to level ${c.i.escalationLevel} (${c.i.assignedGroup}); due ${c.resolveDue}.`,
      warning: (c) => (c.i.acknowledgedAt === null ? `Response due soon: ${c.responseDue}.` : `Resolution due soon: ${c.resolveDue}.`),
      breached: (c) => `SLA target breached; now level ${c.i.escalationLevel} (${c.i.assignedGroup}).`,
      restored: () => 'Service healthy again; record the resolution.',
      resolved: (c) => `Resolved${c.i.resolutionCode ? ` (${resolutionCodeText(c.i.resolutionCode, 'en')})` : ''}; verify and close it.`,
      closed: (c) => `Closed${c.i.closureCode ? ` (${closureCodeText(c.i.closureCode, 'en')})` : ''}.`,
      reopened: (c) => `Failed again, reopened (${c.i.reopenCount}×); investigate.`,
    },
  },
};

/**
 * The text of a WhatsApp or HTTP-gateway message: short enough for a phone (PHONE_TEXT_LIMIT),
 * plain text, in the payload's language. A row for the incident's reporter gets the reporter's
 * own plain message instead of the staff one.
 */
export function phoneText(payload: NotificationPayload): string {
  return payload.audience === 'reporter' ? reporterText(payload) : staffPhoneText(payload);
}

/** Ref, priority and event; service and title; what failed and what to do by when; the link. */
export function staffPhoneText(payload: NotificationPayload): string {
  const language: MessageLanguage = payload.language === 'en' ? 'en' : 'id';
  const i = payload.incident;
  const words = PHONE[language];
  const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim();
  const context: PhoneContext = { responseDue: formatTime(i.responseDueAt, payload.timezone, language), resolveDue: formatTime(i.resolveDueAt, payload.timezone, language), i };
  const heading = `[Sigap] ${i.priority} ${STRINGS[language].event[payload.event]} ${i.ref}`;
  const reason = i.failureReason ? failureReasonText(i.failureReason, language) : null;
  const failed = payload.event === 'opened' || payload.event === 'reopened' ? (reason ? `${words.failed}: ${oneLine(reason)}. ` : '') : '';
  const next = cut(oneLine(`${failed}${words.next[payload.event](context)}`), 160);
  const fixed = [heading, next, payload.link].join('\n').length + 1;
  // The service name and the title share what is left; each is cut with an ellipsis if it must be.
  const room = Math.max(40, PHONE_TEXT_LIMIT - fixed);
  // A probe incident's title already starts with its service's name: say it once.
  if (oneLine(i.title).startsWith(oneLine(i.serviceName))) return [heading, cut(oneLine(i.title), room), next, payload.link].join('\n');
  const service = cut(oneLine(i.serviceName), Math.max(16, Math.floor(room / 3)));
  const title = cut(oneLine(i.title), Math.max(20, room - service.length - 2));
  return [heading, `${service}: ${title}`, next, payload.link].join('\n');
}

function cut(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

const RESOLVED_EVENTS: ReadonlySet<NotificationEvent> = new Set(['restored', 'resolved', 'closed']);
const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: { summary: string; description: string };
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface AlertmanagerWebhookBody {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AlertmanagerAlert[];
  sigap: { event: NotificationEvent; incident: NotifiedIncident };
}

/** A stable per-incident id, the same on every event of one incident. */
export function incidentFingerprint(ref: string): string {
  return createHash('sha256').update(ref).digest('hex').slice(0, 16);
}

/** DESIGN §3: Alertmanager's v4 webhook shape, one alert per incident, plus Sigap's own `sigap`. */
export function alertmanagerWebhookBody(payload: NotificationPayload, receiver: string): AlertmanagerWebhookBody {
  const i = payload.incident;
  const status = RESOLVED_EVENTS.has(payload.event) ? 'resolved' : 'firing';
  const { heading, rows } = compose(payload);
  // Alertmanager labels are strings: a manual incident's null check becomes "".
  const labels = { alertname: 'SigapIncident', ref: i.ref, service: i.service, check: i.check ?? '', priority: i.priority, category: i.category };
  const annotations = {
    summary: `${heading} — ${i.serviceName}: ${i.title} (${i.ref})`,
    description: rows
      .filter((row) => !row.href)
      .map((row) => `${row.label}: ${row.value}`)
      .join('\n'),
  };
  const endsAt = status === 'firing' ? ZERO_TIME : (i.serviceRestoredAt ?? i.resolvedAt ?? i.closedAt ?? payload.cause.at);
  return {
    version: '4',
    groupKey: `{}:{ref=${JSON.stringify(i.ref)}}`,
    truncatedAlerts: 0,
    status,
    receiver,
    groupLabels: { ref: i.ref },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: originOf(payload.link),
    alerts: [{ status, labels, annotations, startsAt: i.detectedAt, endsAt, generatorURL: payload.link, fingerprint: incidentFingerprint(i.ref) }],
    sigap: { event: payload.event, incident: i },
  };
}

function originOf(link: string): string {
  try {
    return new URL(link).origin;
  } catch {
    return '';
  }
}
