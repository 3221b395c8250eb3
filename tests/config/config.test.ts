import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, parseDuration, type SigapConfig } from '../../config.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** The problems a config is refused for, or a failure if it is accepted. */
function problemsOf(text: string, env: NodeJS.ProcessEnv = {}, file = 'sigap.yaml'): string[] {
  try {
    parseConfig(text, file, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the config was accepted');
}

const oneService = (name: string, url = 'https://skm.example/') =>
  `services:\n  - key: skm\n    name: "${name}"\n    impact: low\n    checks:\n      - { key: skm-form, type: http, url: "${url}" }\n`;

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 5 * MIN],
    ['1h', HOUR],
    ['7d', 7 * DAY],
    ['1h30m', HOUR + 30 * MIN],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['abc', '10', '5 m', '-1s', ''])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('the shipped sigap.yaml', () => {
  const config = parseConfig(readFileSync(join(PROJECT_ROOT, 'sigap.yaml'), 'utf8'), join(PROJECT_ROOT, 'sigap.yaml'), {});

  it('parses with the environment defaults applied', () => {
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: 'sqlite:./data/sigap.db', role: 'all', logLevel: 'info' });
    expect(config.bootstrapAdminPassword).toBeNull();
    expect(config.timezone).toBe('Asia/Jakarta');
    expect(config.calendar.holidays.has('2026-12-25')).toBe(true);
    expect(config.calendar.holidayNames?.get('2026-12-24')).toBe('Cuti bersama Kelahiran Yesus Kristus (Natal)');
  });

  it('describes the SKM and complaint sites, with durations in ms and check defaults filled in', () => {
    expect(config.services.map((s) => [s.key, s.impact])).toEqual([
      ['skm', 'medium'],
      ['pengaduan', 'high'],
    ]);
    const skmForm = config.services[0]!.checks[0]!;
    expect(skmForm).toMatchObject({ key: 'skm-form', serviceKey: 'skm', type: 'http', intervalMs: 60_000, timeoutMs: 10_000, retryIntervalMs: 10_000 });
    expect(skmForm.target).toMatchObject({
      type: 'http',
      checkKey: 'skm-form',
      method: 'GET',
      headers: {},
      timeoutMs: 10_000,
      followRedirects: true,
      maxRedirects: 5,
      minDaysValid: 14,
    });
    expect(skmForm.target.type === 'http' && skmForm.target.expect).toEqual({
      status: [200],
      contains: ['Survei Kepuasan'],
      notContains: ['Fatal error', 'maintenance'],
      form: ['nama', 'nilai'],
      maxLatencyMs: 3000,
    });
  });

  it('gives the policy targets as days apart from the rest in ms (days are working days on a business clock)', () => {
    expect(config.policy.targets.P1).toEqual({ respond: { days: 0, ms: 15 * MIN }, resolve: { days: 0, ms: 4 * HOUR }, clock: '24x7' });
    expect(config.policy.targets.P4).toEqual({ respond: { days: 0, ms: 8 * HOUR }, resolve: { days: 5, ms: 0 }, clock: 'business' });
    expect(config.policy.targets.P5).toEqual({ respond: { days: 2, ms: 0 }, resolve: { days: 10, ms: 0 }, clock: 'business' });
    expect(config.policy).toMatchObject({ warnAt: 0.75, reopenWindowMs: DAY, verifyForMs: 15 * MIN, autoCloseAfterMs: 3 * DAY });
  });

  it('flaps at 4 state changes within 30 minutes unless policy.flapping says otherwise', () => {
    expect(parseConfig(oneService('SKM'), 'sigap.yaml', {}).policy.flapping).toEqual({ changes: 4, windowMs: 30 * MIN });
    const custom = parseConfig(`${oneService('SKM')}policy:\n  flapping: { changes: 6, window: 1h }\n`, 'sigap.yaml', {});
    expect(custom.policy.flapping).toEqual({ changes: 6, windowMs: HOUR });
    expect(parseConfig(`${oneService('SKM')}policy:\n  flapping: { window: 10m }\n`, 'sigap.yaml', {}).policy.flapping).toEqual({ changes: 4, windowMs: 10 * MIN });
  });

  it('refuses a flapping policy with fewer than 2 changes, a window under a minute or an unknown key', () => {
    expect(problemsOf(`${oneService('SKM')}policy:\n  flapping: { changes: 1, window: 30s, after: 2 }\n`).sort()).toEqual([
      'sigap.yaml: policy.flapping.after: unknown key',
      'sigap.yaml: policy.flapping.changes: must be at least 2',
      'sigap.yaml: policy.flapping.window: must be at least 60000ms',
    ]);
  });

  it('is frozen all the way down', () => {
    const mutable = config as { -readonly [K in keyof SigapConfig]: SigapConfig[K] };
    expect(() => {
      mutable.port = 1;
    }).toThrow(TypeError);
    expect(() => config.services.push(config.services[0]!)).toThrow(TypeError);
    expect(() => {
      (config.services[0]!.checks[0] as { intervalMs: number }).intervalMs = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.policy.targets.P3.respond as { ms: number }).ms = 1;
    }).toThrow(TypeError);
  });
});

