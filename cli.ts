#!/usr/bin/env node
// The operators' command line (`sigap`): check a config file, run migrations, add users, reset
// passwords, create API tokens, export incidents, send the monthly report. Configured like the
// server (DATABASE_URL, SIGAP_CONFIG). Exit codes: 0 done, 1 failed (invalid config, unknown
// user…), 2 wrong usage.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pino } from 'pino';
import { AccountService, generatePassword } from './detector/accounts/account-service.js';
import { AuditService } from './detector/audit/audit-service.js';
import type { AuditBy } from './detector/audit/audit-types.js';
import { ConfigError, loadConfig, parseConfig, type SigapConfig } from './config.js';
import { USER_ROLES, type UserRole } from './detector/accounts/account-types.js';
import { SigapError } from './detector/errors.js';
import { openDatabase } from './detector/store/database.js';
import type { Database } from './detector/store/store-types.js';
import { exportIncidentsCsv } from './detector/reporting/incident-export.js';

export const USAGE = `Usage: sigap <command> [options]

Commands:
  check-config [FILE]       validate a config file (default: $SIGAP_CONFIG or ./sigap.yaml)
  migrate                   run the database migrations not run yet on DATABASE_URL
  user add USERNAME --role ROLE [--name NAME] [--email EMAIL] [--language id|en] [--password-stdin]
                            add a user; without --password-stdin a password is generated and
                            printed once. ROLE: ${USER_ROLES.join(', ')}
  user reset-password USERNAME [--password-stdin]
                            set a new password (generated unless given on stdin); ends the
                            user's sessions
  token create USERNAME NAME
                            an API token acting as USERNAME, printed once
  export incidents --from YYYY-MM-DD --to YYYY-MM-DD --format csv [--out FILE]
                            incidents detected in [from, to) in the office time zone, as CSV
  report send --month YYYY-MM
                            e-mail the monthly report of MONTH (HTML, CSV and PDF) now to every
                            manager with an e-mail address (needs notifications.smtp). It sends
                            even if the month went out before; the automatic mail (first working
                            day, 08:00) then does not send that month again. Exit 1 if any
                            manager's copy was not accepted by the relay, or there is none

Environment: DATABASE_URL (default sqlite:./data/sigap.db), SIGAP_CONFIG (default ./sigap.yaml).
Exit status: 0 done, 1 failed, 2 wrong usage.
`;

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
}

/** Wrong usage: the message, then the usage text, exit 2. */
class UsageError extends Error {}
/** A failure the operator can act on: the message, exit 1. */
class Failure extends Error {}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

type Options = NonNullable<ParseArgsConfig['options']>;

function parse<O extends Options>(args: string[], options: O, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(`expected ${positionals} argument(s), got ${parsed.positionals.length}: ${parsed.positionals.join(' ') || '(none)'}`);
  }
  return parsed;
}

function configOf(env: NodeJS.ProcessEnv): SigapConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new Failure(`the configuration has ${err.problems.length} problem(s):\n${err.problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Open the configured database, refusing one whose migrations have not run (say how to fix it). */
async function withDatabase<T>(env: NodeJS.ProcessEnv, work: (db: Database, config: SigapConfig) => Promise<T>, migrateFirst = false): Promise<T> {
  const config = configOf(env);
  const db = openDatabase(config.databaseUrl);
  try {
    if (!migrateFirst) {
      try {
        await db.checkReady();
      } catch (err) {
        throw new Failure(`the database is not ready (${(err as Error).message}); run "sigap migrate" first`);
      }
    }
    return await work(db, config);
  } finally {
    await db.close();
  }
}

/** What the command line changes is in the audit trail too: no person or address, `via: 'cli'`. */
const FROM_CLI: AuditBy = { actor: null, ip: null, via: 'cli' };

function accountsOn(db: Database): AccountService {
  const clock = () => new Date();
  return new AccountService(db.stores.accounts, clock, new AuditService({ db, clock, logger: pino({ level: 'silent' }) }));
}

async function passwordFrom(flag: boolean | undefined, io: CliIo): Promise<{ password: string; generated: boolean }> {
  if (!flag) return { password: generatePassword(), generated: true };
  // The first line only: `echo secret | sigap …` must not make the newline part of the password.
  const password = (await io.readStdin()).split(/\r?\n/)[0] ?? '';
  if (!password) throw new Failure('no password on stdin');
  return { password, generated: false };
}

function checkConfig(args: string[], io: CliIo): number {
  const { positionals } = parse(args, {}, args.length > 0 ? 1 : 0);
  const file = positionals[0] ?? (io.env.SIGAP_CONFIG || './sigap.yaml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    io.stderr(`FAILED: ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})\n`);
    return 1;
  }
  try {
    const config = parseConfig(text, file, io.env);
    const checks = config.services.reduce((n, s) => n + s.checks.length, 0);
    io.stdout(`OK: ${file}: ${config.services.length} services, ${checks} checks\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`FAILED: ${file}: ${err.problems.length} problem(s):\n${err.problems.map((p) => `  - ${p}\n`).join('')}`);
    return 1;
  }
}

async function migrate(args: string[], io: CliIo): Promise<number> {
  parse(args, {}, 0);
  const ran = await withDatabase(io.env, (db) => db.migrate(), true);
  io.stdout(ran.length === 0 ? 'the database is up to date: no migrations to run\n' : `ran ${ran.length} migration(s):\n${ran.map((name) => `  ${name}\n`).join('')}`);
  return 0;
}

