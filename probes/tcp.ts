import { once } from 'node:events';
import { connect, type LookupFunction as NetLookupFunction, type Socket } from 'node:net';
import { guardedTargetLookup } from './address-guard.js';
import { beginProbe, connectionProgress, createTracedLookup, traceSocket } from './connection-trace.js';
import { classifyProbeError, describeProbeError } from './probe-errors.js';
import type { ProbeFunction, TcpTarget } from './probe-types.js';

/** Up when a TCP connection to host:port opens within the timeout; nothing is sent. */
export const probeTcp: ProbeFunction<TcpTarget> = async (target, deps) => {
  const { trace, deadline, finish } = beginProbe(target, deps);
  let socket: Socket | undefined;
  try {
    socket = connect({
      host: target.host,
      port: target.port,
      // Node's type also allows family 'IPv4' | 'IPv6'; net only ever passes numbers to a lookup.
      lookup: createTracedLookup(guardedTargetLookup('tcp', target, deps), trace) as unknown as NetLookupFunction,
    });
    traceSocket(socket, target.host, trace);
    await Promise.race([once(socket, 'connect'), deadline.expired]);
    return finish('up', null, { resolvedAddress: trace.resolvedAddress });
  } catch (err) {
    const kind = classifyProbeError(err, connectionProgress(trace));
    return finish('down', kind, { resolvedAddress: trace.resolvedAddress, ...describeProbeError(err, kind, target.timeoutMs) });
  } finally {
    deadline.dispose();
    socket?.destroy();
  }
};
