// The pure parts of the phone channels: phone numbers as people write them, a gateway template's
// escaping (JSON strings, form values, URLs) as properties over arbitrary text, the short phone
// text's length, WhatsApp error codes, and the configuration's errors naming their field.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../config.js';
import { redactConfigured } from '../../../redaction.js';
import { compileGatewayTemplate, escapeFormValue, escapeJsonString, type GatewayFields } from '../../../detector/notify/channels/gateway-template.js';
import { closureCodeText, resolutionCodeText } from '../../../detector/incidents/incident-words.js';
import { normalizePhoneNumber } from '../../../detector/incidents/reporter.js';
import { HttpChannel } from '../../../detector/notify/channels/http.js';
import { WhatsappChannel, whatsappErrorMeaning } from '../../../detector/notify/channels/whatsapp.js';
import { PHONE_TEXT_LIMIT, staffPhoneText } from '../../../detector/notify/messages.js';
import { DeliveryError, NOTIFICATION_EVENTS, type NotificationPayload } from '../../../detector/notify/notification-types.js';
import { CAUSE_OF } from '../../helpers/events.js';
import { findRefusingPort, startHttpServer, stopAllServers } from '../../helpers/local-servers.js';

const RUNS = { seed: 16, numRuns: 300 };

describe('phone numbers', () => {
  it.each([
    ['0812-3456-7890', '6281234567890'],
    ['0812 3456 7890', '6281234567890'],
    ['(0812) 3456.7890', '6281234567890'],
    ['+62 812 3456 7890', '6281234567890'],
    ['+62 0812 3456 7890', '6281234567890'],
    ['6281234567890', '6281234567890'],
    ['0062 812 3456 7890', '6281234567890'],
    ['+31 6 12345678', '31612345678'],
    ['021-3456789', '62213456789'],
  ])('%s is %s', (written, digits) => {
    expect(normalizePhoneNumber(written)).toBe(digits);
  });

  it.each(['', 'budi@example.go.id', 'Pak Budi', '0812', '+0812345678', '0812-3456-7890 ext 2', '1234567890123456'])('%j is not a phone number', (written) => {
    expect(normalizePhoneNumber(written)).toBeNull();
  });

  it('an Indonesian mobile number written any way gives 62 and the same digits', () => {
    const separator = fc.constantFrom('', ' ', '-', '.');
    fc.assert(
      fc.property(fc.stringMatching(/^8[1-9]\d{7,10}$/), separator, fc.constantFrom('0', '+62', '+62 ', '62', '0062'), (national, sep, prefix) => {
        const written = `${prefix}${national.slice(0, 3)}${sep}${national.slice(3, 7)}${sep}${national.slice(7)}`;
        expect(normalizePhoneNumber(written)).toBe(`62${national}`);
      }),
      RUNS,
    );
  });
});

describe('gateway template escaping', () => {
  const fields = (text: string, recipient = '6281234567890'): GatewayFields => ({
    recipient,
    text,
    event: 'opened',
    link: 'https://sigap.example/incidents/INC-2026-00001',
    incident: { ref: 'INC-2026-00001', title: text, priority: 'P1', service: 'Pengaduan', status: 'new' },
  });

  it('any text in a JSON template parses back to itself, and never closes a script', () => {
    const template = compileGatewayTemplate('{"to":"{{recipient}}","msg":"{{text}}","t":"{{incident.title}}"}', 'json');
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('"\\\n</script>\u2028', '{{text}}', '\ud800')), (text) => {
        const body = template(fields(text));
        const parsed = JSON.parse(body) as Record<string, string>;
        // Lone surrogates cannot survive UTF-8 anyway: JSON keeps them as \ud800 escapes.
        expect(parsed).toEqual({ to: '6281234567890', msg: text, t: text });
        expect(body.toLowerCase()).not.toContain('</script');
        expect(body).not.toMatch(/[\n\r\u2028\u2029]/);
      }),
      RUNS,
    );
  });

  it('escapes a JSON string as JSON does, with <, >, & and the line separators as \\u escapes', () => {
    expect(escapeJsonString('a "b" \\ c\nd\t</script>&\u2028')).toBe('a \\"b\\" \\\\ c\\nd\\t\\u003c/script\\u003e\\u0026\\u2028');
  });

  it('any text in a form template reads back as the same field values', () => {
    const template = compileGatewayTemplate('target={{recipient}}&message={{text}}&ref={{incident.ref}}', 'form');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const form = new URLSearchParams(template(fields(text)));
        expect([...form.entries()]).toEqual([
          ['target', '6281234567890'],
          ['message', text],
          ['ref', 'INC-2026-00001'],
        ]);
      }),
      RUNS,
    );
    expect(escapeFormValue('a b&c=d+é')).toBe('a+b%26c%3Dd%2B%C3%A9');
  });

  it('a recipient in the URL is URL-encoded; plain text is left as written', () => {
    expect(compileGatewayTemplate('https://gw.example/send/{{recipient}}?m={{text}}', 'url')(fields('a b/c?', 'x y'))).toBe('https://gw.example/send/x%20y?m=a%20b%2Fc%3F');
    expect(compileGatewayTemplate('{{recipient}}: {{text}}', 'text')(fields('"<tebal>"'))).toBe('6281234567890: "<tebal>"');
  });

  it('a broken template or an unknown field is refused when compiled, saying what is wrong', () => {
    expect(() => compileGatewayTemplate('{"to":"{{recipent}}"}', 'json')).toThrow('"recipent" is not a field');
    expect(() => compileGatewayTemplate('{{#if text}}x', 'json')).toThrow('not a valid Handlebars template');
    expect(() => compileGatewayTemplate('{{incident.nope}}', 'text')).toThrow('"nope" is not a field');
    expect(() => compileGatewayTemplate('{{#each text}}{{/if}}', 'text')).toThrow("each doesn't match if");
    // A parse error names the line, not the text around it: a body may hold a secret.
    expect(() => compileGatewayTemplate('{"key":"SECRET-KEY-123","to":"{{recipient"}', 'json')).toThrow(
      /^not a valid Handlebars template: parse error on line 1 \(got 'INVALID'\); check that every/,
    );
    expect(() => compileGatewayTemplate('{"key":"SECRET-KEY-123","to":"{{recipient"}', 'json')).not.toThrow(/SECRET/);
  });
});

