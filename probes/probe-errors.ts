// Turns a thrown network error into the failing layer (DESIGN §4) and a short evidence record.
// Shared by every probe that opens a connection, so a refused port means the same everywhere.
import { findAddressBlocked } from './address-guard.js';
import type { FailureKind, ProbeEvidence } from './probe-types.js';

const ERROR_MESSAGE_CHARS = 300;
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'ENODATA', 'ESERVFAIL', 'ENONAME', 'EBADNAME', 'ETIMEOUT']);
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_ABORTED', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ABORT_ERR']);

/** How far the connection got before the error; decides what a deadline means. */
export interface ConnectionProgress {
  lookupPending: boolean;
  connected: boolean;
}

/** The address policy first, then layer by layer: DNS, TLS, the connection, a deadline judged by the progress made. */
export function classifyProbeError(err: unknown, progress: ConnectionProgress): FailureKind {
  if (findAddressBlocked(err)) return 'blocked';
  const { codes, syscalls } = errorFacts(err);
  if (codes.some((code) => DNS_CODES.has(code)) || syscalls.some((call) => call === 'getaddrinfo' || call.startsWith('query'))) {
    return 'dns';
  }
  if (codes.some(isTlsCode)) return 'tls';
  if (codes.some((code) => CONNECT_CODES.has(code))) return 'connect';
  if (isDeadline(err) || codes.some((code) => TIMEOUT_CODES.has(code))) {
    if (progress.connected) return 'timeout';
    // DESIGN §4 counts a resolver that never answers as a DNS failure, not a connection one.
    return progress.lookupPending ? 'dns' : 'connect';
  }
  return 'connect';
}

/**
 * `errorCode` is the first Node/undici code along the cause chain; a deadline gets a plain
 * sentence; a refused address gives the address and the rule that refused it as the reason.
 */
export function describeProbeError(err: unknown, kind: FailureKind, timeoutMs: number): Pick<ProbeEvidence, 'errorCode' | 'errorMessage' | 'reason' | 'resolvedAddress'> {
  const blocked = findAddressBlocked(err);
  if (blocked) return { errorCode: blocked.code, errorMessage: blocked.reason, reason: blocked.reason, resolvedAddress: blocked.address };
  const [code] = errorFacts(err).codes;
  const errorCode = code ?? (err instanceof Error && err.name !== 'Error' ? err.name : undefined);
  return { errorCode, errorMessage: isDeadline(err) ? deadlineMessage(kind, timeoutMs) : shortMessage(err) };
}

function isTlsCode(code: string): boolean {
  return code.includes('CERT') || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.startsWith('UNABLE_TO_') || code === 'EPROTO' || code === 'HOSTNAME_MISMATCH';
}

/** Codes and syscalls along the `cause` chain (and inside AggregateErrors from multi-address connects). */
function errorFacts(err: unknown): { codes: string[]; syscalls: string[] } {
  const codes: string[] = [];
  const syscalls: string[] = [];
  const pending: unknown[] = [err];
  for (let seen = 0; pending.length > 0 && seen < 16; seen += 1) {
    const current = pending.shift();
    if (typeof current !== 'object' || current === null) continue;
    const { code, syscall, cause, errors } = current as { code?: unknown; syscall?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (typeof syscall === 'string') syscalls.push(syscall);
    if (cause !== undefined) pending.push(cause);
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return { codes, syscalls };
}

function isDeadline(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

function deadlineMessage(kind: FailureKind, timeoutMs: number): string {
  if (kind === 'dns') return `name not resolved within ${timeoutMs} ms`;
  if (kind === 'connect') return `no connection within ${timeoutMs} ms`;
  return `no complete response within ${timeoutMs} ms`;
}

function shortMessage(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).trim();
  return message.length > ERROR_MESSAGE_CHARS ? `${message.slice(0, ERROR_MESSAGE_CHARS)}…` : message;
}
