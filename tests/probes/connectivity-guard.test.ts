import { describe, expect, it } from 'vitest';
import { ConnectivityGuard } from '../../probes/connectivity-guard.js';
import type { ProbeResult, TcpTarget } from '../../probes/probe-types.js';

const target: TcpTarget = { type: 'tcp', checkKey: 'connectivity', host: '127.0.0.1', port: 9, timeoutMs: 100 };
const result = (status: ProbeResult['status'], failureKind: ProbeResult['failureKind'] = status === 'up' ? null : 'connect'): ProbeResult => ({
  checkKey: 'skm-form',
  startedAt: new Date(),
  durationMs: 1,
  status,
  failureKind,
  timings: {},
  evidence: { errorCode: status === 'up' ? undefined : 'ECONNREFUSED' },
});

function guardWith(linkUp: () => boolean) {
  const changes: boolean[] = [];
  let probes = 0;
  const guard = new ConnectivityGuard({
    target,
    probe: async () => (probes++, result(linkUp() ? 'up' : 'down')),
    onChange: (online) => changes.push(online),
    reuseForMs: 0,
  });
  return { guard, changes, probes: () => probes };
}

describe('ConnectivityGuard', () => {
  it('lets a failure through while the probing host is online', async () => {
    const { guard } = guardWith(() => true);
    expect(await guard.judge(result('down'))).toMatchObject({ status: 'down', failureKind: 'connect' });
  });

  it('turns a failure into unknown while the probing host is offline, keeping what failed', async () => {
    const { guard, changes } = guardWith(() => false);
    const judged = await guard.judge(result('down', 'timeout'));
    expect(judged).toMatchObject({ status: 'unknown', failureKind: null, evidence: { errorCode: 'ECONNREFUSED' } });
    expect(judged.evidence.reason).toMatch(/probing host is offline.*timeout/);
    expect(changes).toEqual([false]);
  });

  it('never asks about connectivity for a passing probe', async () => {
    const { guard, probes } = guardWith(() => false);
    expect(await guard.judge(result('up'))).toMatchObject({ status: 'up' });
    expect(probes()).toBe(0);
  });

  it('tells each change once: offline, then online again', async () => {
    let link = false;
    const { guard, changes } = guardWith(() => link);
    await guard.judge(result('down'));
    await guard.judge(result('down'));
    link = true;
    expect(await guard.judge(result('down'))).toMatchObject({ status: 'down' });
    expect(changes).toEqual([false, true]);
    expect(guard.isOnline()).toBe(true);
  });

  it('shares one connectivity probe among failures that arrive together', async () => {
    const { guard, probes } = guardWith(() => true);
    await Promise.all([guard.judge(result('down')), guard.judge(result('down')), guard.judge(result('degraded', 'slow'))]);
    expect(probes()).toBe(1);
  });
});
