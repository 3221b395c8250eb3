// Passwords are hashed with scrypt, a slow and memory-hard KDF. The parameters are stored with each
// hash (`scrypt$N$r$p$salt$key`), so they can be raised: a hash made with weaker ones still
// verifies, and is replaced at the user's next successful log-in (needsRehash).
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's minimum for scrypt: N = 2^17, r = 8, p = 1 (128 MiB and roughly 0.3 s per hash). */
export const DEFAULT_SCRYPT: ScryptParams = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });
const KEY_LENGTH = 64;

function scrypt(password: string, salt: Buffer, keyLength: number, { N, r, p }: ScryptParams): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses above 32 MiB unless told the ceiling. Twice that leaves room.
  const options: ScryptOptions = { N, r, p, maxmem: 2 * 128 * N * r };
  return new Promise((resolve, reject) => scryptCb(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | null {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return null;
  return { params: { N: Number(n), r: Number(r), p: Number(p) }, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const actual = await scrypt(password, parsed.salt, parsed.hash.length, parsed.params);
  return timingSafeEqual(actual, parsed.hash);
}

/** The parameters a stored hash was made with (null if it is not an scrypt hash). */
export function hashParams(stored: string): ScryptParams | null {
  return parse(stored)?.params ?? null;
}

/** A stored hash weaker than `params` in any parameter, or unreadable, is replaced on the next log-in. */
export function needsRehash(stored: string, params: ScryptParams): boolean {
  const found = hashParams(stored);
  return !found || found.N < params.N || found.r < params.r || found.p < params.p;
}
