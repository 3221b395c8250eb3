// The operators' command line as operators run it: `node --import tsx cli.ts …` in the project
// root, a child process configured only through DATABASE_URL and SIGAP_CONFIG. What it writes is
// checked through a real Sigap on the same database (log in, Bearer tokens, incidents to export).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { PROJECT_ROOT } from '../helpers/sigap-process.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { parseCsv } from '../helpers/csv.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  bytes: Buffer;
}

function sigapCli(args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    // A minimal environment, as an operator's shell on the server would give it.
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const bytes = Buffer.concat(out);
      resolve({ code, stdout: bytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), bytes });
    });
    child.stdin.end(stdin);
  });
}

const VALID_YAML = `${INCIDENT_TEST_YAML}
  - key: portal
    name: Portal
    impact: low
    checks:
      - { key: portal-home, type: http, url: "http://127.0.0.1:9/", interval: 60s }
      - { key: portal-port, type: tcp, target: "127.0.0.1:9", interval: 60s }
`;

const BROKEN_YAML = `
timezone: Mars/Olympus
services:
  - key: skm
    name: SKM
    impact: huge
    checks:
      - { key: skm-home, type: http, url: "http://127.0.0.1:9/", interval: often }
  - key: skm
    name: Again
    impact: low
`;

describe.each(testDatabaseKinds())('the sigap command line, on $name', (kind) => {
  let testDb: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  let app: Awaited<ReturnType<typeof startTestSigap>> | null = null;
  let desk: Caller;
  let now = new Date('2026-03-02T03:00:00Z');
  const cli = (args: string[], stdin?: string) => sigapCli(args, env, stdin);
  /**
   * A real Sigap on the same database, started once the CLI has migrated it: the web role only, so
   * the portal's refused checks never open probe incidents that the export would count.
   */
  const sigap = async () => {
    app ??= await startTestSigap({ databaseUrl: testDb.url, yaml: VALID_YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    return app;
  };

  beforeAll(async () => {
    testDb = await kind.create();
    dir = mkdtempSync(join(tmpdir(), 'sigap-cli-'));
    writeFileSync(join(dir, 'sigap.yaml'), VALID_YAML);
    writeFileSync(join(dir, 'broken.yaml'), BROKEN_YAML);
    env = { DATABASE_URL: testDb.url, SIGAP_CONFIG: join(dir, 'sigap.yaml') };
  });

  afterAll(async () => {
    await app?.stop();
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('check-config says OK with the number of services and checks, for the named file or SIGAP_CONFIG', async () => {
    const named = await cli(['check-config', join(dir, 'sigap.yaml')]);
    expect(named.code).toBe(0);
    expect(named.stdout).toBe(`OK: ${join(dir, 'sigap.yaml')}: 3 services, 2 checks\n`);
    const fromEnv = await cli(['check-config']);
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toContain('3 services, 2 checks');
  }, 90_000);

  it('check-config prints every problem of a broken file and exits 1', async () => {
    const file = join(dir, 'broken.yaml');
    const { code, stdout, stderr } = await cli(['check-config', file]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`FAILED: ${file}: 4 problem(s)`);
    for (const problem of [
      'timezone: must be an IANA time zone',
      'services[0].impact: must be one of high, medium, low',
      'services[0].checks[0].interval: "often" is not a duration',
      'services[1].key: "skm" is used by another service',
    ]) {
      expect(stderr).toContain(problem);
    }
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
    const missing = await cli(['check-config', join(dir, 'nowhere.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nowhere.yaml: cannot read the file (ENOENT)');
  }, 90_000);

  it('--help prints the usage on stdout and exits 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const { code, stdout } = await cli([flag]);
      expect(code, flag).toBe(0);
      expect(stdout, flag).toContain('Usage: sigap <command> [options]');
    }
  }, 90_000);

  it('wrong usage prints the usage and exits 2', async () => {
    const cases = [
      [],
      ['frobnicate'],
      ['user'],
      ['user', 'add', 'siti'],
      ['user', 'add', '--role', 'support'],
      ['user', 'remove', 'siti'],
      ['token', 'create', 'siti'],
      ['export', 'incidents', '--from', '2026-03-01', '--to', '2026-03-02', '--format', 'xlsx'],
      ['export', 'incidents', '--from', '1 March', '--to', '2026-03-02', '--format', 'csv'],
      ['migrate', '--force'],
      ['check-config', 'a.yaml', 'b.yaml'],
    ];
    const runs = await Promise.all(cases.map((args) => cli(args)));
    runs.forEach(({ code, stdout, stderr }, i) => {
      expect(code, cases[i]!.join(' ')).toBe(2);
      expect(stdout + stderr, cases[i]!.join(' ')).toContain('Usage: sigap <command> [options]');
    });
  }, 90_000);

  it('refuses to touch a database whose migrations have not run, then migrate runs them and says which', async () => {
    const early = await cli(['user', 'add', 'siti', '--role', 'service_desk']);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('run "sigap migrate" first');

    const first = await cli(['migrate']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^ran \d+ migration\(s\):\n/);
    expect(first.stdout).toContain('20261127000700_create_users');
    const again = await cli(['migrate']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('no migrations to run');
  }, 90_000);

  it('user add prints a generated password once, or takes it from stdin; the user logs in with it', async () => {
    const generated = await cli(['user', 'add', 'siti', '--role', 'service_desk', '--name', 'Siti Aminah', '--email', 'siti@dpmptsp.example']);
    expect(generated.code, generated.stderr).toBe(0);
    const password = /^password: (\S+)$/m.exec(generated.stdout)?.[1];
    expect(password).toBeDefined();
    const given = await cli(['user', 'add', 'rudi', '--role', 'admin', '--language', 'en', '--password-stdin'], 'rudi-secret-1\n');
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout).toBe('created user "rudi" (admin)\n');

    const duplicate = await cli(['user', 'add', 'siti', '--role', 'support']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already exists');
    const invalid = await cli(['user', 'add', 'Bad Name', '--role', 'chief', '--password-stdin'], 'short\n');
    expect(invalid.code).toBe(1);
    for (const field of ['username', 'role', 'password']) expect(invalid.stderr).toContain(`  - ${field}: `);

    const started = await sigap();
    await logIn(started.url!, 'siti', password!);
    const rudi = await logIn(started.url!, 'rudi', 'rudi-secret-1');
    const users = await fetch(`${started.url}/api/users`, { headers: { cookie: rudi.cookie } });
    expect(((await users.json()) as { items: unknown[] }).items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ username: 'siti', displayName: 'Siti Aminah', role: 'service_desk', email: 'siti@dpmptsp.example' }),
        expect.objectContaining({ username: 'rudi', language: 'en' }),
      ]),
    );
  }, 90_000);

  it('user reset-password sets a new password (generated or from stdin) and fails for an unknown user', async () => {
    const started = await sigap();
    const reset = await cli(['user', 'reset-password', 'siti']);
    expect(reset.code, reset.stderr).toBe(0);
    const password = /^password: (\S+)$/m.exec(reset.stdout)?.[1];
    await logIn(started.url!, 'siti', password!);
    expect((await cli(['user', 'reset-password', 'siti', '--password-stdin'], 'siti-chosen-1\n')).code).toBe(0);
    await expect(logIn(started.url!, 'siti', password!)).rejects.toThrow(/401/);
    await logIn(started.url!, 'siti', 'siti-chosen-1');

    const unknown = await cli(['user', 'reset-password', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('user "nobody" not found');
  }, 90_000);

  it('token create prints a token that works as a Bearer token for that user', async () => {
    const started = await sigap();
    const made = await cli(['token', 'create', 'siti', 'alertmanager']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^sigap_[A-Za-z0-9_-]+\n$/);
    const token = made.stdout.trim();
    const me = await fetch(`${started.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe('siti');

    const unknown = await cli(['token', 'create', 'nobody', 'x']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('user "nobody" not found');
  }, 90_000);

  it('export incidents writes the incidents detected in [from, to) office days as CSV with a BOM, quoting as RFC 4180 says', async () => {
    const started = await sigap();
    desk = await callerFor(started, 'desk', 'service_desk');
    // 23:30 WIB on 1 March (16:30 UTC) is still 1 March in the office; 00:30 WIB on 2 March is not.
    now = new Date('2026-03-01T16:30:00Z');
    const lateFirst = await logIncident(desk, { title: 'Satu Maret, larut malam' });
    now = new Date('2026-03-01T17:30:00Z');
    const tricky = await logIncident(desk, {
      title: 'Formulir "SKM", tidak terkirim',
      description: 'Baris pertama\nbaris kedua; ada koma, juga',
      reporter: { name: 'Ibu Sari', contact: '0812' },
    });
    now = new Date('2026-03-02T16:59:00Z');
    const lastMinute = await logIncident(desk, { title: 'Hampir tengah malam' });
    now = new Date('2026-03-02T17:00:00Z');
    await logIncident(desk, { title: 'Tiga Maret' });

    const out = join(dir, 'incidents.csv');
    const run = await cli(['export', 'incidents', '--from', '2026-03-02', '--to', '2026-03-03', '--format', 'csv', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`2 incident(s) detected from 2026-03-01T17:00:00.000Z to 2026-03-02T17:00:00.000Z written to ${out}`);

    const bytes = readFileSync(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text).toContain('"Formulir ""SKM"", tidak terkirim"');
    const [header, ...rows] = parseCsv(text);
    expect(header!.slice(0, 4)).toEqual(['ref', 'title', 'description', 'service']);
    for (const column of ['priority', 'status', 'reporterName', 'reporterContact', 'detectedAt', 'resolveDueAt', 'resolutionCode', 'closureCode', 'reopenCount'])
      expect(header).toContain(column);
    const records = rows.map((r) => Object.fromEntries(header!.map((name, i) => [name, r[i]])));
    expect(records.map((r) => r.ref)).toEqual([tricky, lastMinute]);
    expect(records[0]).toMatchObject({
      title: 'Formulir "SKM", tidak terkirim',
      description: 'Baris pertama\nbaris kedua; ada koma, juga',
      service: 'skm',
      source: 'manual',
      status: 'new',
      reporterName: 'Ibu Sari',
      reporterContact: '0812',
      detectedAt: '2026-03-01T17:30:00.000Z',
      acknowledgedAt: '',
      flapping: 'false',
    });
    expect(records.every((r) => Object.keys(r).length === header!.length)).toBe(true);
    expect(records.map((r) => r.ref)).not.toContain(lateFirst);

    const toStdout = await cli(['export', 'incidents', '--from', '2026-03-01', '--to', '2026-03-02', '--format', 'csv']);
    expect(toStdout.code).toBe(0);
    expect([...toStdout.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(
      parseCsv(toStdout.stdout.slice(1))
        .slice(1)
        .map((r) => r[0]),
    ).toEqual([lateFirst]);
    const none = await cli(['export', 'incidents', '--from', '2025-01-01', '--to', '2025-02-01', '--format', 'csv']);
    expect(parseCsv(none.stdout.slice(1))).toHaveLength(1);
  }, 90_000);
});
