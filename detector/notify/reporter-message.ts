// What the reporter of a manual incident reads when it is fixed or closed (SOP-Insiden-003): a
// short message for a phone, in plain Indonesian (English when the channel's language is en).
// It greets them by name, gives the reference to quote, names the service in words, says that
// what they reported is fixed or closed and when, and what was done in plain words. It never
// carries internal codes, priorities, people's names, or the desk's resolution notes: those are
// written for colleagues. The e-mail channel sends `reporterEmail`; the phone channels (WhatsApp,
// http) send `reporterText`.
import type { MessageLanguage, NotificationPayload } from './notification-types.js';

interface ReporterStrings {
  locale: string;
  greeting: (name: string) => string;
  done: { resolved: (service: string, ref: string) => string; closed: (service: string, ref: string) => string };
  when: { resolved: (time: string) => string; closed: (time: string) => string };
  /** What was done, by resolution code; `default` for none or one not listed. */
  resolution: Record<string, string>;
  again: (ref: string) => string;
  thanks: string;
  subject: { resolved: (ref: string) => string; closed: (ref: string) => string };
}

/** A name that already carries its form of address. */
const HONORIFIC = /^(bapak|bpk\.?|pak|ibu|bu|sdr\.?|sdri\.?|saudara|saudari)\s/i;

const ID: ReporterStrings = {
  locale: 'id-ID',
  // "Ibu Sari" is greeted as herself, "Sari" as "Bapak/Ibu Sari".
  greeting: (name) => (HONORIFIC.test(name) ? `Yth. ${name},` : `Yth. Bapak/Ibu ${name},`),
  done: {
    resolved: (service, ref) => `masalah yang Anda laporkan pada layanan ${service} (nomor laporan ${ref}) sudah kami selesaikan.`,
    closed: (service, ref) => `laporan Anda tentang layanan ${service} (nomor laporan ${ref}) sudah selesai ditangani dan kami tutup.`,
  },
  when: { resolved: (time) => `Selesai: ${time}.`, closed: (time) => `Ditutup: ${time}.` },
  resolution: {
    fixed: 'Gangguannya sudah diperbaiki.',
    workaround: 'Layanan sudah dapat digunakan kembali; perbaikan tuntasnya masih kami kerjakan.',
    restarted: 'Layanan sudah dijalankan ulang dan kembali normal.',
    vendor_fixed: 'Gangguannya sudah diperbaiki oleh penyedia layanan kami.',
    no_fault_found: 'Kami sudah memeriksa dan tidak menemukan gangguan; layanan berjalan normal.',
    auto_recovered: 'Layanan sudah kembali normal.',
    default: 'Layanan sudah kembali normal.',
  },
  again: (ref) => `Jika masih ada kendala, hubungi kami kembali dengan menyebut nomor ${ref}.`,
  thanks: 'Terima kasih atas laporan Anda.',
  subject: { resolved: (ref) => `Laporan ${ref} sudah diselesaikan`, closed: (ref) => `Laporan ${ref} sudah ditutup` },
};

const EN: ReporterStrings = {
  locale: 'en-GB',
  greeting: (name) => `Dear ${name},`,
  done: {
    resolved: (service, ref) => `the problem you reported with ${service} (report number ${ref}) has been solved.`,
    closed: (service, ref) => `your report about ${service} (report number ${ref}) has been dealt with and is now closed.`,
  },
  when: { resolved: (time) => `Solved: ${time}.`, closed: (time) => `Closed: ${time}.` },
  resolution: {
    fixed: 'The fault has been repaired.',
    workaround: 'The service can be used again; we are still working on a lasting repair.',
    restarted: 'The service was restarted and is working normally again.',
    vendor_fixed: 'The fault has been repaired by our service provider.',
    no_fault_found: 'We checked and found no fault; the service is working normally.',
    auto_recovered: 'The service is working normally again.',
    default: 'The service is working normally again.',
  },
  again: (ref) => `If you still have a problem, contact us again and quote ${ref}.`,
  thanks: 'Thank you for your report.',
  subject: { resolved: (ref) => `Report ${ref} solved`, closed: (ref) => `Report ${ref} closed` },
};

const STRINGS: Record<MessageLanguage, ReporterStrings> = { id: ID, en: EN };

function stringsFor(language: MessageLanguage): ReporterStrings {
  return STRINGS[language] ?? ID;
}

function when(payload: NotificationPayload, s: ReporterStrings): string {
  const { incident, cause, timezone } = payload;
  const iso = (payload.event === 'closed' ? incident.closedAt : incident.resolvedAt) ?? cause.at;
  const format = new Intl.DateTimeFormat(s.locale, {
    timeZone: timezone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  return format.format(new Date(iso));
}

/** The reporter's message as plain text: a few short lines for a phone. */
export function reporterText(payload: NotificationPayload): string {
  const s = stringsFor(payload.language);
  const { incident } = payload;
  const closed = payload.event === 'closed';
  const name = incident.reporter?.name ?? '';
  const code = incident.resolutionCode ?? 'default';
  return [
    `${s.greeting(name)}`,
    closed ? s.done.closed(incident.serviceName, incident.ref) : s.done.resolved(incident.serviceName, incident.ref),
    s.resolution[code] ?? s.resolution.default!,
    closed ? s.when.closed(when(payload, s)) : s.when.resolved(when(payload, s)),
    s.again(incident.ref),
    s.thanks,
  ].join('\n');
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The reporter's message as an e-mail: a subject naming the reference, the same text, and its HTML. */
export function reporterEmail(payload: NotificationPayload): { subject: string; text: string; html: string } {
  const s = stringsFor(payload.language);
  const text = reporterText(payload);
  const subject = payload.event === 'closed' ? s.subject.closed(payload.incident.ref) : s.subject.resolved(payload.incident.ref);
  const html = text
    .split('\n')
    .map((line) => `<p>${escapeHtml(line)}</p>`)
    .join('\n');
  return { subject, text, html };
}