function payload(event: (typeof NOTIFICATION_EVENTS)[number], language: 'id' | 'en', title: string, serviceName = 'Pengaduan Masyarakat'): NotificationPayload {
  return {
    event,
    cause: { id: 7, type: CAUSE_OF[event], at: '2026-11-27T02:00:00.000Z', actor: 'desk1', note: 'catatan '.repeat(40), data: null },
    incident: {
      ref: 'INC-2026-00123',
      title,
      description: 'x'.repeat(2000),
      service: 'pengaduan',
      serviceName,
      check: null,
      source: 'manual',
      category: 'availability',
      subcategory: 'outage',
      failureKind: null,
      failureReason: 'ECONNREFUSED',
      priority: 'P2',
      status: 'new',
      escalationLevel: 1,
      assignedGroup: 'vendor-aplikasi',
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
      resolutionCode: 'restarted',
      resolutionNotes: 'panjang '.repeat(100),
      closureCode: 'monitoring_verified',
      reopenCount: 1,
    },
    link: 'https://sigap.dpmptsp.example/incidents/INC-2026-00123',
    timezone: 'Asia/Jakarta',
    language,
  };
}

describe('the short phone text', () => {
  it.each(NOTIFICATION_EVENTS.flatMap((event) => (['id', 'en'] as const).map((language) => [event, language] as const)))(
    '%s in %s fits a phone and carries the ref, priority, service and link',
    (event, language) => {
      const text = staffPhoneText(payload(event, language, 'Judul yang sangat panjang '.repeat(30), 'Layanan dengan nama yang panjang sekali '.repeat(5)));
      expect(text.length).toBeLessThanOrEqual(PHONE_TEXT_LIMIT);
      expect(text).toContain('INC-2026-00123');
      expect(text).toContain('P2');
      expect(text).toContain('Layanan dengan nama');
      expect(text).toContain('https://sigap.dpmptsp.example/incidents/INC-2026-00123');
    },
  );

  it('gives resolution and closure codes in words, and a title that starts with the service name once', () => {
    expect(staffPhoneText(payload('resolved', 'id', 'x'))).toContain(`Diselesaikan (${resolutionCodeText('restarted', 'id')}); verifikasi lalu tutup.`);
    expect(staffPhoneText(payload('closed', 'en', 'x'))).toContain(`Closed (${closureCodeText('monitoring_verified', 'en')}).`);
    for (const language of ['id', 'en'] as const) {
      for (const event of ['resolved', 'closed'] as const) expect(staffPhoneText(payload(event, language, 'x'))).not.toMatch(/\((restarted|monitoring_verified)\)/);
    }
    const probe = staffPhoneText(payload('opened', 'id', 'Pengaduan Masyarakat: koneksi gagal (pengaduan-form)'));
    expect(probe.split('\n')[1]).toBe('Pengaduan Masyarakat: koneksi gagal (pengaduan-form)');
  });

  it('says what happened and by when, in the channel’s language', () => {
    const id = staffPhoneText(payload('opened', 'id', 'Formulir pengaduan menolak kiriman'));
    expect(id).toContain('TERBUKA');
    expect(id).toContain('Gangguan: sambungan ditolak');
    expect(id).not.toContain('ECONNREFUSED');
    expect(id).toContain('Tanggapi sebelum 27 Nov 2026 08.15 WIB');
    expect(id).toContain('Pengaduan Masyarakat: Formulir pengaduan menolak kiriman');
    const en = staffPhoneText(payload('opened', 'en', 'Formulir pengaduan menolak kiriman'));
    expect(en).toContain('OPENED');
    expect(en).toContain('Acknowledge by 27 Nov 2026');
    expect(staffPhoneText(payload('resolved', 'id', 'x'))).toContain('Diselesaikan (Dijalankan ulang)');
  });
});

