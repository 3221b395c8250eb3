// The outbound address policy enforced by the connecting probes, against real servers on
// loopback addresses. No test leaves the machine: a public site is played by a server on
// 127.0.0.2 that the injected classifier declares public, the cloud metadata service by one on
// 127.0.0.3 declared link-local; 127.0.0.1 keeps its real class (loopback). Host names come
// from an injected resolver.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyAddress, type AddressClass } from '../../probes/address-policy.js';
import { probeHttp } from '../../probes/http.js';
import type { HttpTarget, LookupFunction, ProbeDeps } from '../../probes/probe-types.js';
import { probeTcp } from '../../probes/tcp.js';
import { probeTls } from '../../probes/tls.js';
import { startHttpServer, stopAllServers } from '../helpers/local-servers.js';

const PUBLIC_STAND_IN = '127.0.0.2';
const METADATA_STAND_IN = '127.0.0.3';
const STAND_INS: Record<string, AddressClass> = { [PUBLIC_STAND_IN]: 'public', [METADATA_STAND_IN]: 'link-local' };
const classifyStandIns = (address: string): AddressClass => STAND_INS[address] ?? classifyAddress(address);
const SKM_PAGE = '<html><body><h1>Survei Kepuasan Masyarakat</h1></body></html>';

/** An injected resolver: each name answers its addresses in turn (the last one from then on); `asked` counts lookups. */
function resolver(zone: Record<string, string[]>) {
  const asked: Record<string, number> = {};
  const lookup: LookupFunction = (hostname, options, callback) => {
    const answers = zone[hostname];
    if (!answers) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }), '');
    const turn = asked[hostname] ?? 0;
    asked[hostname] = turn + 1;
    const address = answers[Math.min(turn, answers.length - 1)]!;
    const family = net.isIP(address);
    return options.all ? callback(null, [{ address, family }]) : callback(null, address, family);
  };
  return { lookup, asked };
}

interface RecordingServer {
  port: number;
  origin: string;
  /** Connections accepted, requests received (with their headers). */
  connections: number;
  requests: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
}

