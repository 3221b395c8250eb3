import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { daysLeft } from '../../probes/certificate.js';
import { runProbe } from '../../probes/probe-registry.js';
import type { FailureKind, LookupFunction, ProbeDeps, ProbeStatus, TlsTarget } from '../../probes/probe-types.js';
import { probeTls } from '../../probes/tls.js';
import { createCertificateAuthority, daysFromNow, type CertificateAuthority, type KeyAndCertificate } from '../helpers/certificates.js';
import { createSelfSignedCertificate, findRefusingPort, startTcpServer, startTlsServer, stopAllServers } from '../helpers/local-servers.js';

const SKM_HOST = 'skm.dpmptsp.test';
// The TLS stack checks validity against the real clock, so the expiry arithmetic must use it too.
const deps: ProbeDeps = { now: () => new Date() };

function tlsTarget(port: number, options: Partial<TlsTarget> = {}): TlsTarget {
  return { type: 'tls', checkKey: 'skm-cert', host: SKM_HOST, port, serverName: SKM_HOST, timeoutMs: 3000, minDaysValid: 14, ...options };
}

const toLoopback: LookupFunction = (_hostname, options, callback) => (options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4));

afterEach(stopAllServers);

describe('probeTls', () => {
  let authority: CertificateAuthority;
  const certificates: Record<'valid' | 'expiring' | 'expired' | 'notYetValid' | 'selfSigned', KeyAndCertificate> = {} as never;

  beforeAll(async () => {
    authority = await createCertificateAuthority();
    const names = { hostNames: [SKM_HOST] };
    [certificates.valid, certificates.expiring, certificates.expired, certificates.notYetValid, certificates.selfSigned] = await Promise.all([
      authority.issue({ ...names, notAfter: daysFromNow(90) }),
      authority.issue({ ...names, notAfter: daysFromNow(5) }),
      authority.issue({ ...names, notBefore: daysFromNow(-30), notAfter: daysFromNow(-2) }),
      authority.issue({ ...names, notBefore: daysFromNow(2), notAfter: daysFromNow(30) }),
      createSelfSignedCertificate([SKM_HOST]),
    ]);
  });

  interface Case {
    name: string;
    certificate: keyof typeof certificates;
    target?: Partial<TlsTarget>;
    trustAuthority?: boolean;
    status: ProbeStatus;
    failureKind: FailureKind | null;
    errorCode?: string;
    daysLeft?: number;
  }

  const cases: Case[] = [
    { name: 'a certificate from a trusted CA with 90 days left is up', certificate: 'valid', status: 'up', failureKind: null, daysLeft: 89 },
    {
      name: 'a certificate with 5 days left under a 14-day minimum is degraded with tls_expiring',
      certificate: 'expiring',
      status: 'degraded',
      failureKind: 'tls_expiring',
      daysLeft: 4,
    },
    { name: 'a certificate with 5 days left under a 3-day minimum is up', certificate: 'expiring', target: { minDaysValid: 3 }, status: 'up', failureKind: null, daysLeft: 4 },
    {
      name: 'an expired certificate is down with tls and CERT_HAS_EXPIRED, showing when it expired',
      certificate: 'expired',
      status: 'down',
      failureKind: 'tls',
      errorCode: 'CERT_HAS_EXPIRED',
      daysLeft: -3,
    }, // two days and a moment ago, rounded down
    { name: 'a certificate not yet valid is down with tls', certificate: 'notYetValid', status: 'down', failureKind: 'tls', errorCode: 'CERT_NOT_YET_VALID' },
    { name: 'a self-signed certificate is down with tls', certificate: 'selfSigned', status: 'down', failureKind: 'tls', errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    {
      name: 'a certificate from a CA nobody trusts is down with tls',
      certificate: 'valid',
      trustAuthority: false,
      status: 'down',
      failureKind: 'tls',
      errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    },
    {
      name: 'a certificate for another host name is down with tls',
      certificate: 'valid',
      target: { serverName: 'wrong.dpmptsp.test' },
      status: 'down',
      failureKind: 'tls',
      errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID',
    },
    {
      name: 'an address whose certificate lists it is up without SNI',
      certificate: 'valid',
      target: { host: '127.0.0.1', serverName: '127.0.0.1' },
      status: 'up',
      failureKind: null,
      daysLeft: 89,
    },
  ];

  it.each(cases)('$name', async (testCase) => {
    const server = await startTlsServer(certificates[testCase.certificate]);
    const result = await probeTls(tlsTarget(server.port, testCase.target), {
      ...deps,
      lookup: toLoopback,
      ...(testCase.trustAuthority === false ? {} : { ca: authority.cert }),
    });

    expect({ status: result.status, failureKind: result.failureKind }).toEqual({ status: testCase.status, failureKind: testCase.failureKind });
    expect(result.evidence.errorCode).toBe(testCase.errorCode);
    if (testCase.daysLeft !== undefined) expect(result.evidence.tlsDaysLeft).toBe(testCase.daysLeft);
    expect(Date.parse(result.evidence.tlsExpiresAt ?? '')).not.toBeNaN();
    expect(result.evidence.resolvedAddress).toBe('127.0.0.1');
    expect(Object.keys(result.timings).sort()).toEqual(['connect', 'resolve', 'tls']);
  });

  it('says why an expiring certificate is degraded', async () => {
    const server = await startTlsServer(certificates.expiring);
    const result = await probeTls(tlsTarget(server.port), { ...deps, lookup: toLoopback, ca: authority.cert });

    expect(result.evidence.reason).toMatch(/^certificate expires in 4 days \(.+\), under the 14-day minimum$/);
  });

  it.each([
    { name: 'a refused port is down with connect', serve: async () => findRefusingPort(), failureKind: 'connect', errorCode: 'ECONNREFUSED' },
    {
      name: 'a server that does not speak TLS is down with tls',
      serve: async () => (await startTcpServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n'))).port,
      failureKind: 'tls',
    },
    {
      name: 'a server that never finishes the handshake is down with timeout',
      serve: async () => (await startTcpServer(() => undefined)).port,
      failureKind: 'timeout',
      errorCode: 'TimeoutError',
    },
  ])('$name', async ({ serve, failureKind, errorCode }) => {
    const result = await probeTls(tlsTarget(await serve(), { timeoutMs: 500 }), { ...deps, lookup: toLoopback, ca: authority.cert });

    expect(result).toMatchObject({ status: 'down', failureKind });
    if (errorCode) expect(result.evidence.errorCode).toBe(errorCode);
    expect(result.evidence.errorCode).toBeTruthy();
  });

  it('runProbe dispatches a tls target to the tls probe', async () => {
    const server = await startTlsServer(certificates.valid);
    const result = await runProbe(tlsTarget(server.port), { ...deps, lookup: toLoopback, ca: authority.cert });

    expect(result).toMatchObject({ status: 'up', failureKind: null });
  });
});

describe('daysLeft', () => {
  const now = new Date('2026-11-27T12:00:00.000Z');

  it.each([
    { name: 'exactly 14 days ahead is 14', validTo: '2026-12-11T12:00:00.000Z', days: 14 },
    { name: 'one millisecond short of 14 days is 13', validTo: '2026-12-11T11:59:59.999Z', days: 13 },
    { name: 'the last hours of validity are 0', validTo: '2026-11-27T18:00:00.000Z', days: 0 },
    { name: 'an hour after expiry is -1', validTo: '2026-11-27T11:00:00.000Z', days: -1 },
  ])('$name', ({ validTo, days }) => {
    expect(daysLeft(new Date(validTo), now)).toBe(days);
  });
});
