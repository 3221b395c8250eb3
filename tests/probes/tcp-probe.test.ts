import { afterEach, describe, expect, it } from 'vitest';
import { runProbe } from '../../probes/probe-registry.js';
import type { FailureKind, LookupFunction, ProbeDeps, ProbeStatus, TcpTarget } from '../../probes/probe-types.js';
import { probeTcp } from '../../probes/tcp.js';
import { findRefusingPort, startTcpServer, stopAllServers } from '../helpers/local-servers.js';

const GATEWAY = 'gateway.dpmptsp.test';
const fixedNow = (): Date => new Date('2026-03-02T03:04:05.000Z');
const deps: ProbeDeps = { now: fixedNow };

function tcpTarget(host: string, port: number, timeoutMs = 2000): TcpTarget {
  return { type: 'tcp', checkKey: 'gateway', host, port, timeoutMs };
}

function resolveTo(address: string): LookupFunction {
  return (_hostname, options, callback) => (options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4));
}

const notFoundLookup: LookupFunction = (hostname, _options, callback) => {
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo' });
  setImmediate(() => callback(error, ''));
};

const listening = async (): Promise<number> => (await startTcpServer((socket) => socket.end())).port;

afterEach(stopAllServers);

describe('probeTcp', () => {
  interface Case {
    name: string;
    /** Starts whatever the probe connects to and returns the target. */
    target: () => Promise<TcpTarget>;
    deps?: Partial<ProbeDeps>;
    status: ProbeStatus;
    failureKind: FailureKind | null;
    errorCode?: string;
    timings: string[];
  }

  const cases: Case[] = [
    {
      name: 'a listening port is up with resolve and connect timings',
      target: async () => tcpTarget('127.0.0.1', await listening()),
      status: 'up',
      failureKind: null,
      timings: ['connect', 'resolve'],
    },
    {
      name: 'a refused port is down with connect and ECONNREFUSED',
      target: async () => tcpTarget('127.0.0.1', await findRefusingPort()),
      status: 'down',
      failureKind: 'connect',
      errorCode: 'ECONNREFUSED',
      timings: ['resolve'],
    },
    {
      name: 'a fake host name resolved by the injected lookup is up',
      target: async () => tcpTarget(GATEWAY, await listening()),
      deps: { lookup: resolveTo('127.0.0.1') },
      status: 'up',
      failureKind: null,
      timings: ['connect', 'resolve'],
    },
    {
      name: 'a host name that does not resolve is down with dns',
      target: async () => tcpTarget(GATEWAY, 53),
      deps: { lookup: notFoundLookup },
      status: 'down',
      failureKind: 'dns',
      errorCode: 'ENOTFOUND',
      timings: ['resolve'],
    },
    {
      name: 'a resolver that never answers is down with dns once the timeout passes',
      target: async () => tcpTarget(GATEWAY, 53, 300),
      deps: { lookup: () => undefined },
      status: 'down',
      failureKind: 'dns',
      errorCode: 'TimeoutError',
      timings: [],
    },
    {
      name: 'a port number out of range is down with connect, not an exception',
      target: async () => tcpTarget('127.0.0.1', 70_000),
      status: 'down',
      failureKind: 'connect',
      errorCode: 'ERR_SOCKET_BAD_PORT',
      timings: [],
    },
  ];

  it.each(cases)('$name', async (testCase) => {
    const result = await probeTcp(await testCase.target(), { ...deps, ...testCase.deps });

    expect({ status: result.status, failureKind: result.failureKind }).toEqual({ status: testCase.status, failureKind: testCase.failureKind });
    expect(result.evidence.errorCode).toBe(testCase.errorCode);
    expect(Object.keys(result.timings).sort()).toEqual(testCase.timings);
    if (result.status === 'up') expect(result.evidence).toEqual({ resolvedAddress: '127.0.0.1' });
    expect(result).toMatchObject({ checkKey: 'gateway', startedAt: fixedNow() });
  });

  it('a resolver that never answers ends the probe with a message naming the timeout', async () => {
    const result = await probeTcp(tcpTarget(GATEWAY, 53, 300), { ...deps, lookup: () => undefined });

    expect(result.evidence.errorMessage).toBe('name not resolved within 300 ms');
  });

  it('runProbe dispatches a tcp target to the tcp probe', async () => {
    const result = await runProbe(tcpTarget('127.0.0.1', await listening()), deps);

    expect(result).toMatchObject({ status: 'up', evidence: { resolvedAddress: '127.0.0.1' } });
  });
});
