import { once } from 'node:events';
import { isIP, type LookupFunction as NetLookupFunction } from 'node:net';
import { checkServerIdentity, connect, type TLSSocket } from 'node:tls';
import { guardedTargetLookup } from './address-guard.js';
import { judgeCertificateExpiry } from './certificate.js';
import { beginProbe, connectionProgress, createTracedLookup, traceSocket } from './connection-trace.js';
import { classifyProbeError, describeProbeError } from './probe-errors.js';
import type { FailureKind, ProbeEvidence, ProbeFunction, ProbeStatus, TlsTarget } from './probe-types.js';

/**
 * A TLS handshake with host:port under `serverName`: down with `tls` when the certificate is not
 * trusted (chain, self-signed, host name, expired), degraded with `tls_expiring` when it is
 * trusted but valid for fewer than `minDaysValid` whole days. Nothing is sent after the handshake.
 */
export const probeTls: ProbeFunction<TlsTarget> = async (target, deps) => {
  const probe = beginProbe(target, deps);
  const { trace, deadline } = probe;
  let socket: TLSSocket | undefined;
  const finish = (status: ProbeStatus, failureKind: FailureKind | null, evidence: ProbeEvidence) =>
    probe.finish(status, failureKind, { resolvedAddress: trace.resolvedAddress, ...evidence });
  try {
    socket = connect({
      host: target.host,
      port: target.port,
      // RFC 6066 forbids an address as SNI (Node warns); the identity check below still uses it.
      ...(isIP(target.serverName) === 0 ? { servername: target.serverName } : {}),
      lookup: createTracedLookup(guardedTargetLookup('tls', target, deps), trace) as unknown as NetLookupFunction,
      ...(deps.ca === undefined ? {} : { ca: deps.ca }),
      // The chain and name are judged below rather than by rejecting the handshake, so that an
      // expired or mismatched certificate still shows its expiry in the evidence.
      rejectUnauthorized: false,
      checkServerIdentity: (_host, certificate) => checkServerIdentity(target.serverName, certificate),
    });
    traceSocket(socket, target.host, trace);
    await Promise.race([once(socket, 'secureConnect'), deadline.expired]);
    const expiry = judgeCertificateExpiry(trace.certificateValidTo, deps.now(), target.minDaysValid);
    if (!socket.authorized) return finish('down', 'tls', { ...expiry.evidence, ...describeRejection(socket, target.serverName) });
    if (expiry.expiringReason !== undefined) return finish('degraded', 'tls_expiring', { ...expiry.evidence, reason: expiry.expiringReason });
    return finish('up', null, expiry.evidence);
  } catch (err) {
    const kind = classifyProbeError(err, connectionProgress(trace));
    return finish('down', kind, describeProbeError(err, kind, target.timeoutMs));
  } finally {
    deadline.dispose();
    socket?.destroy();
  }
};

/** Why the handshake's certificate was not accepted: OpenSSL's or Node's code, and a sentence. */
function describeRejection(socket: TLSSocket, serverName: string): Pick<ProbeEvidence, 'errorCode' | 'errorMessage'> {
  // Node types it as an Error but stores the verification error's code (a string) when not rejecting itself.
  const rejection = socket.authorizationError as unknown;
  const errorCode = typeof rejection === 'string' ? rejection : String((rejection as { code?: unknown } | null)?.code ?? rejection);
  const mismatch = errorCode === 'ERR_TLS_CERT_ALTNAME_INVALID' ? checkServerIdentity(serverName, socket.getPeerCertificate()) : undefined;
  return { errorCode, errorMessage: mismatch?.message ?? `certificate not accepted for ${serverName}: ${errorCode}` };
}
