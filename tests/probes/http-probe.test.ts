import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findFormWithFields } from '../../probes/html-form.js';
import { probeHttp } from '../../probes/http.js';
import { runProbe } from '../../probes/probe-registry.js';
import type { FailureKind, HttpExpectations, HttpTarget, LookupFunction, ProbeDeps, ProbeStatus } from '../../probes/probe-types.js';
import { createCertificateAuthority, daysFromNow, type CertificateAuthority, type KeyAndCertificate } from '../helpers/certificates.js';
import {
  createSelfSignedCertificate,
  findRefusingPort,
  startHttpServer,
  startHttpsServer,
  startTcpServer,
  stopAllServers,
  type RequestHandler,
  type SelfSignedCertificate,
} from '../helpers/local-servers.js';

const FAKE_HOST = 'skm.dpmptsp.test';
const SKM_PAGE = `<!doctype html><html><body><h1>Survei Kepuasan Masyarakat</h1>
<form method="post" action="/kirim"><input name="nama"><select name="nilai"><option>5</option></select>
<button type="submit">Kirim</button></form></body></html>`;
const FORM_LOST_PAGE = `<!doctype html><html><body><h1>Survei Kepuasan Masyarakat</h1>
<form method="post"><input name="nama"></form><p>nilai</p></body></html>`;
const MAINTENANCE_PAGE = '<html><body><h1>Survei Kepuasan Masyarakat</h1><p>Site under maintenance</p></body></html>';

const fixedNow = (): Date => new Date('2026-03-02T03:04:05.000Z');
const deps: ProbeDeps = { now: fixedNow };

interface TargetOptions extends Partial<Omit<HttpTarget, 'expect'>> {
  expect?: Partial<HttpExpectations>;
}

function httpTarget(url: string, options: TargetOptions = {}): HttpTarget {
  return {
    type: 'http',
    checkKey: 'skm-form',
    url,
    method: 'GET',
    headers: {},
    timeoutMs: 3000,
    followRedirects: false,
    maxRedirects: 0,
    minDaysValid: null,
    ...options,
    expect: { status: [200], contains: [], notContains: [], form: [], maxLatencyMs: null, ...options.expect },
  };
}

function answer(statusCode: number, body: string, delayMs = 0): RequestHandler {
  return (_request, response) => {
    setTimeout(() => response.writeHead(statusCode, { 'content-type': 'text/html; charset=utf-8' }).end(body), delayMs);
  };
}

function resolveTo(address: string): LookupFunction {
  return (_hostname, options, callback) => (options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4));
}

const notFoundLookup: LookupFunction = (hostname, _options, callback) => {
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo' });
  setImmediate(() => callback(error, ''));
};

afterEach(stopAllServers);

