// Certificates made at test time with the openssl CLI (OpenSSL 3.0): a test CA that issues leaf
// certificates for any validity window, including one that ended in the past — `openssl ca`
// takes -startdate/-enddate, which `x509 -req` (no negative -days) and `req -x509` cannot.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const DAY_MS = 86_400_000;
// P-256 keys: a handful of certificates per suite in milliseconds, where RSA takes tenths of seconds.
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface KeyAndCertificate {
  key: string;
  cert: string;
}

export interface IssueOptions {
  /** DNS names for subjectAltName; localhost and 127.0.0.1 are always added. */
  hostNames?: string[];
  notBefore?: Date;
  notAfter: Date;
}

export interface CertificateAuthority extends KeyAndCertificate {
  issue: (options: IssueOptions) => Promise<KeyAndCertificate>;
}

/** A throwaway CA; trust it with `deps.ca = authority.cert`. */
export async function createCertificateAuthority(): Promise<CertificateAuthority> {
  const authority = await inTempDir(async (dir) => {
    await openssl(['req', '-x509', ...NEW_KEY, '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem'), '-days', '3650', '-subj', '/CN=Sigap Test CA'], dir);
    return { key: await readFile(join(dir, 'ca.key'), 'utf8'), cert: await readFile(join(dir, 'ca.pem'), 'utf8') };
  });
  return { ...authority, issue: (options) => issueCertificate(authority, options) };
}

/** `days` from now (negative: in the past), for a validity window. */
export function daysFromNow(days: number): Date {
  return new Date(Date.now() + days * DAY_MS);
}

async function issueCertificate(authority: KeyAndCertificate, options: IssueOptions): Promise<KeyAndCertificate> {
  return inTempDir(async (dir) => {
    const names = ['DNS:localhost', ...(options.hostNames ?? []).map((name) => `DNS:${name}`), 'IP:127.0.0.1'].join(',');
    await Promise.all([
      writeFile(join(dir, 'ca.key'), authority.key),
      writeFile(join(dir, 'ca.pem'), authority.cert),
      writeFile(join(dir, 'index.txt'), ''),
      writeFile(join(dir, 'serial'), `${randomBytes(8).toString('hex')}\n`),
      writeFile(join(dir, 'ca.cnf'), caConfig(dir, names)),
    ]);
    await openssl(['req', ...NEW_KEY, '-keyout', join(dir, 'leaf.key'), '-out', join(dir, 'leaf.csr'), '-subj', '/CN=localhost'], dir);
    await openssl(
      [
        'ca',
        '-batch',
        '-notext',
        '-config',
        join(dir, 'ca.cnf'),
        '-in',
        join(dir, 'leaf.csr'),
        '-out',
        join(dir, 'leaf.pem'),
        '-startdate',
        opensslTime(options.notBefore ?? daysFromNow(-1)),
        '-enddate',
        opensslTime(options.notAfter),
      ],
      dir,
    );
    return { key: await readFile(join(dir, 'leaf.key'), 'utf8'), cert: await readFile(join(dir, 'leaf.pem'), 'utf8') };
  });
}

function caConfig(dir: string, subjectAltNames: string): string {
  return `[ ca ]
default_ca = test_ca
[ test_ca ]
database = ${join(dir, 'index.txt')}
new_certs_dir = ${dir}
serial = ${join(dir, 'serial')}
certificate = ${join(dir, 'ca.pem')}
private_key = ${join(dir, 'ca.key')}
default_md = sha256
policy = any_name
unique_subject = no
x509_extensions = leaf
[ any_name ]
commonName = supplied
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = ${subjectAltNames}
`;
}

/** YYYYMMDDHHMMSSZ, the form `openssl ca -startdate/-enddate` reads. */
function opensslTime(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await execFileAsync('openssl', args, { cwd });
}

async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sigap-cert-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
