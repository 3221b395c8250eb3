import { describe, expect, it } from 'vitest';
import { alertmanagerWebhookBody, incidentFingerprint, renderMessage, telegramText } from '../../../detector/notify/messages.js';
import { CAUSE_OF } from '../../helpers/events.js';
import type { NotificationEvent, NotificationPayload, NotifiedIncident } from '../../../detector/notify/notification-types.js';

function incident(overrides: Partial<NotifiedIncident> = {}): NotifiedIncident {
  return {
    ref: 'INC-2026-00001',
    title: 'Situs pengaduan tidak bisa diakses',
    description: 'Probe gagal tiga kali berturut-turut',
    service: 'pengaduan',
    serviceName: 'Pengaduan Masyarakat',
    check: 'pengaduan-home',
    source: 'probe',
    category: 'network',
    subcategory: 'connection',
    failureKind: null,
    failureReason: 'ECONNREFUSED',
    priority: 'P1',
    status: 'new',
    escalationLevel: 0,
    assignedGroup: 'service-desk',
    assignee: null,
    reporter: null,
    detectedAt: '2026-11-27T01:00:00.000Z',
    acknowledgedAt: null,
    responseDueAt: '2026-11-27T01:15:00.000Z',
    resolveDueAt: '2026-11-27T05:00:00.000Z',
    serviceRestoredAt: null,
    resolvedAt: null,
    closedAt: null,
    responseBreached: false,
    resolutionBreached: false,
    resolutionCode: null,
    resolutionNotes: null,
    closureCode: null,
    reopenCount: 0,
    ...overrides,
  };
}

function payload(event: NotificationEvent, overrides: Partial<NotificationPayload> = {}, incidentOverrides: Partial<NotifiedIncident> = {}): NotificationPayload {
  return {
    event,
    cause: { id: 7, type: CAUSE_OF[event], at: '2026-11-27T01:00:30.000Z', actor: 'system', note: null, data: null },
    incident: incident(incidentOverrides),
    link: 'https://sigap.dpmptsp.example/incidents/INC-2026-00001',
    timezone: 'Asia/Jakarta',
    language: 'id',
    ...overrides,
  };
}

