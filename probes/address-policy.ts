// The outbound address policy: which resolved addresses a probe may connect to. A pure function
// of the address, the hop (the check's own URL or a redirect), the class of the previous hop's
// address and the check's `allowPrivate`; `address-guard.ts` applies it inside the connect path.
import { isIPv4, isIPv6 } from 'node:net';

export type AddressClass = 'unspecified' | 'link-local' | 'loopback' | 'private' | 'public';

/** Why an address was refused: the rule that refused it. */
export type AddressRule = 'link-local' | 'unspecified' | 'public-to-private';

export interface AddressQuestion {
  /** The resolved address the probe would connect to (IPv4 or IPv6, a zone id allowed). */
  address: string;
  /** `target`: the check's own URL or host; `redirect`: a hop a redirect led to. */
  hop: 'target' | 'redirect';
  /** A redirect hop's previous address class (the one actually connected to); unknown counts as public. */
  previousClass?: AddressClass;
  allowPrivate: boolean;
}

export type AddressDecision =
  { allowed: true; address: string; addressClass: AddressClass } | { allowed: false; address: string; addressClass: AddressClass; rule: AddressRule; reason: string };

export type AddressClassifier = (address: string) => AddressClass;

const RULE_TEXT: Record<AddressRule, string> = {
  'link-local': 'link-local addresses (169.254.0.0/16 with the cloud metadata address, fe80::/10) are refused',
  unspecified: 'unspecified addresses (0.0.0.0/8, ::) are refused',
  'public-to-private': 'a redirect may not lead from a public address to a private or loopback one',
};

/** Allowed or refused, with the rule and a sentence naming the address. */
export function judgeAddress(question: AddressQuestion, classify: AddressClassifier = classifyAddress): AddressDecision {
  const { address, hop, allowPrivate } = question;
  const addressClass = classify(address);
  const allowed: AddressDecision = { allowed: true, address, addressClass };
  if (allowPrivate) return allowed;
  const refuse = (rule: AddressRule, why: string): AddressDecision => ({
    allowed: false,
    address,
    addressClass,
    rule,
    reason: `${address} is ${why}: ${RULE_TEXT[rule]} unless the check sets allowPrivate: true`,
  });
  if (addressClass === 'link-local') return refuse('link-local', 'a link-local address');
  if (addressClass === 'unspecified') return refuse('unspecified', 'an unspecified address');
  const previousClass = question.previousClass ?? 'public';
  if (hop === 'redirect' && previousClass === 'public' && (addressClass === 'private' || addressClass === 'loopback')) {
    return refuse('public-to-private', `a ${addressClass} address reached by a redirect from a public one`);
  }
  return allowed;
}

/**
 * The class of one address. IPv4 inside IPv6 (mapped ::ffff:0:0/96 in either spelling, the old
 * compatible ::/96, NAT64's 64:ff9b::/96) is judged as its IPv4 address. Anything that is not an
 * address cannot be judged and counts as unspecified (refused).
 */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  if (isIPv4(bare)) return classifyIPv4(bare.split('.').map(Number));
  if (!isIPv6(bare)) return 'unspecified';
  const groups = parseIPv6(bare);
  if (groups === null) return 'unspecified';
  return classifyIPv6(groups);
}

function classifyIPv4([a = 0, b = 0]: number[]): AddressClass {
  if (a === 0) return 'unspecified';
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'private';
  return 'public';
}

function classifyIPv6(groups: number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const embedded = (): number[] => [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstFiveZero && g5 === 0) {
    if (g6 === 0 && g7 === 0) return 'unspecified';
    if (g6 === 0 && g7 === 1) return 'loopback';
    return classifyIPv4(embedded()); // IPv4-compatible (deprecated)
  }
  if (firstFiveZero && g5 === 0xffff) return classifyIPv4(embedded()); // IPv4-mapped
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyIPv4(embedded()); // NAT64
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xfe00) === 0xfc00 || (g0 & 0xffc0) === 0xfec0) return 'private'; // unique local, old site-local
  return 'public';
}

/** Eight 16-bit groups of an IPv6 address that `isIPv6` accepted; null if it cannot be read. */
function parseIPv6(address: string): number[] | null {
  let text = address.split('%')[0]!.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const part = (half: string | undefined): number[] => (half ? half.split(':').map((group) => parseInt(group, 16)) : []);
  const head = part(halves[0]);
  const tail = part(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : null;
}
