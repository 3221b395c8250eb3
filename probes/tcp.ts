import { once } from 'node:events';
import { connect, type LookupFunction as NetLookupFunction, type Socket } from 'node:net';
import { assertLiteralAllowed, endpointUrl, guardLookup, type Hop } from './address-guard.js';
import { beginProbe, connectionProgress, createTracedLookup, traceSocket } from './connection-trace.js';
import { classifyProbeError, describeProbeError } from './probe-errors.js';
import type { ProbeFunction, TcpTarget } from './probe-types.js';

/** Up when a TCP connection to host:port opens within the timeout; nothing is sent. */
export const probeTcp: ProbeFunction<TcpTarget> = async (target, deps) => {
  const { trace, deadline, finish } = beginProbe(target, deps);
  let socket: Socket | undefined;
  try {
    const hop: Hop = { url: endpointUrl('tcp', target.host, target.port), hop: 'target' };
    const policy = { allowPrivate: target.allowPrivate ?? false, classify: deps.classifyAddress };
    assertLiteralAllowed(target.host, hop, policy);
    socket = connect({
      host: target.host,
      port: target.port,
      // Node's type also allows family 'IPv4' | 'IPv6'; net only ever passes numbers to a lookup.
      lookup: createTracedLookup(guardLookup(deps.lookup, hop, policy), trace) as unknown as NetLookupFunction,
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
