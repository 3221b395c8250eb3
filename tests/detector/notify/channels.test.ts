import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { EmailChannel, emailChannelFor } from '../../../detector/notify/channels/email.js';
import { createChannel } from '../../../detector/notify/channels/index.js';
import { TelegramChannel } from '../../../detector/notify/channels/telegram.js';
import { WebhookChannel } from '../../../detector/notify/channels/webhook.js';
import { DeliveryError, type Channel, type NotificationEvent, type OutboxDelivery, type SmtpConfig } from '../../../detector/notify/notification-types.js';
import { CAUSE_OF } from '../../helpers/events.js';
import { findRefusingPort, startHttpServer, stopAllServers } from '../../helpers/local-servers.js';

function delivery(event: NotificationEvent, overrides: Partial<OutboxDelivery> = {}, title = 'Situs pengaduan tidak bisa diakses'): OutboxDelivery {
  return {
    id: 41,
    channelKey: 'test',
    recipient: null,
    idempotencyKey: 'sigap-41-3f9c',
    attempt: 1,
    payload: {
      event,
      cause: { id: 7, type: CAUSE_OF[event], at: '2026-11-27T02:00:00.000Z', actor: 'system', note: null, data: null },
      incident: {
        ref: 'INC-2026-00001',
        title,
        description: '',
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
        serviceRestoredAt: event === 'restored' ? '2026-11-27T02:00:00.000Z' : null,
        resolvedAt: null,
        closedAt: null,
        responseBreached: false,
        resolutionBreached: false,
        resolutionCode: null,
        resolutionNotes: null,
        closureCode: null,
        reopenCount: 0,
      },
      link: 'http://127.0.0.1:1/incidents/INC-2026-00001',
      timezone: 'Asia/Jakarta',
      language: 'id',
    },
    ...overrides,
  };
}

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An HTTP stand-in that records every request and answers with `answer(request)`. */
async function recordingServer(answer: (received: Received) => { status: number; body: string } | null) {
  const received: Received[] = [];
  const server = await startHttpServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body };
      received.push(entry);
      const reply = answer(entry);
      if (!reply) return; // never answer
      response.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
  });
  return { server, received };
}

const channels: Channel[] = [];
function track<T extends Channel>(channel: T): T {
  channels.push(channel);
  return channel;
}

afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close?.()));
  await stopAllServers();
  await Promise.all(smtpServers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

describe('webhook channel', () => {
  const config = (url: string, headers: Record<string, string> = {}, timeoutMs = 2000) => ({ key: 'desk-hook', type: 'webhook' as const, url, timeoutMs, headers });

  it('posts an Alertmanager v4 body: firing when opened, resolved when restored', async () => {
    const { server, received } = await recordingServer(() => ({ status: 200, body: 'ok' }));
    const channel = track(new WebhookChannel(config(`${server.origin}/hook`)));
    await channel.send(delivery('opened'));
    await channel.send(delivery('restored', { id: 42, idempotencyKey: 'sigap-42' }));
    expect(received.map((r) => [r.method, r.url, r.headers['content-type'], r.headers['user-agent']])).toEqual([
      ['POST', '/hook', 'application/json', 'Sigap'],
      ['POST', '/hook', 'application/json', 'Sigap'],
    ]);
    const [opened, restored] = received.map((r) => JSON.parse(r.body));
    expect(opened).toMatchObject({ version: '4', status: 'firing', receiver: 'desk-hook', alerts: [{ status: 'firing', labels: { alertname: 'SigapIncident' } }] });
    expect(restored).toMatchObject({ version: '4', status: 'resolved', alerts: [{ status: 'resolved', endsAt: '2026-11-27T02:00:00.000Z' }] });
    expect(opened.sigap.event).toBe('opened');
  });

  it('sends the same Idempotency-Key on every attempt of one delivery, and the configured headers', async () => {
    const { server, received } = await recordingServer(() => ({ status: 202, body: '' }));
    const channel = track(new WebhookChannel(config(server.origin, { Authorization: 'Bearer hook-secret', 'X-Team': 'it' })));
    await channel.send(delivery('opened', { attempt: 1 }));
    await channel.send(delivery('opened', { attempt: 2 }));
    expect(received.map((r) => r.headers['idempotency-key'])).toEqual(['sigap-41-3f9c', 'sigap-41-3f9c']);
    expect(received[0]?.headers.authorization).toBe('Bearer hook-secret');
    expect(received[0]?.headers['x-team']).toBe('it');
  });

  it('fails with the status and the start of the body when the receiver answers 500', async () => {
    const { server } = await recordingServer(() => ({ status: 500, body: `database down ${'x'.repeat(500)}` }));
    const channel = track(new WebhookChannel(config(server.origin)));
    const error = await channel.send(delivery('opened')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toContain('500');
    expect((error as DeliveryError).message).toContain('database down');
    expect((error as DeliveryError).message.length).toBeLessThan(300);
  });

  it('keeps its header values and URL out of the error when the receiver echoes the request', async () => {
    const { server } = await recordingServer((r) => ({ status: 400, body: `bad request ${r.url} ${JSON.stringify(r.headers)}` }));
    const channel = track(new WebhookChannel(config(`${server.origin}/hooks/T0001/B0002/s3cr3t-path?token=q-secret`, { 'X-Hook-Key': 'header-secret-42' })));
    const message = ((await channel.send(delivery('opened')).catch((e: unknown) => e)) as DeliveryError).message;
    expect(message).toContain('400');
    expect(message).toContain('[redacted]');
    for (const secret of ['header-secret-42', 's3cr3t-path', 'q-secret']) expect(message).not.toContain(secret);
  });

  it('gives up within its timeout when the receiver never answers', async () => {
    const { server } = await recordingServer(() => null);
    const channel = track(new WebhookChannel(config(server.origin, {}, 300)));
    const started = performance.now();
    const error = await channel.send(delivery('opened')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toContain('300 ms');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('fails naming the error code when nothing listens on the port', async () => {
    const port = await findRefusingPort();
    const channel = track(new WebhookChannel(config(`http://127.0.0.1:${port}/hook`)));
    await expect(channel.send(delivery('opened'))).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('telegram channel', () => {
  const token = '123456:AAH-very-secret-token';
  const config = (apiBaseUrl: string) => ({
    key: 'it-telegram',
    type: 'telegram' as const,
    botToken: token,
    chatId: '-1001234',
    apiBaseUrl,
    timeoutMs: 2000,
    language: 'id' as const,
  });

  it('calls sendMessage for its bot with the chat, HTML parse mode and the message', async () => {
    const { server, received } = await recordingServer(() => ({ status: 200, body: '{"ok":true,"result":{"message_id":1}}' }));
    const channel = track(new TelegramChannel(config(server.origin)));
    await channel.send(delivery('opened'));
    expect(received[0]?.url).toBe(`/bot${token}/sendMessage`);
    const body = JSON.parse(received[0]?.body ?? '{}');
    expect(body).toMatchObject({ chat_id: '-1001234', parse_mode: 'HTML', disable_web_page_preview: true });
    expect(body.text).toContain('Situs pengaduan tidak bisa diakses');
  });

  it("fails with Telegram's description and never with the bot token", async () => {
    const { server } = await recordingServer(() => ({ status: 400, body: '{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}' }));
    const channel = track(new TelegramChannel(config(server.origin)));
    const error = await channel.send(delivery('opened')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toContain('chat not found');
    expect((error as Error).message).not.toContain(token);
    expect((error as Error).message).not.toContain('AAH-very-secret');
  });

  it('passes on how long Telegram asks to wait when rate-limited', async () => {
    const { server } = await recordingServer(() => ({
      status: 429,
      body: '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}',
    }));
    const channel = track(new TelegramChannel(config(server.origin)));
    await expect(channel.send(delivery('opened'))).rejects.toThrow(/429 .*retry after 7/);
  });

  it('fails without the bot token when the API is unreachable', async () => {
    const port = await findRefusingPort();
    const channel = track(new TelegramChannel(config(`http://127.0.0.1:${port}`)));
    const error = await channel.send(delivery('opened')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).not.toContain(token);
  });
});

const smtpServers: SMTPServer[] = [];

/** A real SMTP server on 127.0.0.1 without STARTTLS, collecting each message's raw text. */
async function startSmtpServer(options: SMTPServerOptions = {}) {
  const messages: { to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
    ...options,
  });
  smtpServers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, messages };
}

function smtpConfig(port: number, overrides: Partial<SmtpConfig> = {}): SmtpConfig {
  return { host: '127.0.0.1', port, secure: false, user: null, pass: null, from: 'Sigap <sigap@dpmptsp.example>', timeoutMs: 2000, ...overrides };
}

/** Just enough MIME: unfolded headers of the whole message and the decoded body of each text part. */
function parseMail(raw: string) {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = rest.join('\r\n\r\n');
  const part = (type: string): string | undefined => {
    const match = new RegExp(`Content-Type: ${type}[^]*?\\r\\n\\r\\n([^]*?)\\r\\n--`, 'i').exec(body);
    if (!match?.[1]) return undefined;
    return decodeQuotedPrintable(match[1]);
  };
  return { headers, text: part('text/plain'), html: part('text/html') };
}

function decodeQuotedPrintable(value: string): string {
  const bytes = value.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => `%${hex}`);
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
}

function decodeEncodedWords(value: string): string {
  return value.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, encoding: string, data: string) =>
    encoding.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
  );
}

describe('email channel', () => {
  const config = { key: 'desk-mail', type: 'email' as const, to: ['helpdesk@dpmptsp.example'], language: 'id' as const };

  it('sends one message to the delivery recipient with subject, text and HTML parts and the idempotency key', async () => {
    const { port, messages } = await startSmtpServer();
    const channel = track(new EmailChannel(config, smtpConfig(port)));
    await channel.send(delivery('opened', { recipient: 'rina@dpmptsp.example' }, 'Situs <script>x</script> mati'));
    expect(messages).toHaveLength(1);
    expect(messages[0]?.to).toEqual(['rina@dpmptsp.example']);
    const mail = parseMail(messages[0]?.raw ?? '');
    expect(mail.headers.get('to')).toBe('rina@dpmptsp.example');
    expect(decodeEncodedWords(mail.headers.get('subject') ?? '')).toBe('[Sigap] P1 TERBUKA — Pengaduan Masyarakat: Situs <script>x</script> mati (INC-2026-00001)');
    expect(mail.headers.get('x-sigap-idempotency-key')).toBe('sigap-41-3f9c');
    expect(mail.headers.get('message-id')).toMatch(/^<sigap\.[0-9a-f]{32}@dpmptsp\.example>$/);
    expect(mail.text).toContain('Judul: Situs <script>x</script> mati');
    expect(mail.html).toContain('Situs &lt;script&gt;x&lt;/script&gt; mati');
  });

  it('gives every attempt of one delivery the same Message-ID', async () => {
    const { port, messages } = await startSmtpServer();
    const channel = track(emailChannelFor('role:manager', smtpConfig(port)));
    await channel.send(delivery('breached', { recipient: 'kabid@dpmptsp.example', attempt: 1 }));
    await channel.send(delivery('breached', { recipient: 'kabid@dpmptsp.example', attempt: 2 }));
    const ids = messages.map((message) => parseMail(message.raw).headers.get('message-id'));
    expect(ids[0]).toBeDefined();
    expect(ids[1]).toBe(ids[0]);
  });

  it('logs in when a user is configured', async () => {
    const logins: string[] = [];
    const { port, messages } = await startSmtpServer({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        logins.push(`${auth.username}:${auth.password}`);
        if (auth.username === 'sigap' && auth.password === 's3cret') callback(null, { user: 'sigap' });
        else callback(new Error('Invalid username or password'));
      },
    });
    const channel = track(new EmailChannel(config, smtpConfig(port, { user: 'sigap', pass: 's3cret' })));
    await channel.send(delivery('opened', { recipient: 'rina@dpmptsp.example' }));
    expect(logins).toEqual(['sigap:s3cret']);
    expect(messages).toHaveLength(1);
  });

  it('fails with the SMTP reply when the server rejects the recipient', async () => {
    const { port, messages } = await startSmtpServer({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }));
      },
    });
    const channel = track(new EmailChannel(config, smtpConfig(port)));
    const error = await channel.send(delivery('opened', { recipient: 'nobody@dpmptsp.example' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toContain('550 5.1.1 No such user here');
    expect((error as DeliveryError).permanent).toBe(true);
    expect(messages).toHaveLength(0);
  });

  it('fails when nothing listens on the SMTP port', async () => {
    const port = await findRefusingPort();
    const channel = track(new EmailChannel(config, smtpConfig(port)));
    const error = await channel.send(delivery('opened', { recipient: 'rina@dpmptsp.example' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toContain('ECONNREFUSED');
    expect((error as DeliveryError).permanent).toBe(false);
  });

  it('refuses, for good, a delivery without a recipient', async () => {
    const channel = track(new EmailChannel(config, smtpConfig(1)));
    const error = await channel.send(delivery('opened')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).permanent).toBe(true);
  });
});

describe('createChannel', () => {
  it('builds each configured type, and refuses e-mail without SMTP settings', async () => {
    const webhook = track(createChannel({ key: 'a', type: 'webhook', url: 'http://127.0.0.1:1/', timeoutMs: 100, headers: {} }, null));
    const telegram = track(createChannel({ key: 'b', type: 'telegram', botToken: 't', chatId: '1', apiBaseUrl: 'http://127.0.0.1:1', timeoutMs: 100, language: 'en' }, null));
    const email = track(createChannel({ key: 'c', type: 'email', to: [], language: 'id' }, smtpConfig(1)));
    expect([webhook.type, telegram.type, email.type]).toEqual(['webhook', 'telegram', 'email']);
    expect(() => createChannel({ key: 'c', type: 'email', to: [], language: 'id' }, null)).toThrow(/smtp/);
  });
});