const extraServers: http.Server[] = [];
afterEach(async () => {
  await stopAllServers();
  await Promise.all(
    extraServers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
});

/** An HTTP server on `address` (port 0 unless given) that records what reaches it; `handler` answers. */
async function recordingServer(address: string, handler: http.RequestListener, port = 0): Promise<RecordingServer> {
  const record: RecordingServer = { port: 0, origin: '', connections: 0, requests: [] };
  const server = http.createServer((request, response) => {
    record.requests.push({ url: request.url ?? '', headers: request.headers });
    handler(request, response);
  });
  server.on('connection', () => {
    record.connections += 1;
  });
  extraServers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  record.port = (server.address() as net.AddressInfo).port;
  record.origin = `http://${address}:${record.port}`;
  return record;
}

const redirectTo =
  (location: string): http.RequestListener =>
  (_request, response) =>
    response.writeHead(302, { location }).end();
const page =
  (status = 200, body = SKM_PAGE): http.RequestListener =>
  (_request, response) =>
    response.writeHead(status, { 'content-type': 'text/html', 'x-internal': 'yes' }).end(body);

function httpTarget(url: string, options: Partial<HttpTarget> = {}): HttpTarget {
  return {
    type: 'http',
    checkKey: 'skm-form',
    url,
    method: 'GET',
    headers: {},
    timeoutMs: 3000,
    followRedirects: true,
    maxRedirects: 5,
    minDaysValid: null,
    expect: { status: [200], contains: [], notContains: [], form: [], maxLatencyMs: null },
    ...options,
  };
}

function depsWith(zone: Record<string, string[]>): ProbeDeps & { asked: Record<string, number> } {
  const { lookup, asked } = resolver(zone);
  return { now: () => new Date(), lookup, classifyAddress: classifyStandIns, asked };
}

describe('http probe: redirects into the office network', () => {
  it.each([
    {
      name: 'a host name resolving to 127.0.0.1',
      location: (port: number) => `http://internal.dpmptsp.test:${port}/latest/meta-data/`,
      url: (port: number) => `http://internal.dpmptsp.test:${port}/latest/meta-data/`,
    },
    {
      name: 'the literal 127.0.0.1',
      location: (port: number) => `http://127.0.0.1:${port}/latest/meta-data/`,
      url: (port: number) => `http://127.0.0.1:${port}/latest/meta-data/`,
    },
    {
      name: 'IPv4-mapped [::ffff:127.0.0.1]',
      location: (port: number) => `http://[::ffff:127.0.0.1]:${port}/latest/meta-data/`,
      url: (port: number) => `http://[::ffff:7f00:1]:${port}/latest/meta-data/`,
    },
  ])('a public site redirecting to $name is down with blocked, and nothing reaches the internal server', async ({ location, url }) => {
    const internal = await recordingServer('127.0.0.1', page(200, 'ami-id\ninstance-id\niam/'));
    const site = await recordingServer(PUBLIC_STAND_IN, redirectTo(location(internal.port)));
    const deps = depsWith({ 'skm.dpmptsp.test': [PUBLIC_STAND_IN], 'internal.dpmptsp.test': ['127.0.0.1'] });
    const result = await probeHttp(httpTarget(`http://skm.dpmptsp.test:${site.port}/`), deps);

    const hop = url(internal.port);
    const address = hop.includes('::ffff') ? '::ffff:7f00:1' : '127.0.0.1';
    expect(result).toMatchObject({
      status: 'down',
      failureKind: 'blocked',
      evidence: {
        url: hop,
        resolvedAddress: address,
        errorCode: 'ERR_ADDRESS_BLOCKED',
        reason: `redirect to ${hop} refused: ${address} is a loopback address reached by a redirect from a public one: a redirect may not lead from a public address to a private or loopback one unless the check sets allowPrivate: true (previous hop: ${PUBLIC_STAND_IN})`,
        redirects: [{ url: `http://skm.dpmptsp.test:${site.port}/`, statusCode: 302 }],
      },
    });
    expect(result.evidence.bodyExcerpt).toBeUndefined();
    expect(site.requests).toHaveLength(1);
    expect(internal.connections).toBe(0);
  });

  it('with allowPrivate: true the same redirect is followed and judged', async () => {
    const internal = await recordingServer('127.0.0.1', page());
    const site = await recordingServer(PUBLIC_STAND_IN, redirectTo(`http://internal.dpmptsp.test:${internal.port}/`));
    const deps = depsWith({ 'skm.dpmptsp.test': [PUBLIC_STAND_IN], 'internal.dpmptsp.test': ['127.0.0.1'] });
    const result = await probeHttp(httpTarget(`http://skm.dpmptsp.test:${site.port}/`, { allowPrivate: true }), deps);

    expect(result).toMatchObject({ status: 'up', failureKind: null, evidence: { url: `http://internal.dpmptsp.test:${internal.port}/` } });
    expect(internal.requests).toHaveLength(1);
  });

  it('DNS rebinding: a name that resolved public resolves to loopback on the redirect hop, and that hop is refused', async () => {
    // One host name and port: first the public site on 127.0.0.2, then the loopback server.
    const loopback = await recordingServer('127.0.0.1', page());
    const site = await recordingServer(PUBLIC_STAND_IN, redirectTo('/admin'), loopback.port);
    const deps = depsWith({ 'rebind.dpmptsp.test': [PUBLIC_STAND_IN, '127.0.0.1'] });
    const url = `http://rebind.dpmptsp.test:${loopback.port}/`;
    const result = await probeHttp(httpTarget(url), deps);

    expect(result).toMatchObject({
      status: 'down',
      failureKind: 'blocked',
      evidence: { url: `${url}admin`, resolvedAddress: '127.0.0.1', redirects: [{ url, statusCode: 302 }] },
    });
    expect(deps.asked['rebind.dpmptsp.test']).toBe(2);
    expect(site.requests.map((request) => request.url)).toEqual(['/']);
    expect(loopback.connections).toBe(0);
  });

  it('a name answering a public and a loopback address on a redirect hop is refused as a whole', async () => {
    const loopback = await recordingServer('127.0.0.1', page());
    const site = await recordingServer(PUBLIC_STAND_IN, redirectTo(`http://both.dpmptsp.test:${loopback.port}/`));
    const { lookup } = resolver({ 'skm.dpmptsp.test': [PUBLIC_STAND_IN] });
    const both: LookupFunction = (hostname, options, callback) => {
      if (hostname !== 'both.dpmptsp.test') return lookup(hostname, options, callback);
      return options.all
        ? callback(null, [
            { address: PUBLIC_STAND_IN, family: 4 },
            { address: '127.0.0.1', family: 4 },
          ])
        : callback(null, '127.0.0.1', 4);
    };
    const result = await probeHttp(httpTarget(`http://skm.dpmptsp.test:${site.port}/`), { now: () => new Date(), lookup: both, classifyAddress: classifyStandIns });

    expect(result).toMatchObject({ status: 'down', failureKind: 'blocked', evidence: { resolvedAddress: '127.0.0.1' } });
    expect(loopback.connections).toBe(0);
  });
});

describe('http probe: the cloud metadata address', () => {
  it.each([
    { name: 'by a host name', location: (port: number) => `http://metadata.dpmptsp.test:${port}/latest/meta-data/iam/` },
    { name: 'as an address literal', location: (port: number) => `http://${METADATA_STAND_IN}:${port}/latest/meta-data/iam/` },
  ])('a redirect to a link-local address ($name) is refused with zero requests reaching it', async ({ location }) => {
    const metadata = await recordingServer(METADATA_STAND_IN, page(200, 'AccessKeyId'));
    // From the intranet (127.0.0.1 is loopback, not public): link-local is refused from anywhere.
    const intranet = await startHttpServer(redirectTo(location(metadata.port)));
    const deps = depsWith({ 'metadata.dpmptsp.test': [METADATA_STAND_IN] });
    const result = await probeHttp(httpTarget(`${intranet.origin}/`), deps);

    expect(result).toMatchObject({ status: 'down', failureKind: 'blocked', evidence: { url: location(metadata.port), resolvedAddress: METADATA_STAND_IN } });
    expect(result.evidence.reason).toBe(
      `redirect to ${location(metadata.port)} refused: ${METADATA_STAND_IN} is a link-local address: link-local addresses (169.254.0.0/16 with the cloud metadata address, fe80::/10) are refused unless the check sets allowPrivate: true`,
    );
    expect(metadata.connections).toBe(0);
    expect(metadata.requests).toHaveLength(0);
  });

  it('a check whose own URL is link-local is blocked without a request, and probed with allowPrivate: true', async () => {
    const metadata = await recordingServer(METADATA_STAND_IN, page());
    const url = `http://metadata.dpmptsp.test:${metadata.port}/`;
    const refused = await probeHttp(httpTarget(url), depsWith({ 'metadata.dpmptsp.test': [METADATA_STAND_IN] }));

    expect(refused).toMatchObject({
      status: 'down',
      failureKind: 'blocked',
      evidence: { url, reason: expect.stringMatching(/^http:\/\/metadata\.dpmptsp\.test:\d+\/ refused: 127\.0\.0\.3 is a link-local address/) },
    });
    expect(metadata.connections).toBe(0);

    const allowed = await probeHttp(httpTarget(url, { allowPrivate: true }), depsWith({ 'metadata.dpmptsp.test': [METADATA_STAND_IN] }));
    expect(allowed).toMatchObject({ status: 'up', failureKind: null });
    expect(metadata.requests).toHaveLength(1);
  });
});

describe("http probe: the office's intranet", () => {
  it('a check whose own URL is on 127.0.0.1 is probed as before, redirects inside the intranet followed (real address classes)', async () => {
    const portal = await startHttpServer(page());
    const intranet = await startHttpServer(redirectTo(`${portal.origin}/portal`));
    const result = await probeHttp(httpTarget(`${intranet.origin}/`), { now: () => new Date() });

    expect(result).toMatchObject({ status: 'up', failureKind: null, evidence: { url: `${portal.origin}/portal`, resolvedAddress: '127.0.0.1' } });
  });
});

describe('http probe: custom headers and evidence across origins', () => {
  it("the check's headers go to its own origin only, and another origin's answer keeps status and timings, not body or headers", async () => {
    const other = await recordingServer('127.0.0.1', page(500, 'Internal error: db password is hunter2'));
    const site = await recordingServer('127.0.0.1', (request, response) => redirectTo(request.url === '/' ? '/next' : `${other.origin}/elsewhere`)(request, response));
    const headers = { 'X-Api-Key': 'rahasia-kunci', Authorization: 'Bearer rahasia' };
    const result = await probeHttp(httpTarget(`${site.origin}/`, { headers }), { now: () => new Date() });

    expect(site.requests.map((r) => [r.url, r.headers['x-api-key'], r.headers.authorization])).toEqual([
      ['/', 'rahasia-kunci', 'Bearer rahasia'],
      ['/next', 'rahasia-kunci', 'Bearer rahasia'],
    ]);
    expect(other.requests.map((r) => [r.url, r.headers['x-api-key'], r.headers.authorization])).toEqual([['/elsewhere', undefined, undefined]]);
    expect(result).toMatchObject({ status: 'down', failureKind: 'http_5xx', evidence: { url: `${other.origin}/elsewhere`, statusCode: 500 } });
    expect(result.evidence.bodyExcerpt).toBeUndefined();
    expect(result.evidence.headers).toBeUndefined();
    expect(Object.keys(result.timings)).toEqual(expect.arrayContaining(['processing', 'transfer']));
  });

  it("a failing answer from the check's own origin keeps its body and headers as before", async () => {
    const site = await recordingServer('127.0.0.1', page(500, 'Internal error'));
    const result = await probeHttp(httpTarget(`${site.origin}/`), { now: () => new Date() });

    expect(result).toMatchObject({ status: 'down', failureKind: 'http_5xx', evidence: { bodyExcerpt: 'Internal error', headers: { 'x-internal': 'yes' } } });
  });
});

describe("tcp and tls probes: the check's own address", () => {
  it.each([
    { name: 'a host name resolving to it', host: 'metadata.dpmptsp.test' },
    { name: 'the address itself', host: METADATA_STAND_IN },
  ])('a tcp check on a link-local address ($name) is blocked without a connection, and connects with allowPrivate: true', async ({ host }) => {
    const metadata = await recordingServer(METADATA_STAND_IN, page());
    const deps = depsWith({ 'metadata.dpmptsp.test': [METADATA_STAND_IN] });
    const target = { type: 'tcp' as const, checkKey: 'metadata', host, port: metadata.port, timeoutMs: 2000 };
    const refused = await probeTcp(target, deps);

    expect(refused).toMatchObject({
      status: 'down',
      failureKind: 'blocked',
      evidence: {
        resolvedAddress: METADATA_STAND_IN,
        errorCode: 'ERR_ADDRESS_BLOCKED',
        reason: expect.stringContaining(`tcp://${host}:${metadata.port} refused: ${METADATA_STAND_IN} is a link-local address`),
      },
    });
    expect(metadata.connections).toBe(0);

    expect(await probeTcp({ ...target, allowPrivate: true }, deps)).toMatchObject({ status: 'up' });
    expect(metadata.connections).toBe(1);
  });

  it('a tcp check on 127.0.0.1 connects as before (real address classes)', async () => {
    const local = await recordingServer('127.0.0.1', page());
    expect(await probeTcp({ type: 'tcp', checkKey: 'local', host: '127.0.0.1', port: local.port, timeoutMs: 2000 }, { now: () => new Date() })).toMatchObject({ status: 'up' });
  });

  it('a tls check on a link-local address is blocked before any handshake', async () => {
    const metadata = await recordingServer(METADATA_STAND_IN, page());
    const deps = depsWith({ 'metadata.dpmptsp.test': [METADATA_STAND_IN] });
    const result = await probeTls(
      { type: 'tls', checkKey: 'metadata-cert', host: 'metadata.dpmptsp.test', port: metadata.port, serverName: 'metadata.dpmptsp.test', timeoutMs: 2000, minDaysValid: 14 },
      deps,
    );

    expect(result).toMatchObject({
      status: 'down',
      failureKind: 'blocked',
      evidence: { resolvedAddress: METADATA_STAND_IN, reason: expect.stringContaining('tls://metadata.dpmptsp.test') },
    });
    expect(metadata.connections).toBe(0);
  });
});
