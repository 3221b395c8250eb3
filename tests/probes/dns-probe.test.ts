import { afterEach, describe, expect, it } from 'vitest';
import { createDnsResolver, probeDns } from '../../probes/dns.js';
import { runProbe } from '../../probes/probe-registry.js';
import type { DnsResolveFunction, DnsTarget, FailureKind, ProbeStatus } from '../../probes/probe-types.js';
import { startDnsServer, stopAllServers } from '../helpers/local-servers.js';

const SKM_HOST = 'skm.dpmptsp.test';
const fixedNow = (): Date => new Date('2026-03-02T03:04:05.000Z');

function dnsTarget(options: Partial<DnsTarget> = {}): DnsTarget {
  return { type: 'dns', checkKey: 'skm-dns', name: SKM_HOST, recordType: 'A', expectAnswers: [], server: null, timeoutMs: 2000, ...options };
}

function dnsError(code: string, name = SKM_HOST): Error {
  return Object.assign(new Error(`queryA ${code} ${name}`), { code, syscall: 'queryA', hostname: name });
}

const answering =
  (...answers: string[]): DnsResolveFunction =>
  async () =>
    answers;
const failing =
  (code: string): DnsResolveFunction =>
  async () =>
    Promise.reject(dnsError(code));
const neverAnswering: DnsResolveFunction = () => new Promise<string[]>(() => undefined);

afterEach(stopAllServers);

interface Case {
  name: string;
  target: Partial<DnsTarget>;
  status: ProbeStatus;
  failureKind: FailureKind | null;
  errorCode?: string;
  reason?: string;
  answers?: string[];
}

describe('probeDns with an injected resolver', () => {
  it.each<Case & { resolve: DnsResolveFunction }>([
    {
      name: 'a name with answers is up and keeps them',
      resolve: answering('10.20.30.40', '10.20.30.41'),
      target: {},
      status: 'up',
      failureKind: null,
      answers: ['10.20.30.40', '10.20.30.41'],
    },
    { name: 'every expected answer present is up', resolve: answering('10.20.30.40', '10.20.30.41'), target: { expectAnswers: ['10.20.30.41'] }, status: 'up', failureKind: null },
    {
      name: 'an expected answer missing is down with dns, naming what is missing',
      resolve: answering('10.20.30.40'),
      target: { expectAnswers: ['10.20.30.40', '10.20.30.99'] },
      status: 'down',
      failureKind: 'dns',
      reason: 'expected answers missing: 10.20.30.99',
      answers: ['10.20.30.40'],
    },
    {
      name: 'expected MX answers match whatever the case or trailing dot',
      resolve: answering('10 mail.DPMPTSP.test'),
      target: { recordType: 'MX', expectAnswers: ['10 mail.dpmptsp.test.'] },
      status: 'up',
      failureKind: null,
    },
    {
      name: 'an expected AAAA answer matches in another spelling of the address',
      resolve: answering('2001:db8::1'),
      target: { recordType: 'AAAA', expectAnswers: ['2001:DB8:0:0::1'] },
      status: 'up',
      failureKind: null,
    },
    { name: 'no records at all is down with dns', resolve: answering(), target: {}, status: 'down', failureKind: 'dns', reason: `no A records for ${SKM_HOST}` },
    { name: 'NXDOMAIN is down with dns and ENOTFOUND', resolve: failing('ENOTFOUND'), target: {}, status: 'down', failureKind: 'dns', errorCode: 'ENOTFOUND' },
    { name: 'SERVFAIL is down with dns and ESERVFAIL', resolve: failing('ESERVFAIL'), target: {}, status: 'down', failureKind: 'dns', errorCode: 'ESERVFAIL' },
    {
      name: 'a name with no record of the type is down with dns and ENODATA',
      resolve: failing('ENODATA'),
      target: { recordType: 'TXT' },
      status: 'down',
      failureKind: 'dns',
      errorCode: 'ENODATA',
    },
    {
      name: 'a resolver that never answers is down with dns at the timeout',
      resolve: neverAnswering,
      target: { timeoutMs: 300 },
      status: 'down',
      failureKind: 'dns',
      errorCode: 'TimeoutError',
    },
  ])('$name', async ({ resolve, target, status, failureKind, reason, errorCode, answers }) => {
    const result = await probeDns(dnsTarget(target), { now: fixedNow, resolveDns: resolve });

    expect({ status: result.status, failureKind: result.failureKind }).toEqual({ status, failureKind });
    expect(result.evidence.reason).toBe(reason);
    expect(result.evidence.errorCode).toBe(errorCode);
    if (answers) expect(result.evidence.answers).toEqual(answers);
    if (!errorCode) expect(result.timings.resolve).toBeTypeOf('number');
    expect(result).toMatchObject({ checkKey: 'skm-dns', startedAt: fixedNow() });
  });

  it('asks the resolver for the name, type and server of the target, with a signal that aborts at the timeout', async () => {
    const calls: Array<{ name: string; recordType: string; server: string | null; signal: AbortSignal }> = [];
    const recording: DnsResolveFunction = (name, recordType, server, signal) => {
      calls.push({ name, recordType, server, signal });
      return new Promise<string[]>(() => undefined);
    };
    const result = await probeDns(dnsTarget({ recordType: 'NS', server: '127.0.0.1:5353', timeoutMs: 200 }), { now: fixedNow, resolveDns: recording });

    expect(calls).toEqual([expect.objectContaining({ name: SKM_HOST, recordType: 'NS', server: '127.0.0.1:5353' })]);
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(result.evidence.errorMessage).toBe('name not resolved within 200 ms');
  });

  it('runProbe dispatches a dns target to the dns probe', async () => {
    const result = await runProbe(dnsTarget(), { now: fixedNow, resolveDns: answering('10.20.30.40') });

    expect(result).toMatchObject({ status: 'up', evidence: { answers: ['10.20.30.40'] } });
  });
});