describe('probeHttp', () => {
  let certificate: SelfSignedCertificate;
  beforeAll(async () => {
    certificate = await createSelfSignedCertificate([FAKE_HOST]);
  });

  interface Case {
    name: string;
    /** Starts whatever the probe talks to and returns the URL to probe. */
    serve: () => Promise<string>;
    target?: TargetOptions;
    /** Called when the case runs, after the certificate exists. */
    deps?: () => Partial<ProbeDeps>;
    status: ProbeStatus;
    failureKind: FailureKind | null;
    errorCode?: string;
    reason?: string;
  }

  const serveHttp = (handler: RequestHandler) => async () => `${(await startHttpServer(handler)).origin}/`;

  const cases: Case[] = [
    {
      name: 'a server that answers 200 with the expected content is up',
      serve: serveHttp(answer(200, SKM_PAGE)),
      target: { expect: { contains: ['Survei Kepuasan'], notContains: ['maintenance'] } },
      status: 'up',
      failureKind: null,
    },
    {
      name: 'a server that answers 500 is down with http_5xx',
      serve: serveHttp(answer(500, 'Fatal error')),
      status: 'down',
      failureKind: 'http_5xx',
      reason: 'status 500 not in [200]',
    },
    {
      name: 'a server that answers 404 is down with http_4xx',
      serve: serveHttp(answer(404, 'Not Found')),
      status: 'down',
      failureKind: 'http_4xx',
      reason: 'status 404 not in [200]',
    },
    {
      name: 'a redirect is not followed and counts as an unexpected status',
      serve: serveHttp((_q, s) => s.writeHead(302, { location: '/login' }).end()),
      status: 'down',
      failureKind: 'http_4xx',
      reason: 'status 302 not in [200]',
    },
    {
      name: 'a page without an expected text is down with content',
      serve: serveHttp(answer(200, '<html><body>Selamat datang</body></html>')),
      target: { expect: { contains: ['Survei Kepuasan'] } },
      status: 'down',
      failureKind: 'content',
      reason: 'body does not contain "Survei Kepuasan"',
    },
    {
      name: 'a maintenance page is down with content',
      serve: serveHttp(answer(200, MAINTENANCE_PAGE)),
      target: { expect: { contains: ['Survei Kepuasan'], notContains: ['Fatal error', 'maintenance'] } },
      status: 'down',
      failureKind: 'content',
      reason: 'body contains "maintenance"',
    },
    { name: 'a page with the survey form is up', serve: serveHttp(answer(200, SKM_PAGE)), target: { expect: { form: ['nama', 'nilai'] } }, status: 'up', failureKind: null },
    {
      name: 'a page whose form lost a field is down with content',
      serve: serveHttp(answer(200, FORM_LOST_PAGE)),
      target: { expect: { form: ['nama', 'nilai'] } },
      status: 'down',
      failureKind: 'content',
      reason: 'form with fields nama, nilai not found',
    },
    {
      name: 'an answer slower than maxLatency but within the timeout is degraded with slow',
      serve: serveHttp(answer(200, SKM_PAGE, 300)),
      target: { timeoutMs: 3000, expect: { maxLatencyMs: 100 } },
      status: 'degraded',
      failureKind: 'slow',
    },
    {
      name: 'a refused port is down with connect',
      serve: async () => `http://127.0.0.1:${await findRefusingPort()}/`,
      status: 'down',
      failureKind: 'connect',
      errorCode: 'ECONNREFUSED',
    },
    {
      name: 'a server that accepts and at once closes the connection is down with connect',
      serve: async () => `${(await startTcpServer((socket) => socket.destroy())).origin}/`,
      status: 'down',
      failureKind: 'connect',
    },
    {
      name: 'a server that resets the connection is down with connect',
      serve: async () => `${(await startTcpServer((socket) => socket.resetAndDestroy())).origin}/`,
      status: 'down',
      failureKind: 'connect',
    },
    {
      name: 'a fake host name resolved by the injected lookup is up',
      serve: async () => `http://${FAKE_HOST}:${(await startHttpServer(answer(200, SKM_PAGE))).port}/`,
      deps: () => ({ lookup: resolveTo('127.0.0.1') }),
      status: 'up',
      failureKind: null,
    },
    {
      name: 'a host name that does not resolve is down with dns',
      serve: async () => `http://${FAKE_HOST}/`,
      deps: () => ({ lookup: notFoundLookup }),
      status: 'down',
      failureKind: 'dns',
      errorCode: 'ENOTFOUND',
    },
    {
      name: 'a resolver that never answers is down with dns',
      serve: async () => `http://${FAKE_HOST}/`,
      target: { timeoutMs: 300 },
      deps: () => ({ lookup: () => undefined }),
      status: 'down',
      failureKind: 'dns',
    },
    {
      name: 'a self-signed certificate is down with tls',
      serve: async () => `${(await startHttpsServer(answer(200, SKM_PAGE), certificate)).origin}/`,
      status: 'down',
      failureKind: 'tls',
      errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    },
    {
      name: 'a certificate for another host name is down with tls',
      serve: async () => `https://wrong.dpmptsp.test:${(await startHttpsServer(answer(200, SKM_PAGE), certificate)).port}/`,
      deps: () => ({ lookup: resolveTo('127.0.0.1'), ca: certificate.cert }),
      status: 'down',
      failureKind: 'tls',
      errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID',
    },
    {
      name: 'a TLS probe of a plain HTTP server is down with tls',
      serve: async () => `https://127.0.0.1:${(await startHttpServer(answer(200, SKM_PAGE))).port}/`,
      status: 'down',
      failureKind: 'tls',
    },
  ];

  it.each(cases)('$name', async (testCase) => {
    const url = await testCase.serve();
    const result = await probeHttp(httpTarget(url, testCase.target), { ...deps, ...testCase.deps?.() });

    expect({ status: result.status, failureKind: result.failureKind }).toEqual({ status: testCase.status, failureKind: testCase.failureKind });
    if (testCase.errorCode) expect(result.evidence.errorCode).toBe(testCase.errorCode);
    if (testCase.reason) expect(result.evidence.reason).toBe(testCase.reason);
    if (result.status !== 'up') expect(result.evidence.errorCode ?? result.evidence.reason).toBeTruthy();
    expect(result.checkKey).toBe('skm-form');
    expect(result.startedAt).toEqual(fixedNow());
  });

  it('a server that accepts and never answers is down with timeout, and the probe returns soon after its timeout', async () => {
    const silent = await startTcpServer(() => undefined);
    const begun = Date.now();
    const result = await probeHttp(httpTarget(`${silent.origin}/`, { timeoutMs: 400 }), deps);

    expect(Date.now() - begun).toBeLessThan(400 + 2000);
    expect(result).toMatchObject({ status: 'down', failureKind: 'timeout' });
    expect(result.evidence.errorMessage).toBe('no complete response within 400 ms');
    expect(result.timings.connect).toBeTypeOf('number');
  });

  it('a trusted certificate on a fake host name is up with its expiry and a tls timing', async () => {
    const server = await startHttpsServer(answer(200, SKM_PAGE), certificate);
    const result = await probeHttp(httpTarget(`https://${FAKE_HOST}:${server.port}/`, { expect: { contains: ['Survei Kepuasan'] } }), {
      ...deps,
      lookup: resolveTo('127.0.0.1'),
      ca: certificate.cert,
    });

    expect(result).toMatchObject({ status: 'up', failureKind: null });
    expect(Date.parse(result.evidence.tlsExpiresAt ?? '')).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(result.evidence.tlsDaysLeft).toBeTypeOf('number');
    expect(Object.keys(result.timings).sort()).toEqual(['connect', 'processing', 'resolve', 'tls', 'transfer']);
    expect(result.evidence.resolvedAddress).toBe('127.0.0.1');
  });

  it('an up result keeps only the url, status code, resolved address and timings without tls', async () => {
    const server = await startHttpServer(answer(200, SKM_PAGE));
    const result = await probeHttp(httpTarget(`${server.origin}/`), deps);

    expect(result.evidence).toEqual({ url: `${server.origin}/`, statusCode: 200, resolvedAddress: '127.0.0.1' });
    expect(Object.keys(result.timings).sort()).toEqual(['connect', 'processing', 'resolve', 'transfer']);
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('a failing 500 keeps its status code, headers and at most 4096 bytes of its body', async () => {
    const server = await startHttpServer((_request, response) => {
      response.setHeader('x-powered-by', ['PHP/7.4', 'Apache']);
      response.writeHead(500, { 'Content-Type': 'text/html' }).end('é'.repeat(5 * 1024)); // 10 KB, 2 bytes a character
    });
    const result = await probeHttp(httpTarget(`${server.origin}/`), deps);

    expect(result).toMatchObject({ status: 'down', failureKind: 'http_5xx', evidence: { statusCode: 500 } });
    expect(result.evidence.headers).toMatchObject({ 'content-type': 'text/html', 'x-powered-by': 'PHP/7.4, Apache' });
    expect(Buffer.byteLength(result.evidence.bodyExcerpt ?? '')).toBe(4096);
    expect(result.evidence.bodyExcerpt).not.toContain('\uFFFD');
  });

  it('an endless body is read only up to 1 MiB', async () => {
    const server = await startHttpServer((_request, response) => {
      response.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = (): void => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', pump);
      };
      pump();
    });
    const result = await probeHttp(httpTarget(`${server.origin}/`, { timeoutMs: 5000, expect: { contains: ['Survei'] } }), deps);

    expect(result).toMatchObject({ status: 'down', failureKind: 'content' });
    expect(result.evidence.bodyExcerpt).toHaveLength(4096);
  });

  it('an invalid URL is a down result, not an exception', async () => {
    const result = await probeHttp(httpTarget('not a url'), deps);

    expect(result).toMatchObject({ status: 'down', failureKind: 'connect' });
    expect(result.evidence.errorMessage).toBeTruthy();
  });

  it('runProbe dispatches an http target to the http probe', async () => {
    const server = await startHttpServer(answer(200, SKM_PAGE));
    const result = await runProbe(httpTarget(`${server.origin}/`), deps);

    expect(result).toMatchObject({ status: 'up', evidence: { statusCode: 200 } });
  });
});

describe('probeHttp following redirects', () => {
  /** A site whose paths each answer with a status and, for redirects, a Location. */
  const serveSite = (routes: Record<string, { status: number; location?: string; body?: string; delayMs?: number }>) =>
    startHttpServer((request, response) => {
      const route = routes[new URL(request.url ?? '/', 'http://site').pathname] ?? { status: 404, body: 'Not Found' };
      setTimeout(() => response.writeHead(route.status, route.location ? { location: route.location } : {}).end(route.body ?? ''), route.delayMs ?? 0);
    });
  const following = (maxRedirects = 5): TargetOptions => ({ followRedirects: true, maxRedirects, expect: { contains: ['Survei Kepuasan'] } });

  it('a chain of two redirects to the survey page is up, with both hops in the evidence', async () => {
    const site = await serveSite({ '/': { status: 301, location: '/skm' }, '/skm': { status: 302, location: '/skm/' }, '/skm/': { status: 200, body: SKM_PAGE } });
    const result = await probeHttp(httpTarget(`${site.origin}/`, following()), deps);

    expect(result).toMatchObject({ status: 'up', failureKind: null, evidence: { url: `${site.origin}/skm/`, statusCode: 200 } });
    expect(result.evidence.redirects).toEqual([
      { url: `${site.origin}/`, statusCode: 301 },
      { url: `${site.origin}/skm`, statusCode: 302 },
    ]);
    expect(Object.keys(result.timings).sort()).toEqual(['connect', 'processing', 'resolve', 'transfer']);
  });

  it('a redirect loop is down with http_4xx: too many redirects', async () => {
    const site = await serveSite({ '/a': { status: 302, location: '/b' }, '/b': { status: 307, location: '/a' } });
    const result = await probeHttp(httpTarget(`${site.origin}/a`, following(3)), deps);

    expect(result).toMatchObject({ status: 'down', failureKind: 'http_4xx', evidence: { reason: 'too many redirects (3)', statusCode: 307 } });
    expect(result.evidence.redirects?.map((hop) => hop.url)).toEqual(['/a', '/b', '/a', '/b'].map((path) => `${site.origin}${path}`));
  });

  it('a relative Location is resolved against the URL that answered it', async () => {
    const site = await serveSite({ '/skm/lama/index.php': { status: 308, location: '../baru/' }, '/skm/baru/': { status: 200, body: SKM_PAGE } });
    const result = await probeHttp(httpTarget(`${site.origin}/skm/lama/index.php`, following()), deps);

    expect(result).toMatchObject({ status: 'up', evidence: { url: `${site.origin}/skm/baru/` } });
  });

  it('a redirect to a page that fails is judged by that page', async () => {
    const site = await serveSite({ '/': { status: 302, location: '/error' }, '/error': { status: 503, body: 'Service Unavailable' } });
    const result = await probeHttp(httpTarget(`${site.origin}/`, following()), deps);

    expect(result).toMatchObject({ status: 'down', failureKind: 'http_5xx', evidence: { url: `${site.origin}/error`, statusCode: 503 } });
  });

  it('a redirect to a port that refuses is down with connect, keeping the hop', async () => {
    const refusing = `http://127.0.0.1:${await findRefusingPort()}/`;
    const site = await serveSite({ '/': { status: 302, location: refusing } });
    const result = await probeHttp(httpTarget(`${site.origin}/`, following()), deps);

    expect(result).toMatchObject({ status: 'down', failureKind: 'connect', evidence: { errorCode: 'ECONNREFUSED', url: refusing } });
    expect(result.evidence.redirects).toEqual([{ url: `${site.origin}/`, statusCode: 302 }]);
  });

  it('the whole chain shares one timeout', async () => {
    const site = await serveSite({ '/': { status: 302, location: '/next', delayMs: 250 }, '/next': { status: 200, body: SKM_PAGE, delayMs: 250 } });
    const result = await probeHttp(httpTarget(`${site.origin}/`, { ...following(), timeoutMs: 400 }), deps);

    expect(result).toMatchObject({ status: 'down', failureKind: 'timeout' });
  });

  it('a 303 after a POST is fetched with GET, and credentials are not sent to another origin', async () => {
    const seen: Array<{ method?: string; authorization?: string }> = [];
    const other = await startHttpServer((request, response) => {
      seen.push({ method: request.method, authorization: request.headers.authorization });
      response.writeHead(200).end(SKM_PAGE);
    });
    const site = await startHttpServer((request, response) => {
      seen.push({ method: request.method, authorization: request.headers.authorization });
      response.writeHead(303, { location: `${other.origin}/terima-kasih` }).end();
    });
    const result = await probeHttp(httpTarget(`${site.origin}/kirim`, { ...following(), method: 'POST', headers: { Authorization: 'Bearer rahasia' } }), deps);

    expect(result.status).toBe('up');
    expect(seen).toEqual([
      { method: 'POST', authorization: 'Bearer rahasia' },
      { method: 'GET', authorization: undefined },
    ]);
  });

  it.each([
    { name: 'with followRedirects off a 302 listed in expect.status is up', status: [200, 302], judged: 'up', failureKind: null },
    { name: 'with followRedirects off a 302 not listed in expect.status is down with http_4xx', status: [200], judged: 'down', failureKind: 'http_4xx' },
  ])('$name', async ({ status, judged, failureKind }) => {
    const site = await serveSite({ '/': { status: 302, location: '/login' }, '/login': { status: 200, body: SKM_PAGE } });
    const result = await probeHttp(httpTarget(`${site.origin}/`, { expect: { status } }), deps);

    expect(result).toMatchObject({ status: judged, failureKind, evidence: { url: `${site.origin}/`, statusCode: 302 } });
    expect(result.evidence.redirects).toBeUndefined();
  });
});

describe('probeHttp certificate expiry', () => {
  // The TLS stack checks validity against the real clock, so the expiry arithmetic must use it too.
  const realClock: ProbeDeps = { now: () => new Date(), lookup: resolveTo('127.0.0.1') };
  let authority: CertificateAuthority;
  let valid: KeyAndCertificate;
  let expiring: KeyAndCertificate;
  let expired: KeyAndCertificate;

  beforeAll(async () => {
    authority = await createCertificateAuthority();
    [valid, expiring, expired] = await Promise.all([
      authority.issue({ hostNames: [FAKE_HOST], notAfter: daysFromNow(45) }),
      authority.issue({ hostNames: [FAKE_HOST], notAfter: daysFromNow(5) }),
      authority.issue({ hostNames: [FAKE_HOST], notBefore: daysFromNow(-60), notAfter: daysFromNow(-1) }),
    ]);
  });

  const probeSite = async (certificate: KeyAndCertificate, handler: RequestHandler, options: TargetOptions = {}) => {
    const server = await startHttpsServer(handler, certificate);
    return probeHttp(httpTarget(`https://${FAKE_HOST}:${server.port}/`, { minDaysValid: 14, ...options }), { ...realClock, ca: authority.cert });
  };

  it('a certificate with 45 days left is up, and the up result carries its expiry', async () => {
    const result = await probeSite(valid, answer(200, SKM_PAGE));

    expect(result).toMatchObject({ status: 'up', failureKind: null, evidence: { tlsDaysLeft: 44 } });
    expect(Object.keys(result.evidence).sort()).toEqual(['resolvedAddress', 'statusCode', 'tlsDaysLeft', 'tlsExpiresAt', 'url']);
  });

  it('a certificate with 5 days left under a 14-day minimum is degraded with tls_expiring', async () => {
    const result = await probeSite(expiring, answer(200, SKM_PAGE));

    expect(result).toMatchObject({ status: 'degraded', failureKind: 'tls_expiring', evidence: { tlsDaysLeft: 4, statusCode: 200 } });
    expect(result.evidence.reason).toMatch(/^certificate expires in 4 days \(.+\), under the 14-day minimum$/);
  });

  it.each([
    { name: 'an expiring certificate with no minimum is up, still showing its days left', options: { minDaysValid: null }, status: 'up', failureKind: null },
    { name: 'a failing status is judged before an expiring certificate', handler: answer(500, 'Fatal error'), status: 'down', failureKind: 'http_5xx' },
    { name: 'missing content is judged before an expiring certificate', options: { expect: { contains: ['Pengaduan'] } }, status: 'down', failureKind: 'content' },
    {
      name: 'a slow answer is judged before an expiring certificate',
      handler: answer(200, SKM_PAGE, 200),
      options: { expect: { maxLatencyMs: 50 } },
      status: 'degraded',
      failureKind: 'slow',
    },
  ])('$name', async ({ handler, options, status, failureKind }) => {
    const result = await probeSite(expiring, handler ?? answer(200, SKM_PAGE), options);

    expect(result).toMatchObject({ status, failureKind, evidence: { tlsDaysLeft: 4 } });
  });

  it('an expired certificate is down with tls and CERT_HAS_EXPIRED', async () => {
    const result = await probeSite(expired, answer(200, SKM_PAGE));

    expect(result).toMatchObject({ status: 'down', failureKind: 'tls', evidence: { errorCode: 'CERT_HAS_EXPIRED' } });
  });
});

describe('findFormWithFields', () => {
  it.each([
    { name: 'all fields in one form pass', html: SKM_PAGE, fields: ['nama', 'nilai'], found: true },
    { name: 'fields split over two forms fail', html: '<form><input name="nama"></form><form><input name="nilai"></form>', fields: ['nama', 'nilai'], found: false },
    { name: 'fields outside any form fail', html: '<input name="nama"><textarea name="nilai"></textarea>', fields: ['nama', 'nilai'], found: false },
    {
      name: 'a field tied to the form by its form attribute counts',
      html: '<form id="f"><input name="nama"></form><textarea form="f" name="nilai"></textarea>',
      fields: ['nama', 'nilai'],
      found: true,
    },
    { name: 'a name in a comment does not count', html: '<form><input name="nama"><!-- <input name="nilai"> --></form>', fields: ['nama', 'nilai'], found: false },
    { name: 'an unclosed form still counts', html: '<FORM><INPUT NAME="nama"><select name="nilai">', fields: ['nama', 'nilai'], found: true },
  ])('$name', ({ html, fields, found }) => {
    expect(findFormWithFields(html, fields)).toBe(found);
  });
});