async function user(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'add') {
    const { values, positionals } = parse(
      rest,
      { role: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, language: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
      1,
    );
    const username = positionals[0]!;
    if (!values.role) throw new UsageError('--role is required');
    if (values.language !== undefined && values.language !== 'id' && values.language !== 'en') throw new UsageError('--language must be id or en');
    const { password, generated } = await passwordFrom(values['password-stdin'], io);
    const created = await withDatabase(io.env, (db) =>
      accountsOn(db).createUser(
        {
          username,
          displayName: values.name ?? username,
          role: values.role as UserRole,
          password,
          email: values.email,
          language: values.language as 'id' | 'en' | undefined,
        },
        FROM_CLI,
      ),
    );
    io.stdout(`created user "${created.username}" (${created.role})\n`);
    if (generated) io.stdout(`password: ${password}\n(shown only this once)\n`);
    return 0;
  }
  if (sub === 'reset-password') {
    const { values, positionals } = parse(rest, { 'password-stdin': { type: 'boolean' } }, 1);
    const username = positionals[0]!;
    const { password, generated } = await passwordFrom(values['password-stdin'], io);
    await withDatabase(io.env, (db) => accountsOn(db).setPassword(username, password, FROM_CLI));
    io.stdout(`new password set for "${username}"; their sessions have ended\n`);
    if (generated) io.stdout(`password: ${password}\n(shown only this once)\n`);
    return 0;
  }
  throw new UsageError(sub ? `unknown command "user ${sub}"` : 'user: say add or reset-password');
}

async function token(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError(sub ? `unknown command "token ${sub}"` : 'token: say create');
  const { positionals } = parse(rest, {}, 2);
  const [username, name] = positionals as [string, string];
  if (!name.trim() || name.length > 100) throw new UsageError('the token name must be 1-100 characters');
  const { token: secret } = await withDatabase(io.env, async (db) => {
    const accounts = accountsOn(db);
    return accounts.createToken(await accounts.findUser(username), name.trim(), {}, FROM_CLI);
  });
  // The token alone on stdout, so that TOKEN=$(sigap token create …) works.
  io.stdout(`${secret}\n`);
  io.stderr(`token "${name.trim()}" created for "${username}"; it is shown only this once\n`);
  return 0;
}

async function exportCommand(args: string[], io: CliIo): Promise<number> {
  const [what, ...rest] = args;
  if (what !== 'incidents') throw new UsageError(what ? `cannot export "${what}" (only incidents)` : 'export: say incidents');
  const { values } = parse(rest, { from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } }, 0);
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!values.from || !day.test(values.from)) throw new UsageError('--from YYYY-MM-DD is required');
  if (!values.to || !day.test(values.to)) throw new UsageError('--to YYYY-MM-DD is required');
  if (values.format !== 'csv') throw new UsageError('--format csv is required (the only format for now)');
  const { csv, count, from, to } = await withDatabase(io.env, (db, config) => exportIncidentsCsv(db, config.timezone, values.from!, values.to!));
  if (values.out) {
    writeFileSync(values.out, csv);
    io.stdout(`${count} incident(s) detected from ${from.toISOString()} to ${to.toISOString()} written to ${values.out}\n`);
  } else {
    io.stdout(csv);
  }
  return 0;
}

async function reportCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'send') throw new UsageError(sub ? `unknown command "report ${sub}"` : 'report: say send');
  const { values } = parse(rest, { month: { type: 'string' } }, 0);
  const month = values.month;
  if (!month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError('--month YYYY-MM is required (for example --month 2026-11)');
  const result = await withDatabase(io.env, async (db, config) => {
    if (!config.notifications.smtp) throw new Failure('notifications.smtp is not configured: there is no way to send e-mail');
    // The composition root, loaded only here: the other commands need none of the web app it imports.
    const { createMonthlyReports, createReportMailer } = await import('./main.js');
    const clock = () => new Date();
    const logger = pino({ level: 'silent' });
    const mailer = createReportMailer({ config, db, monthlyReports: await createMonthlyReports(config, db, clock, logger), clock, logger, intervalMs: 0 });
    try {
      return await mailer.sendNow(month);
    } finally {
      await mailer.stop();
    }
  });
  if (result.sent.length + result.failed.length === 0) throw new Failure('no active manager has an e-mail address: add one (sigap user add NAME --role manager --email ADDRESS)');
  for (const to of result.sent) io.stdout(`sent the report of ${month} to ${to}\n`);
  for (const { recipient, error } of result.failed) io.stderr(`sigap: could not send the report of ${month} to ${recipient}: ${error}\n`);
  return result.failed.length > 0 ? 1 : 0;
}

/** Run one command; answers the exit status. Never throws for the operator's mistakes. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'check-config':
        return checkConfig(args, io);
      case 'migrate':
        return await migrate(args, io);
      case 'user':
        return await user(args, io);
      case 'token':
        return await token(args, io);
      case 'export':
        return await exportCommand(args, io);
      case 'report':
        return await reportCommand(args, io);
      case '--help':
      case '-h':
      case 'help':
        // Asked for: the usage on stdout and success, as every Unix tool does; wrong usage exits 2.
        io.stdout(USAGE);
        return 0;
      default:
        throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`sigap: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof Failure) {
      io.stderr(`sigap: ${err.message}\n`);
      return 1;
    }
    if (err instanceof SigapError) {
      const details = err.details.map((d) => `  - ${d.path}: ${d.message}\n`).join('');
      io.stderr(`sigap: ${err.message}\n${details}`);
      return 1;
    }
    throw err;
  }
}

// Run as a program (also through npm's `bin` symlink), not when imported.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const io: CliIo = { env: process.env, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), readStdin };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`sigap: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