// The default resolver (Node's c-ares), asking a DNS stand-in on 127.0.0.1 — never a real server.
describe('probeDns with its default resolver against a local DNS server', () => {
  const zone = {
    [SKM_HOST]: { a: ['10.20.30.40'] },
    'broken.dpmptsp.test': 'servfail' as const,
    'silent.dpmptsp.test': 'silent' as const,
  };

  it.each<Case>([
    { name: 'a name the server knows is up with its A record', target: {}, status: 'up', failureKind: null, answers: ['10.20.30.40'] },
    {
      name: 'a name the server does not know is down with dns and ENOTFOUND',
      target: { name: 'missing.dpmptsp.test' },
      status: 'down',
      failureKind: 'dns',
      errorCode: 'ENOTFOUND',
    },
    { name: 'a server failure is down with dns and ESERVFAIL', target: { name: 'broken.dpmptsp.test' }, status: 'down', failureKind: 'dns', errorCode: 'ESERVFAIL' },
    { name: 'a name with no record of the type asked is down with dns and ENODATA', target: { recordType: 'TXT' }, status: 'down', failureKind: 'dns', errorCode: 'ENODATA' },
  ])('$name', async ({ target, status, failureKind, errorCode, answers }) => {
    const server = await startDnsServer(zone);
    const result = await probeDns(dnsTarget({ server: server.server, ...target }), { now: fixedNow });

    expect({ status: result.status, failureKind: result.failureKind }).toEqual({ status, failureKind });
    expect(result.evidence.errorCode).toBe(errorCode);
    if (answers) expect(result.evidence.answers).toEqual(answers);
  });

  it('a server that never replies is down with dns, and the probe returns soon after its timeout', async () => {
    const server = await startDnsServer(zone);
    const begun = Date.now();
    const result = await probeDns(dnsTarget({ name: 'silent.dpmptsp.test', server: server.server, timeoutMs: 400 }), { now: fixedNow });

    expect(Date.now() - begun).toBeLessThan(400 + 2000);
    expect(result).toMatchObject({ status: 'down', failureKind: 'dns' });
    expect(['ETIMEOUT', 'TimeoutError']).toContain(result.evidence.errorCode);
  });

  it('createDnsResolver stops asking once its signal aborts', async () => {
    const server = await startDnsServer(zone);
    const resolve = createDnsResolver({ timeoutMs: 10_000 });

    await expect(resolve('silent.dpmptsp.test', 'A', server.server, AbortSignal.timeout(100))).rejects.toMatchObject({ code: 'ECANCELLED' });
  });
});