describe('WhatsApp errors', () => {
  it.each([
    [190, 401, true],
    [0, 401, true],
    [100, 400, true],
    [131026, 400, true],
    [131047, 400, true],
    [132001, 404, true],
    [130429, 429, false],
    [131056, 400, false],
    [131000, 500, false],
    [null, 502, false],
    [null, 429, false],
    [null, 401, true],
  ] as const)('code %s (HTTP %s) is permanent: %s', (code, status, permanent) => {
    expect(whatsappErrorMeaning(code, status)?.permanent).toBe(permanent);
  });

  it('every known meaning reads in Indonesian and in English', () => {
    for (const code of [0, 3, 4, 100, 190, 130429, 131026, 131047, 131056, 132001, 133010]) {
      const meaning = whatsappErrorMeaning(code, 400)!;
      expect(meaning.id).not.toBe(meaning.en);
      expect(meaning.id.length).toBeGreaterThan(10);
    }
  });

  it('a row whose contact is not a phone number fails for good without a request', async () => {
    const channel = new WhatsappChannel({
      key: 'wa',
      type: 'whatsapp',
      phoneNumberId: '1',
      accessToken: 'secret-token',
      to: [],
      apiBaseUrl: 'http://127.0.0.1:9',
      template: null,
      timeoutMs: 500,
      language: 'id',
    });
    try {
      const error = await channel.send({ id: 1, channelKey: 'wa', recipient: 'budi@example.go.id', idempotencyKey: 'k', attempt: 1, payload: payload('resolved', 'id', 'x') }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({ permanent: true, message: expect.stringContaining('bukan nomor telepon') });
    } finally {
      await channel.close();
    }
  });
});

describe('the configuration of phone channels', () => {
  const problemsOf = (channels: string, routes = '') => {
    try {
      parseConfig(`notifications:\n  channels:\n${channels}\n${routes ? `  routes:\n${routes}\n` : ''}`, 'sigap.yaml', { WA_TOKEN: 'tok' });
      return [];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return error.problems;
    }
  };

  it('lists every problem of a whatsapp and an http channel, each naming its field', () => {
    const problems = problemsOf(
      [
        '    - { key: wa, type: whatsapp, phoneNumberId: "12345678", accessToken: "${WA_TOKEN}", to: ["0812-3456-7890", "Pak Budi", 81234567890], template: { name: Sigap, language: indonesia } }',
        '    - { key: gw, type: http, method: DELETE, url: "https://gw.example/send", headers: { Content-Type: application/json }, body: \'{"to":"{{recipent}}"}\' }',
        '    - { key: gw-get, type: http, method: get, url: "https://gw.example/send?to={{recipient}}", body: "{{text}}", to: ["0812"] }',
        '    - { key: gw-broken, type: http, url: "https://gw.example/send", body: "{{#each}}" }',
      ].join('\n'),
    );
    expect(problems).toEqual([
      'sigap.yaml: notifications.channels[0].to[1]: "Pak Budi" is not a phone number (write it as 0812-3456-7890 or +62 812 3456 7890)',
      'sigap.yaml: notifications.channels[0].to[2]: must be a phone number in quotes, such as "0812-3456-7890" (YAML reads an unquoted 0812… as a number)',
      'sigap.yaml: notifications.channels[0].template.name: must be the template name as approved: lower-case letters, digits and _',
      'sigap.yaml: notifications.channels[0].template.language: must be the template language code, such as id or en_US',
      'sigap.yaml: notifications.channels[1].method: must be one of POST, GET, PUT, PATCH',
      expect.stringMatching(/^sigap\.yaml: notifications\.channels\[1\]\.body: "recipent" is not a field/),
      'sigap.yaml: notifications.channels[2].body: a GET request has no body: put the fields in the url ({{recipient}}, {{text}}) or use POST',
      expect.stringMatching(/^sigap\.yaml: notifications\.channels\[3\]\.body: not a valid Handlebars template/),
    ]);
  });

  it('a route cannot name a phone channel that has no numbers; a missing secret is named once', () => {
    const problems = problemsOf('    - { key: wa, type: whatsapp, phoneNumberId: "12345678", accessToken: "${NOT_SET}" }', '    - { events: [opened], notify: [wa] }');
    expect(problems).toEqual([
      'sigap.yaml: notifications.channels[0].accessToken: environment variable NOT_SET is not set',
      'sigap.yaml: notifications.routes[0].notify[0]: channel "wa" has no "to" numbers, so a route reaches nobody through it',
    ]);
  });

  it('normalises the numbers, defaults to the Graph API, POST and Indonesian', () => {
    const config = parseConfig(
      [
        'notifications:',
        '  channels:',
        '    - { key: wa, type: whatsapp, phoneNumberId: "12345678", accessToken: "${WA_TOKEN}", to: ["0812-3456-7890"] }',
        '    - { key: gw, type: http, url: "https://gw.example/send", headers: { Authorization: "${WA_TOKEN}" }, body: "{{text}}", to: ["budi"] }',
      ].join('\n'),
      'sigap.yaml',
      { WA_TOKEN: 'tok' },
    );
    expect(config.notifications.channels).toEqual([
      {
        key: 'wa',
        type: 'whatsapp',
        phoneNumberId: '12345678',
        accessToken: 'tok',
        to: ['6281234567890'],
        apiBaseUrl: 'https://graph.facebook.com/v23.0',
        template: null,
        timeoutMs: 10_000,
        language: 'id',
      },
      {
        key: 'gw',
        type: 'http',
        method: 'POST',
        url: 'https://gw.example/send',
        headers: { Authorization: 'tok' },
        body: '{{text}}',
        to: ['budi'],
        timeoutMs: 10_000,
        language: 'id',
      },
    ]);
  });
});

describe('the credentials of phone channels', () => {
  it('are redacted for whoever is not an admin: the access token, every gateway header value and a token in the URL', () => {
    const config = parseConfig(
      [
        'notifications:',
        '  channels:',
        '    - { key: wa, type: whatsapp, phoneNumberId: "12345678", accessToken: "${WA_TOKEN}", to: ["0812-3456-7890"] }',
        '    - { key: gw, type: http, url: "https://gw.example/send?token=${GW_TOKEN}&to={{recipient}}", headers: { Authorization: "${GW_KEY}" }, to: ["0812"] }',
      ].join('\n'),
      'sigap.yaml',
      { WA_TOKEN: 'EAAG-secret-token', GW_TOKEN: 'query-secret', GW_KEY: 'header-secret' },
    );
    const shown = JSON.stringify(redactConfigured(config.notifications.channels));
    for (const secret of ['EAAG-secret-token', 'query-secret', 'header-secret']) expect(shown).not.toContain(secret);
    expect(shown).toContain('6281234567890');
    expect(shown).toContain('Authorization');
  });
});

describe('an http gateway that fails', () => {
  afterEach(() => stopAllServers());
  const gatewayAt = (url: string) =>
    new HttpChannel({ key: 'gw', type: 'http', method: 'POST', url, headers: { 'X-Key': 'gateway-secret-key' }, body: '{{text}}', to: [], timeoutMs: 2000, language: 'id' });
  const failureOf = async (channel: HttpChannel) => {
    try {
      return await channel.send({ id: 1, channelKey: 'gw', recipient: '0812-3456-7890', idempotencyKey: 'k', attempt: 1, payload: payload('opened', 'id', 'x') }).then(
        () => null,
        (e: unknown) => e as DeliveryError,
      );
    } finally {
      await channel.close();
    }
  };

  it('that cannot be reached is tried again, said in Indonesian', async () => {
    const error = await failureOf(gatewayAt(`http://127.0.0.1:${await findRefusingPort()}/send`));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ permanent: false, message: 'http gw: tidak tersambung (ECONNREFUSED; akan dicoba lagi)' });
  });

  it('that refuses the request itself (4xx) fails for good, with the status and no secret', async () => {
    const server = await startHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(400).end('{"status":false,"reason":"invalid key gateway-secret-key"}'));
    });
    const error = await failureOf(gatewayAt(`${server.origin}/send`));
    expect(error).toMatchObject({ permanent: true, message: 'http gw: gateway menolak (HTTP 400): {"status":false,"reason":"invalid key [redacted]"}' });
  });
});
