// The outbound address policy as a table of addresses: nothing is sent to any of them.
import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAddress, judgeAddress, type AddressClass, type AddressQuestion, type AddressRule } from '../../probes/address-policy.js';

describe('classifyAddress', () => {
  const table: Array<[string, AddressClass]> = [
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['0:0:0:0:0:0:0:0', 'unspecified'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:FFFF:7F00:0001', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['169.254.255.255', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'link-local'],
    ['::169.254.169.254', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:c0a8:10a', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fec0::1', 'private'],
    ['8.8.8.8', 'public'],
    ['11.0.0.1', 'public'],
    ['172.15.255.255', 'public'],
    ['172.32.0.1', 'public'],
    ['100.63.255.255', 'public'],
    ['100.128.0.1', 'public'],
    ['169.253.255.255', 'public'],
    ['169.255.0.1', 'public'],
    ['192.169.0.1', 'public'],
    ['126.255.255.255', 'public'],
    ['128.0.0.1', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['::2:ffff:7f00:1', 'public'],
    ['2001:db8::1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['fe00::1', 'public'],
    ['fbff::1', 'public'],
    ['ff02::1', 'public'],
    ['localhost', 'unspecified'],
    ['', 'unspecified'],
    ['1.2.3', 'unspecified'],
  ];

  it.each(table)('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  // The same ranges as Node's BlockList sees them: a second, independent reading of the table.
  const ranges = new Map<AddressClass, BlockList>();
  const add = (addressClass: AddressClass, subnets: Array<[string, number]>) => {
    const list = new BlockList();
    for (const [network, prefix] of subnets) list.addSubnet(network, prefix, 'ipv4');
    ranges.set(addressClass, list);
  };
  add('unspecified', [['0.0.0.0', 8]]);
  add('loopback', [['127.0.0.0', 8]]);
  add('link-local', [['169.254.0.0', 16]]);
  add('private', [
    ['10.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['100.64.0.0', 10],
  ]);
  const expectedClass = (address: string): AddressClass => [...ranges].find(([, list]) => list.check(address, 'ipv4'))?.[0] ?? 'public';
  const octets = fc.tuple(fc.constantFrom(0, 10, 100, 127, 169, 172, 192, 8, 255), fc.nat(255), fc.nat(255), fc.nat(255));

  it('every IPv4 address is classed as BlockList places it, and its IPv4-mapped IPv6 forms alike', () => {
    fc.assert(
      fc.property(octets, ([a, b, c, d]) => {
        const dotted = `${a}.${b}.${c}.${d}`;
        const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        const expected = expectedClass(dotted);
        expect(classifyAddress(dotted)).toBe(expected);
        expect(classifyAddress(`::ffff:${dotted}`)).toBe(expected);
        expect(classifyAddress(`::ffff:${hex}`)).toBe(expected);
        expect(classifyAddress(`0:0:0:0:0:ffff:${hex}`)).toBe(expected);
      }),
      { seed: 15, numRuns: 500 },
    );
  });
});

describe('judgeAddress', () => {
  type Row = [string, Omit<AddressQuestion, 'allowPrivate'> & { allowPrivate?: boolean }, AddressRule | 'allowed'];
  const table: Row[] = [
    // The check's own URL may point at the office's intranet and local services…
    ["the check's own URL on loopback", { address: '127.0.0.1', hop: 'target' }, 'allowed'],
    ["the check's own URL on the intranet", { address: '192.168.10.5', hop: 'target' }, 'allowed'],
    ["the check's own URL on a ULA", { address: 'fd00::5', hop: 'target' }, 'allowed'],
    ["the check's own URL on the internet", { address: '203.0.113.7', hop: 'target' }, 'allowed'],
    // …but not at the cloud metadata service or another link-local or unspecified address.
    ["the check's own URL at the metadata address", { address: '169.254.169.254', hop: 'target' }, 'link-local'],
    ["the check's own URL at the metadata address, IPv4-mapped", { address: '::ffff:a9fe:a9fe', hop: 'target' }, 'link-local'],
    ["the check's own URL at IPv6 link-local", { address: 'fe80::1%eth0', hop: 'target' }, 'link-local'],
    ["the check's own URL at 0.0.0.0", { address: '0.0.0.0', hop: 'target' }, 'unspecified'],
    ["the check's own URL at ::", { address: '::', hop: 'target' }, 'unspecified'],
    ["the check's own URL at the metadata address with allowPrivate", { address: '169.254.169.254', hop: 'target', allowPrivate: true }, 'allowed'],
    ["the check's own URL at 0.0.0.0 with allowPrivate", { address: '0.0.0.0', hop: 'target', allowPrivate: true }, 'allowed'],
    // Redirects from a public address may not lead inside.
    ['a redirect from public to loopback', { address: '127.0.0.1', hop: 'redirect', previousClass: 'public' }, 'public-to-private'],
    ['a redirect from public to IPv4-mapped loopback', { address: '::ffff:7f00:1', hop: 'redirect', previousClass: 'public' }, 'public-to-private'],
    ['a redirect from public to ::1', { address: '::1', hop: 'redirect', previousClass: 'public' }, 'public-to-private'],
    ['a redirect from public to 10/8', { address: '10.0.0.1', hop: 'redirect', previousClass: 'public' }, 'public-to-private'],
    ['a redirect from public to 172.16/12', { address: '172.20.1.1', hop: 'redirect', previousClass: 'public' }, 'public-to-private'],
    ['a redirect from public to CGNAT', { address: '100.64.0.1', hop: 'redirect', previousClass: 'public' }, 'public-to-private'],
    ['a redirect from public to a ULA', { address: 'fd00::1', hop: 'redirect', previousClass: 'public' }, 'public-to-private'],
    ['a redirect from an unknown previous address to private', { address: '192.168.1.1', hop: 'redirect' }, 'public-to-private'],
    ['a redirect from public to public', { address: '8.8.4.4', hop: 'redirect', previousClass: 'public' }, 'allowed'],
    ['a redirect from public to loopback with allowPrivate', { address: '127.0.0.1', hop: 'redirect', previousClass: 'public', allowPrivate: true }, 'allowed'],
    // Inside the intranet, redirects move freely — except to link-local and unspecified.
    ['a redirect from private to private', { address: '10.0.0.2', hop: 'redirect', previousClass: 'private' }, 'allowed'],
    ['a redirect from loopback to loopback', { address: '127.0.0.1', hop: 'redirect', previousClass: 'loopback' }, 'allowed'],
    ['a redirect from private to public', { address: '8.8.8.8', hop: 'redirect', previousClass: 'private' }, 'allowed'],
    ['a redirect from private to the metadata address', { address: '169.254.169.254', hop: 'redirect', previousClass: 'private' }, 'link-local'],
    ['a redirect from public to the metadata address, IPv4-mapped', { address: '::ffff:169.254.169.254', hop: 'redirect', previousClass: 'public' }, 'link-local'],
    ['a redirect from loopback to 0.0.0.0', { address: '0.0.0.0', hop: 'redirect', previousClass: 'loopback' }, 'unspecified'],
    ['a redirect from public to the metadata address with allowPrivate', { address: '169.254.169.254', hop: 'redirect', previousClass: 'public', allowPrivate: true }, 'allowed'],
  ];

  it.each(table)('%s: %j → %s', (_name, question, expected) => {
    const decision = judgeAddress({ allowPrivate: false, ...question });
    expect(decision.allowed ? 'allowed' : decision.rule).toBe(expected);
  });

  it('a refusal names the address, its class and the way to lift it', () => {
    const decision = judgeAddress({ address: '::ffff:a9fe:a9fe', hop: 'redirect', previousClass: 'public', allowPrivate: false });
    expect(decision).toEqual({
      allowed: false,
      address: '::ffff:a9fe:a9fe',
      addressClass: 'link-local',
      rule: 'link-local',
      reason:
        '::ffff:a9fe:a9fe is a link-local address: link-local addresses (169.254.0.0/16 with the cloud metadata address, fe80::/10) are refused unless the check sets allowPrivate: true',
    });
    const inward = judgeAddress({ address: '10.1.2.3', hop: 'redirect', previousClass: 'public', allowPrivate: false });
    expect(inward.allowed === false && inward.reason).toBe(
      '10.1.2.3 is a private address reached by a redirect from a public one: a redirect may not lead from a public address to a private or loopback one unless the check sets allowPrivate: true',
    );
  });

  it('judges by the classifier it is given', () => {
    const standIn = (address: string): AddressClass => (address === '127.0.0.2' ? 'public' : classifyAddress(address));
    expect(judgeAddress({ address: '127.0.0.2', hop: 'redirect', previousClass: 'public', allowPrivate: false }, standIn)).toMatchObject({ allowed: true, addressClass: 'public' });
    expect(judgeAddress({ address: '127.0.0.1', hop: 'redirect', previousClass: 'public', allowPrivate: false }, standIn)).toMatchObject({
      allowed: false,
      rule: 'public-to-private',
    });
  });
});
