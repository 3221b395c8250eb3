import { Resolver } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { roundMs, startDeadline, withoutUndefined } from './connection-trace.js';
import { describeProbeError } from './probe-errors.js';
import type { DnsRecordType, DnsResolveFunction, DnsTarget, ProbeEvidence, ProbeFunction, ProbeStatus } from './probe-types.js';

const MAX_ANSWERS_KEPT = 32;
const DEFAULT_TRIES = 2;

/**
 * Resolves `name` for `recordType`: up when there is at least one answer and every expected answer
 * is among them. Any failure — NXDOMAIN, SERVFAIL, no data, no reply in time — is `dns`.
 */
export const probeDns: ProbeFunction<DnsTarget> = async (target, deps) => {
  const startedAt = deps.now();
  const start = performance.now();
  const deadline = startDeadline(target.timeoutMs);
  let answeredAt: number | undefined;
  const finish = (status: ProbeStatus, evidence: ProbeEvidence) => ({
    checkKey: target.checkKey,
    startedAt,
    durationMs: roundMs(performance.now() - start),
    status,
    failureKind: status === 'up' ? null : ('dns' as const),
    timings: answeredAt === undefined ? {} : { resolve: roundMs(answeredAt - start) },
    evidence: withoutUndefined(evidence),
  });
  try {
    const resolveDns = deps.resolveDns ?? createDnsResolver({ timeoutMs: target.timeoutMs });
    // Raced as well as signalled: an injected resolver may ignore the signal.
    const answers = await Promise.race([resolveDns(target.name, target.recordType, target.server, deadline.signal), deadline.expired]);
    answeredAt = performance.now();
    const kept = answers.slice(0, MAX_ANSWERS_KEPT);
    if (answers.length === 0) return finish('down', { answers: kept, reason: `no ${target.recordType} records for ${target.name}` });
    const missing = missingAnswers(target.recordType, target.expectAnswers, answers);
    if (missing.length > 0) return finish('down', { answers: kept, reason: `expected answers missing: ${missing.join(', ')}` });
    return finish('up', { answers: kept });
  } catch (err) {
    return finish('down', describeProbeError(err, 'dns', target.timeoutMs));
  } finally {
    deadline.dispose();
  }
};

export interface DnsResolverOptions {
  /** The whole budget; split evenly over the tries. */
  timeoutMs: number;
  tries?: number;
}

/**
 * The default `resolveDns`: Node's c-ares `Resolver`, asking `server` (`ip` or `ip:port`) or the
 * system's resolvers, cancelled when the signal aborts. Answers come back as text: MX as
 * `priority exchange`, each TXT record's strings joined.
 */
export function createDnsResolver(options: DnsResolverOptions): DnsResolveFunction {
  const tries = options.tries ?? DEFAULT_TRIES;
  const attemptMs = Math.max(1, Math.floor(options.timeoutMs / tries));
  return async (name, recordType, server, signal) => {
    signal.throwIfAborted();
    const resolver = new Resolver({ timeout: attemptMs, tries });
    if (server !== null) resolver.setServers([server]);
    const cancel = (): void => resolver.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      return await resolveRecords(resolver, name, recordType);
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  };
}

async function resolveRecords(resolver: Resolver, name: string, recordType: DnsRecordType): Promise<string[]> {
  switch (recordType) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'CNAME':
      return resolver.resolveCname(name);
    case 'NS':
      return resolver.resolveNs(name);
    case 'MX':
      return (await resolver.resolveMx(name)).map((record) => `${record.priority} ${record.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  }
}

/** Expected answers not among `answers`, compared as DNS compares them (names case-blind, no trailing dot). */
function missingAnswers(recordType: DnsRecordType, expected: string[], answers: string[]): string[] {
  const found = new Set(answers.map((answer) => comparable(recordType, answer)));
  return expected.filter((answer) => !found.has(comparable(recordType, answer)));
}

function comparable(recordType: DnsRecordType, answer: string): string {
  if (recordType === 'TXT') return answer;
  if (recordType === 'AAAA') return canonicalIpv6(answer.trim());
  return answer.trim().replace(/\s+/g, ' ').replace(/\.$/, '').toLowerCase();
}

/** `2001:DB8:0::1` and `2001:db8::1` are one address. */
function canonicalIpv6(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}