describe('renderMessage', () => {
  it('tells, in Indonesian by default, what opened, where, since when in WIB, who owns it and to acknowledge before the response due time', () => {
    const message = renderMessage(payload('opened'));
    expect(message.subject).toBe('[Sigap] P1 TERBUKA — Pengaduan Masyarakat: Situs pengaduan tidak bisa diakses (INC-2026-00001)');
    expect(message.text).toContain('Layanan: Pengaduan Masyarakat');
    expect(message.text).toContain('Gangguan: sambungan ditolak: tidak ada layanan yang menunggu di port itu (jaringan / koneksi)');
    expect(message.text).toContain('Sejak: 27 Nov 2026 08.00 WIB');
    expect(message.text).toContain('Penanggung jawab: service-desk, level 0');
    expect(message.text).toContain('batas 27 Nov 2026 08.15 WIB');
    expect(message.text).toContain('https://sigap.dpmptsp.example/incidents/INC-2026-00001');
    expect(message.html).toContain('<a href="https://sigap.dpmptsp.example/incidents/INC-2026-00001">');
  });

  it('speaks English when the payload asks for it', () => {
    const message = renderMessage(payload('opened', { language: 'en' }, { assignee: 'Rina' }));
    expect(message.subject).toMatch(/^\[Sigap\] P1 OPENED — Pengaduan Masyarakat: /);
    expect(message.text).toContain('Owner: Rina (service-desk, level 0)');
    expect(message.text).toContain('Acknowledge it in Sigap within the response target (due 27 Nov 2026');
    expect(message.text).toContain('Since: 27 Nov 2026 08:00');
  });

  it.each<[NotificationEvent, Partial<NotifiedIncident>, string]>([
    ['reminder', {}, 'acknowledge it in Sigap now'],
    ['warning', {}, 'Response target due at 27 Nov 2026'],
    ['warning', { acknowledgedAt: '2026-11-27T01:05:00.000Z' }, 'Resolution target due at 27 Nov 2026'],
    ['breached', { escalationLevel: 1, responseBreached: true }, 'escalated to level 1, head of division informed; take it over'],
    ['escalated', { escalationLevel: 2, assignedGroup: 'vendor' }, 'The level 2 group (vendor) takes it'],
    ['restored', { serviceRestoredAt: '2026-11-27T02:00:00.000Z' }, 'record the resolution'],
    ['resolved', { resolutionCode: 'restarted', resolutionNotes: 'nginx restarted' }, 'Resolution: Restarted — nginx restarted'],
    ['closed', { closureCode: 'solved' }, 'closure code solved'],
    ['reopened', { reopenCount: 1 }, 'Failed again'],
  ])('for %s with %o it says what to do next: %s', (event, overrides, expected) => {
    expect(renderMessage(payload(event, { language: 'en' }, overrides)).text).toContain(expected);
  });

  it('includes the note of the event that caused it', () => {
    const cause = { id: 9, type: 'escalate' as const, at: '2026-11-27T01:20:00.000Z', actor: 'budi', note: 'server room is flooded', data: null };
    const message = renderMessage(payload('escalated', { cause }));
    expect(message.text).toContain('Catatan: server room is flooded (budi)');
  });

  it('escapes a <script> title in the HTML and keeps it intact in the text', () => {
    const title = '<script>alert("x")</script> & co';
    const message = renderMessage(payload('opened', {}, { title, assignee: '<b>Eve</b>' }));
    expect(message.text).toContain(`Judul: ${title}`);
    expect(message.html).not.toContain('<script>');
    expect(message.html).not.toContain('<b>Eve</b>');
    expect(message.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
  });
});

describe('telegramText', () => {
  it('uses only <b> and <a href> and escapes values', () => {
    const text = telegramText(payload('opened', {}, { title: 'a <i>b</i> & c' }));
    expect(text).toContain('a &lt;i&gt;b&lt;/i&gt; &amp; c');
    expect(text).toContain('<a href="https://sigap.dpmptsp.example/incidents/INC-2026-00001">INC-2026-00001</a>');
    const tags = text.match(/<\/?([a-z]+)/g) ?? [];
    expect(new Set(tags.map((tag) => tag.replace(/[</]/g, '')))).toEqual(new Set(['b', 'a']));
  });

  it('stays under 4096 characters however long the values are', () => {
    const long = '<&>'.repeat(3000);
    const cause = { id: 1, type: 'note' as const, at: '2026-11-27T01:00:00.000Z', actor: 'x', note: long, data: null };
    const text = telegramText(payload('resolved', { cause }, { title: long, resolutionNotes: long, failureReason: long }));
    expect(text.length).toBeLessThan(4096);
  });
});

describe('alertmanagerWebhookBody', () => {
  it('is a firing Alertmanager v4 body for an opened incident', () => {
    const body = alertmanagerWebhookBody(payload('opened'), 'desk-hook');
    expect(body).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'desk-hook',
      truncatedAlerts: 0,
      externalURL: 'https://sigap.dpmptsp.example',
      sigap: { event: 'opened', incident: { ref: 'INC-2026-00001' } },
    });
    const [alert] = body.alerts;
    expect(alert).toMatchObject({
      status: 'firing',
      labels: { alertname: 'SigapIncident', service: 'pengaduan', check: 'pengaduan-home', priority: 'P1', category: 'network' },
      startsAt: '2026-11-27T01:00:00.000Z',
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: incidentFingerprint('INC-2026-00001'),
    });
    expect(alert?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(alert?.annotations.summary).toContain('Situs pengaduan tidak bisa diakses');
  });

  it('is resolved from restored on, ending when the service came back, with the same fingerprint', () => {
    const opened = alertmanagerWebhookBody(payload('opened'), 'r');
    const restored = alertmanagerWebhookBody(payload('restored', {}, { serviceRestoredAt: '2026-11-27T02:00:00.000Z' }), 'r');
    expect(restored.status).toBe('resolved');
    expect(restored.alerts[0]?.status).toBe('resolved');
    expect(restored.alerts[0]?.endsAt).toBe('2026-11-27T02:00:00.000Z');
    expect(restored.alerts[0]?.fingerprint).toBe(opened.alerts[0]?.fingerprint);
    expect(alertmanagerWebhookBody(payload('reopened'), 'r').status).toBe('firing');
  });

  it('gives a manual incident an empty check label, never null', () => {
    const body = alertmanagerWebhookBody(payload('opened', {}, { check: null, source: 'manual' }), 'r');
    expect(body.alerts[0]?.labels.check).toBe('');
  });
});
