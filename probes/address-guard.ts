// The outbound address policy applied where connections are made: every address a lookup
// answers is judged before the socket may use it, and an address literal is judged before
// connecting at all. The address judged is the address connected to, so a name that resolves
// differently the second time (DNS rebinding) is judged by its new answer.
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { classifyAddress, judgeAddress, type AddressClass, type AddressClassifier, type AddressRule } from './address-policy.js';
import type { LookupFunction, ProbeDeps } from './probe-types.js';

export const ADDRESS_BLOCKED_CODE = 'ERR_ADDRESS_BLOCKED';

/** One connection's place in the probe: the URL (or scheme://host:port) it serves and the hop it is. */
export interface Hop {
  url: string;
  hop: 'target' | 'redirect';
  /** A redirect hop's previous address, the one actually connected to; unknown counts as public. */
  previousAddress?: string;
}

export interface AddressPolicySettings {
  allowPrivate: boolean;
  classify?: AddressClassifier;
}

/** Thrown into the connect path when the policy refuses an address; nothing was sent there. */
export class AddressBlockedError extends Error {
  readonly code = ADDRESS_BLOCKED_CODE;
  constructor(
    readonly url: string,
    readonly address: string,
    readonly addressClass: AddressClass,
    readonly rule: AddressRule,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'AddressBlockedError';
  }
}

/** The refusal for `address` on this hop, or undefined when it may be connected to. */
export function refusalOf(address: string, hop: Hop, settings: AddressPolicySettings): AddressBlockedError | undefined {
  const classify = settings.classify ?? classifyAddress;
  const previousClass = hop.previousAddress === undefined ? undefined : classify(hop.previousAddress);
  const decision = judgeAddress({ address, hop: hop.hop, previousClass, allowPrivate: settings.allowPrivate }, classify);
  if (decision.allowed) return undefined;
  const what = hop.hop === 'redirect' ? `redirect to ${hop.url}` : hop.url;
  const from = decision.rule === 'public-to-private' && hop.previousAddress !== undefined ? ` (previous hop: ${hop.previousAddress})` : '';
  return new AddressBlockedError(hop.url, decision.address, decision.addressClass, decision.rule, `${what} refused: ${decision.reason}${from}`);
}

/** The policy a target is probed under: its `allowPrivate`, and the classifier the deps name. */
export function policyOf(target: { allowPrivate?: boolean }, deps: Pick<ProbeDeps, 'classifyAddress'>): AddressPolicySettings {
  return { allowPrivate: target.allowPrivate ?? false, classify: deps.classifyAddress };
}

/** `scheme://host:port` for a probe without a URL, an IPv6 host in brackets. */
function endpointUrl(scheme: string, host: string, port: number): string {
  return `${scheme}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/** The refusal of a host that is an address literal (no lookup will see it), or undefined. */
export function refusalOfLiteral(host: string, hop: Hop, settings: AddressPolicySettings): AddressBlockedError | undefined {
  const literal = host.replace(/^\[(.*)\]$/, '$1');
  return isIP(literal) === 0 ? undefined : refusalOf(literal, hop, settings);
}

/**
 * The lookup a tcp or tls probe connects to its own host with, every answer judged; an address
 * literal, which no lookup sees, is judged here and its refusal thrown.
 */
export function guardedTargetLookup(
  scheme: 'tcp' | 'tls',
  target: { host: string; port: number; allowPrivate?: boolean },
  deps: Pick<ProbeDeps, 'lookup' | 'classifyAddress'>,
): LookupFunction {
  const hop: Hop = { url: endpointUrl(scheme, target.host, target.port), hop: 'target' };
  const policy = policyOf(target, deps);
  const refusal = refusalOfLiteral(target.host, hop, policy);
  if (refusal) throw refusal;
  return guardLookup(deps.lookup, hop, policy);
}

/** `lookup` (default: the system's) answering an error instead of any address list that holds a refused address. */
export function guardLookup(lookup: LookupFunction | undefined, hop: Hop, settings: AddressPolicySettings): LookupFunction {
  const resolve = lookup ?? (dnsLookup as unknown as LookupFunction);
  return (hostname, options, callback) => {
    resolve(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const addresses = typeof address === 'string' ? [address] : address.map((entry) => entry.address);
      // A name with one refused address among allowed ones is refused as a whole: the answer is
      // judged, not the luck of which address the socket tries first.
      for (const candidate of addresses) {
        const refusal = refusalOf(candidate, hop, settings);
        if (refusal) return callback(refusal, '');
      }
      callback(null, address, family);
    });
  };
}

/** The policy's refusal somewhere along an error's cause chain. */
export function findAddressBlocked(err: unknown): AddressBlockedError | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    if (current instanceof AddressBlockedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
