// What the reporter reads (SOP-Insiden-003) and which contact a channel can reach: plain words,
// their name, the reference and the service; never internal codes or the desk's notes.
import { describe, expect, it } from 'vitest';
import { contactKind, normalizePhoneNumber } from '../../../detector/incidents/reporter.js';
import type { NotificationPayload, NotifiedIncident } from '../../../detector/notify/notification-types.js';
import { reporterEmail, reporterText } from '../../../detector/notify/reporter-message.js';

const incident: NotifiedIncident = {
  ref: 'INC-2026-00042',
  title: 'Formulir SKM tidak bisa dikirim',
  description: 'Warga mengirim pesan WhatsApp.',
  service: 'skm',
  serviceName: 'Survei Kepuasan Masyarakat',
  check: null,
  source: 'manual',
  category: 'application',
  subcategory: 'form-submission',
  failureKind: null,
  failureReason: null,
  priority: 'P3',
  status: 'resolved',
  escalationLevel: 2,
  assignedGroup: 'vendor',
  assignee: null,
  reporter: { name: 'Ibu Sari', contact: '0812-3456-7890' },
  detectedAt: '2026-12-07T01:00:00.000Z',
  acknowledgedAt: '2026-12-07T01:10:00.000Z',
  responseDueAt: '2026-12-07T03:00:00.000Z',
  resolveDueAt: '2026-12-08T01:00:00.000Z',
  serviceRestoredAt: null,
  resolvedAt: '2026-12-07T06:30:00.000Z',
  closedAt: null,
  responseBreached: false,
  resolutionBreached: false,
  resolutionCode: 'vendor_fixed',
  resolutionNotes: null,
  closureCode: null,
  reopenCount: 0,
};

const payload = (overrides: Partial<NotificationPayload> = {}): NotificationPayload => ({
  event: 'resolved',
  cause: { id: 7, type: 'resolve', at: '2026-12-07T06:30:00.000Z', actor: 'vendor1', note: null, data: null },
  incident,
  link: 'https://sigap.example/incidents/INC-2026-00042',
  timezone: 'Asia/Jakarta',
  language: 'id',
  audience: 'reporter',
  ...overrides,
});

describe('the message to the reporter', () => {
  it('greets them by name and says in plain Indonesian that what they reported with the named service is fixed, when, and how', () => {
    const text = reporterText(payload());
    expect(text.split('\n')).toEqual([
      'Yth. Ibu Sari,',
      'masalah yang Anda laporkan pada layanan Survei Kepuasan Masyarakat (nomor laporan INC-2026-00042) sudah kami selesaikan.',
      'Gangguannya sudah diperbaiki oleh penyedia layanan kami.',
      'Selesai: 7 Desember 2026 pukul 13.30 WIB.',
      'Jika masih ada kendala, hubungi kami kembali dengan menyebut nomor INC-2026-00042.',
      'Terima kasih atas laporan Anda.',
    ]);
    // Short enough for a phone screen, and nothing internal.
    expect(text.length).toBeLessThan(500);
    for (const internal of ['vendor_fixed', 'P3', 'vendor1', 'https://', 'skm']) expect(text).not.toContain(internal);
  });

  it('greets a name without its form of address as "Bapak/Ibu", and one with it as written', () => {
    const named = (name: string) => reporterText(payload({ incident: { ...incident, reporter: { name, contact: '0857-1234-5678' } } })).split('\n')[0];
    expect(named('Sari')).toBe('Yth. Bapak/Ibu Sari,');
    expect(named('Pak Budi')).toBe('Yth. Pak Budi,');
    expect(named('Bu Ani')).toBe('Yth. Bu Ani,');
    expect(named('Ibunda Rahma')).toBe('Yth. Bapak/Ibu Ibunda Rahma,');
  });

  it('says the report is closed on closure, in English when the channel speaks English', () => {
    const closed = payload({
      event: 'closed',
      language: 'en',
      incident: { ...incident, status: 'closed', closedAt: '2026-12-08T02:00:00.000Z', resolutionCode: 'no_fault_found' },
    });
    const text = reporterText(closed);
    expect(text).toContain('Dear Ibu Sari,');
    expect(text).toContain('your report about Survei Kepuasan Masyarakat (report number INC-2026-00042) has been dealt with and is now closed.');
    expect(text).toContain('We checked and found no fault; the service is working normally.');
    expect(text).toContain('Closed: 8 December 2026 at 09:00');
  });

  it('never passes on the desk notes, whatever they say, and falls back to plain words for a missing code', () => {
    const text = reporterText(payload({ incident: { ...incident, resolutionCode: null, resolutionNotes: 'restart php-fpm, password admin123' } }));
    expect(text).not.toContain('php-fpm');
    expect(text).toContain('Layanan sudah kembali normal.');
  });

  it('as an e-mail has a subject naming the reference and the same text, HTML-escaped', () => {
    const mail = reporterEmail(payload({ incident: { ...incident, reporter: { name: '<Sari & Co>', contact: 'sari@example.org' } } }));
    expect(mail.subject).toBe('Laporan INC-2026-00042 sudah diselesaikan');
    expect(mail.text).toContain('Yth. Bapak/Ibu <Sari & Co>,');
    expect(mail.html).toContain('&#60;Sari &#38; Co&#62;');
    expect(mail.html).not.toContain('<Sari');
  });
});

describe("which channels can reach a reporter's contact", () => {
  it.each([
    ['sari@example.org', 'email', null],
    ['0812-3456-7890', 'phone', '6281234567890'],
    ['+62 812 3456 7890', 'phone', '6281234567890'],
    ['6281234567890', 'phone', '6281234567890'],
    ['(0274) 512345', 'phone', '62274512345'],
    ['loket 3', 'other', null],
    ['0812', 'other', null],
  ] as const)('%s is a contact of kind %s', (contact, kind, phone) => {
    expect(contactKind(contact)).toBe(kind);
    expect(normalizePhoneNumber(contact)).toBe(phone);
  });
});