describe('${NAME} substitution', () => {
  it('replaces a variable anywhere inside a string value', () => {
    const config = parseConfig(oneService('Survei ${OFFICE}', 'https://${SKM_HOST}/form'), 'sigap.yaml', { OFFICE: 'OKI', SKM_HOST: 'skm.oki.example' });
    expect(config.services[0]!.name).toBe('Survei OKI');
    expect(config.services[0]!.checks[0]!.description).toBe('https://skm.oki.example/form');
  });

  it('reports a missing variable with the key path and the variable name', () => {
    expect(problemsOf(oneService('Survei ${OFFICE}'))).toEqual(['sigap.yaml: services[0].name: environment variable OFFICE is not set']);
  });

  it('keeps $${NAME} as a literal ${NAME}', () => {
    const config = parseConfig(oneService('cost $${PRICE}'), 'sigap.yaml', { PRICE: '10' });
    expect(config.services[0]!.name).toBe('cost ${PRICE}');
  });
});

describe('a bad config file', () => {
  const badFile = `
timezone: Mars/Olympus
businessHours:
  mon-thu: "16:00-07:30"
holidays: [2026-12-25, 2026-02-30]
colour: blue
services:
  - key: skm
    name: SKM
    impact: huge
    checks:
      - key: skm-form
        type: http
        url: not a url
        interval: 5 minutes
  - key: pengaduan
    name: Pengaduan
    impact: high
    checks:
      - { key: skm-form, type: http, url: "https://pengaduan.example/", interval: 10s, timeout: 30s }
      - { key: pengaduan-dns, type: ftp, url: "ftp://pengaduan.example/" }
`;

  it('reports every problem at once, one line each naming the file and the key path', () => {
    const problems = problemsOf(badFile, {}, 'bad.yaml');
    expect(problems.slice().sort()).toEqual(
      [
        'bad.yaml: timezone: must be an IANA time zone such as Asia/Jakarta',
        "bad.yaml: businessHours.mon-thu: in '16:00-07:30' the end is not after the start",
        'bad.yaml: holidays[1]: must be a date written YYYY-MM-DD',
        'bad.yaml: colour: unknown key',
        'bad.yaml: services[0].impact: must be one of high, medium, low',
        'bad.yaml: services[0].checks[0].url: must be an http:// or https:// URL',
        'bad.yaml: services[0].checks[0].interval: "5 minutes" is not a duration (use 500ms, 30s, 5m, 1h, 7d)',
        'bad.yaml: services[1].checks[0].key: "skm-form" is used by another check (check keys are global)',
        'bad.yaml: services[1].checks[0].timeout: must not be longer than interval',
        'bad.yaml: services[1].checks[1].type: must be one of http, tcp, dns, tls, integrity',
      ].sort(),
    );
    for (const problem of problems) expect(problem).not.toContain('\n');
  });

  it('reports problems found only across sections even when every value is valid', () => {
    const problems = problemsOf(
      `businessHours: { sat-sun: "08:00-12:00", sun: "09:00-10:00" }
services:
  - { key: skm, name: A, impact: low, checks: [{ key: a, type: http, url: "https://a.example/", interval: 30s, retryInterval: 1m }] }
  - { key: skm, name: B, impact: low }
`,
    );
    expect(problems).toEqual([
      'sigap.yaml: services[0].checks[0].retryInterval: must not be longer than interval',
      'sigap.yaml: services[1].key: "skm" is used by another service',
      "sigap.yaml: businessHours.sun: sun is given twice (already in 'sat-sun')",
    ]);
  });

  it('names the line and column of a YAML syntax error', () => {
    const problems = problemsOf('services:\n  - key: skm\n   name: SKM\n', {}, 'broken.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^broken\.yaml:3:\d+: \S/);
  });

  it('reports environment problems alongside the file problems', () => {
    const problems = problemsOf('services:\n  - { key: skm, name: SKM, impact: huge }\n', { PORT: 'abc', SIGAP_ROLE: 'both', DATABASE_URL: 'mysql://x' });
    expect(problems.slice().sort()).toEqual(
      [
        'environment: PORT: must be a port number',
        'environment: SIGAP_ROLE: must be all, web or worker',
        'environment: DATABASE_URL: must be sqlite:PATH or postgres://…',
        'sigap.yaml: services[0].impact: must be one of high, medium, low',
      ].sort(),
    );
  });

  it('reports environment problems alongside a YAML syntax error', () => {
    const problems = problemsOf('services: [\n', { SIGAP_ROLE: 'both' });
    expect(problems[0]).toBe('environment: SIGAP_ROLE: must be all, web or worker');
    expect(problems[1]).toMatch(/^sigap\.yaml:\d+:\d+: /);
  });
});

describe('loadConfig', () => {
  it('names SIGAP_CONFIG when the file does not exist', () => {
    const missing = join(tmpdir(), 'sigap-no-such-dir', 'sigap.yaml');
    let problems: string[] = [];
    try {
      loadConfig({ SIGAP_CONFIG: missing });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([`${missing}: cannot read the config file (file not found); set SIGAP_CONFIG to its path`]);
  });
});

describe('starting sigap with a bad configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sigap-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits with code 2 and lists every problem on stderr without a stack trace', async () => {
    const configPath = join(dir, 'bad.yaml');
    writeFileSync(configPath, 'services:\n  - key: skm\n    name: SKM\n    impact: huge\n    checks: [{ key: a, type: ftp, url: "https://a.example/" }]\n');
    const { PATH, HOME } = process.env;
    const child = spawn('npx', ['tsx', 'main.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH, HOME, SIGAP_CONFIG: configPath, DATABASE_URL: `sqlite:${join(dir, 'sigap.db')}`, PORT: 'abc' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(code).toBe(2);
    expect(stderr).toContain('the configuration has 3 problem(s)');
    expect(stderr).toContain('  - environment: PORT: must be a port number\n');
    expect(stderr).toContain(`  - ${configPath}: services[0].impact: must be one of high, medium, low\n`);
    expect(stderr).toContain(`  - ${configPath}: services[0].checks[0].type: must be one of http, tcp, dns, tls`);
    expect(`${stdout}\n${stderr}`).not.toMatch(/^\s+at /m);
  });
});

describe('the notifications section', () => {
  // DESIGN §3's example, verbatim apart from the indentation.
  const DESIGN_EXAMPLE = `
notifications:
  smtp: { host: smtp.dpmptsp.example, port: 587, user: sigap, pass: "\${SMTP_PASSWORD}", from: sigap@dpmptsp.example }
  channels:
    - { key: desk-hook, type: webhook, url: "https://chat.example/hook" }
    - { key: desk-mail, type: email, to: [helpdesk@dpmptsp.example] }
    - { key: it-telegram, type: telegram, botToken: "\${TELEGRAM_BOT_TOKEN}", chatId: "-1001234" }
  routes:
    - { events: [opened, breached, escalated, restored, reopened], priorities: [P1, P2], notify: [desk-hook, it-telegram] }
    - { events: [opened, resolved, closed], notify: [desk-mail] }
  reminders: { P1: 30m, P2: 2h }
`;
  const SECRETS = { SMTP_PASSWORD: 'smtp-secret', TELEGRAM_BOT_TOKEN: '123456:ABC-def_ghi' };

  it('parses the DESIGN example with the secrets from the environment and every default filled in', () => {
    const { notifications } = parseConfig(`${oneService('SKM')}${DESIGN_EXAMPLE}`, 'sigap.yaml', SECRETS);
    expect(notifications).toEqual({
      baseUrl: 'http://127.0.0.1:3000',
      smtp: { host: 'smtp.dpmptsp.example', port: 587, secure: false, user: 'sigap', pass: 'smtp-secret', from: 'sigap@dpmptsp.example', timeoutMs: 15_000 },
      channels: [
        { key: 'desk-hook', type: 'webhook', url: 'https://chat.example/hook', timeoutMs: 10_000, headers: {} },
        { key: 'desk-mail', type: 'email', to: ['helpdesk@dpmptsp.example'], language: 'id' },
        { key: 'it-telegram', type: 'telegram', botToken: '123456:ABC-def_ghi', chatId: '-1001234', apiBaseUrl: 'https://api.telegram.org', timeoutMs: 10_000, language: 'id' },
      ],
      routes: [
        { events: ['opened', 'breached', 'escalated', 'restored', 'reopened'], priorities: ['P1', 'P2'], services: null, notify: ['desk-hook', 'it-telegram'], roles: [] },
        { events: ['opened', 'resolved', 'closed'], priorities: null, services: null, notify: ['desk-mail'], roles: [] },
      ],
      reminders: { P1: 30 * MIN, P2: 2 * HOUR },
      retry: { initialMs: 10_000, maxMs: HOUR },
      reporters: null,
    });
  });

  it('links messages to http://HOST:PORT unless baseUrl says otherwise, and uses TLS from the first byte only on port 465', () => {
    const onPort = parseConfig(DESIGN_EXAMPLE, 'sigap.yaml', { ...SECRETS, HOST: '10.0.0.5', PORT: '8080' }).notifications;
    expect(onPort.baseUrl).toBe('http://10.0.0.5:8080');
    const given = parseConfig(
      'notifications:\n  baseUrl: "https://sigap.dpmptsp.example/"\n  smtp: { host: smtp.example, port: 465, from: sigap@dpmptsp.example }\n',
      'sigap.yaml',
      {},
    ).notifications;
    expect(given.baseUrl).toBe('https://sigap.dpmptsp.example');
    expect(given.smtp).toMatchObject({ port: 465, secure: true, user: null, pass: null });
  });

  it('notifies nobody when the section is absent', () => {
    expect(parseConfig(oneService('SKM'), 'sigap.yaml', {}).notifications).toEqual({
      baseUrl: 'http://127.0.0.1:3000',
      smtp: null,
      channels: [],
      routes: [],
      reminders: {},
      retry: { initialMs: 10_000, maxMs: HOUR },
      reporters: null,
    });
  });

  it('reports values that are wrong in themselves, each with the file and the key path', () => {
    const problems = problemsOf(
      `notifications:
  channels:
    - { key: hook, type: webhook, url: "ftp://chat.example/hook" }
    - { key: tg, type: telegram, botToken: "not-a-token", chatId: "-1001234" }
  routes:
    - { events: [opened, exploded], notify: [hook, tg] }
`,
      {},
      'notify.yaml',
    );
    expect(problems.slice().sort()).toEqual(
      [
        'notify.yaml: notifications.channels[0].url: must be an http:// or https:// URL',
        'notify.yaml: notifications.channels[1].botToken: must be a bot token as BotFather gives it (123456:ABC-…)',
        'notify.yaml: notifications.routes[0].events[1]: must be one of opened, acknowledged, escalated, warning, breached, restored, resolved, closed, reopened, reminder',
      ].sort(),
    );
  });

  it('reports references that do not fit together: unknown channels, a key used twice, e-mail and roles without smtp', () => {
    const problems = problemsOf(
      `notifications:
  channels:
    - { key: hook, type: webhook, url: "https://chat.example/hook" }
    - { key: hook, type: email, to: [helpdesk@dpmptsp.example] }
  routes:
    - { events: [opened], notify: [hook, pager] }
    - { events: [escalated], roles: [manager] }
`,
      {},
      'notify.yaml',
    );
    expect(problems.slice().sort()).toEqual(
      [
        'notify.yaml: notifications.channels[1].key: "hook" is used by another channel',
        'notify.yaml: notifications.channels[1]: an email channel needs notifications.smtp',
        'notify.yaml: notifications.routes[0].notify[1]: no channel has the key "pager" (channels: hook)',
        'notify.yaml: notifications.routes[1].roles: people are reached by e-mail: roles need notifications.smtp',
      ].sort(),
    );
  });

  it('reports the reference problems together with the value problems in one start', () => {
    // Like services (parsedParts), a section that fails its schema must not hide the cross checks.
    const problems = problemsOf(
      `notifications:
  channels:
    - { key: hook, type: webhook, url: "ftp://chat.example/hook" }
    - { key: mail, type: email, to: [helpdesk@dpmptsp.example] }
  routes:
    - { events: [opened, exploded], notify: [pager] }
`,
      {},
      'notify.yaml',
    );
    expect(problems.slice().sort()).toEqual(
      [
        'notify.yaml: notifications.channels[0].url: must be an http:// or https:// URL',
        'notify.yaml: notifications.channels[1]: an email channel needs notifications.smtp',
        'notify.yaml: notifications.routes[0].events[1]: must be one of opened, acknowledged, escalated, warning, breached, restored, resolved, closed, reopened, reminder',
        'notify.yaml: notifications.routes[0].notify[0]: no channel has the key "pager" (channels: hook, mail)',
      ].sort(),
    );
  });

  it('reports a secret missing from the environment once, by its key path and variable name', () => {
    expect(problemsOf(DESIGN_EXAMPLE, { TELEGRAM_BOT_TOKEN: SECRETS.TELEGRAM_BOT_TOKEN })).toEqual([
      'sigap.yaml: notifications.smtp.pass: environment variable SMTP_PASSWORD is not set',
    ]);
  });

  it('reports notification problems alongside problems elsewhere in the file and in the environment', () => {
    const problems = problemsOf(`${oneService('SKM')}timezone: Mars/Olympus\n${DESIGN_EXAMPLE}`, { PORT: 'abc', TELEGRAM_BOT_TOKEN: SECRETS.TELEGRAM_BOT_TOKEN });
    expect(problems).toContain('environment: PORT: must be a port number');
    expect(problems).toContain('sigap.yaml: timezone: must be an IANA time zone such as Asia/Jakarta');
    expect(problems).toContain('sigap.yaml: notifications.smtp.pass: environment variable SMTP_PASSWORD is not set');
  });
});
