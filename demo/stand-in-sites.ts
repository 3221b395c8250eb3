// Local stand-ins of the SKM survey and complaint sites, each switchable into one way of failing,
// plus a control page to switch them and a stand-in WhatsApp Cloud API whose messages the control
// page shows. Loopback only: the demo never sends traffic elsewhere.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  controlPage,
  gamblingPage,
  infoPage,
  INJECTED_SITEMAP_PATH,
  isSearchEngineVisit,
  phpFatalErrorPage,
  SITE_MODES,
  SITE_NAMES,
  sitemapXml,
  sitePage,
  type DemoWhatsAppMessage,
  type SiteMode,
  type SiteName,
} from './stand-in-pages.js';

export { INJECTED_SITEMAP_PATH, SITE_MODES, SITE_NAMES, type DemoWhatsAppMessage, type SiteMode, type SiteName };

/**
 * The stand-in WhatsApp Cloud API on the control port: `POST /whatsapp/<version>/<phoneNumberId>/messages`
 * with this bearer token, as `demo/sigap.demo.yaml`'s `whatsapp` channel is configured.
 */
export const DEMO_WHATSAPP = { pathPrefix: '/whatsapp/', accessToken: 'demo-whatsapp-token', keep: 20 } as const;
const WHATSAPP_PATH = /^\/whatsapp\/v[\d.]+\/([\w-]+)\/messages$/;
const WHATSAPP_BODY_LIMIT_BYTES = 64 * 1024;

export interface StandInOptions {
  /** A loopback address; anything else is refused. */
  host?: string;
  skmPort: number;
  pengaduanPort: number;
  controlPort: number;
  /** Linked from the control page. */
  dashboardUrl?: string;
  /** How long `slow` waits before answering: over the check's maxLatency, under its timeout. */
  slowDelayMs?: number;
}

export interface StandInSites {
  skmUrl: string;
  pengaduanUrl: string;
  controlUrl: string;
  mode(site: SiteName): SiteMode;
  /** Resolves once the change is real (for `stopped`: the port refuses connections). */
  setMode(site: SiteName, mode: SiteMode): Promise<void>;
  /** What the stand-in WhatsApp Cloud API received, newest first. */
  whatsappMessages(): readonly DemoWhatsAppMessage[];
  stop(): Promise<void>;
}

interface SiteState {
  server: Server;
  port: number;
  mode: SiteMode;
  /** Mode changes run one after another, so a quick stop-start-stop cannot interleave. */
  queue: Promise<void>;
}

const FORM_BODY_LIMIT_BYTES = 2048;
const HTML = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const XML = { 'content-type': 'application/xml; charset=utf-8', 'cache-control': 'no-store' };
const TEXT = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
const CONTROL_HEADERS = {
  ...HTML,
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Kept-alive connections would otherwise keep answering a "stopped" site.
    server.closeAllConnections();
  });
}

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = HTML): void {
  if (response.writableEnded || response.destroyed) return;
  response.writeHead(status, headers).end(body);
}

export async function startStandInSites(options: StandInOptions): Promise<StandInSites> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`stand-in sites bind only to loopback, not "${host}"`);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const slowDelayMs = options.slowDelayMs ?? 2000;
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const answerSite = (name: SiteName, request: IncomingMessage, response: ServerResponse): void => {
    const mode = sites[name].mode;
    if (mode === 'stopped') return void response.socket?.destroy();
    if (mode === 'error') return send(response, 500, phpFatalErrorPage(name), { ...HTML, 'x-powered-by': 'PHP/7.4.33' });
    const path = new URL(request.url ?? '/', 'http://site.invalid').pathname;
    // Cloaking: crawlers and visitors arriving from a search engine get the spam, everyone else the site.
    if (mode === 'judi-crawler-only' && path !== '/sitemap.xml' && isSearchEngineVisit(request.headers['user-agent'], request.headers.referer)) {
      return send(response, 200, gamblingPage());
    }
    if (path === '/sitemap.xml') return send(response, 200, sitemapXml(urlOf(sites[name].port), mode === 'judi-sitemap'), XML);
    if (path === INJECTED_SITEMAP_PATH) {
      return mode === 'judi-sitemap' ? send(response, 200, gamblingPage()) : send(response, 404, 'not found', TEXT);
    }
    const info = infoPage(name, path);
    if (info && request.method !== 'POST') return send(response, 200, info);
    const normal = () => send(response, 200, sitePage(name, request.method === 'POST' ? 'thanks' : mode === 'judi-hidden-links' ? 'hidden-links' : 'normal'));
    if (mode === 'maintenance') send(response, 200, sitePage(name, 'maintenance'));
    else if (mode === 'broken-form') send(response, 200, sitePage(name, 'broken-form'));
    else if (mode === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        normal();
      }, slowDelayMs);
      timers.add(timer);
    } else normal();
  };

  const newSite = (name: SiteName): SiteState => ({
    server: createServer((request, response) => answerSite(name, request, response)),
    port: 0,
    mode: 'normal',
    queue: Promise.resolve(),
  });
  const sites: Record<SiteName, SiteState> = { skm: newSite('skm'), pengaduan: newSite('pengaduan') };
  const whatsapp: DemoWhatsAppMessage[] = [];
  const control = createServer((request, response) => {
    handleControl(request, response).catch((err: unknown) => send(response, 500, `mode not changed: ${oneLine(err)}`, TEXT));
  });

  const applyMode = async (site: SiteState, mode: SiteMode): Promise<void> => {
    if (stopped) throw new Error('the stand-in sites are stopped');
    if (mode === 'stopped') {
      site.mode = mode;
      await close(site.server);
      return;
    }
    // Re-listen on the same port, so the check's URL stays valid.
    if (!site.server.listening) await listen(site.server, site.port, host);
    site.mode = mode;
  };

  const setMode = (name: SiteName, mode: SiteMode): Promise<void> => {
    const site = sites[name];
    const run = site.queue.then(() => applyMode(site, mode));
    site.queue = run.catch(() => undefined);
    return run;
  };

  // Cheap cross-site protection for a page that only ever runs on loopback: the request must name
  // this page as its host (defeats DNS rebinding) and a POST must come from a page of this origin.
  const ownHosts = (): Set<string> => new Set([`${urlHost}:${controlPort}`, `localhost:${controlPort}`]);
  const sameOrigin = (request: IncomingMessage): boolean => {
    const source = request.headers.origin ?? request.headers.referer;
    if (!source || source === 'null') return false;
    try {
      const url = new URL(source);
      return url.protocol === 'http:' && ownHosts().has(url.host);
    } catch {
      return false;
    }
  };

  async function handleControl(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!ownHosts().has(request.headers.host ?? '')) return send(response, 403, 'unknown host', TEXT);
    const path = new URL(request.url ?? '/', 'http://control.invalid').pathname;
    if (request.method === 'GET' && path === '/') {
      const view = SITE_NAMES.map((name) => ({ name, url: urlOf(sites[name].port), mode: sites[name].mode }));
      return send(response, 200, controlPage({ sites: view, dashboardUrl: options.dashboardUrl ?? null, slowDelayMs, whatsapp }), CONTROL_HEADERS);
    }
    const phoneNumberId = WHATSAPP_PATH.exec(path)?.[1];
    if (phoneNumberId) return receiveWhatsApp(request, response, phoneNumberId);
    if (path !== '/mode') return send(response, 404, 'not found', TEXT);
    if (request.method !== 'POST') return send(response, 405, 'use POST', { ...TEXT, allow: 'POST' });
    if (!sameOrigin(request)) return send(response, 403, 'refused: the request does not come from the control page', TEXT);
    const form = new URLSearchParams(await readBody(request, FORM_BODY_LIMIT_BYTES));
    const site = SITE_NAMES.find((name) => name === form.get('site'));
    const mode = SITE_MODES.find((m) => m === form.get('mode'));
    if (!site || !mode) return send(response, 400, `site must be one of ${SITE_NAMES.join(', ')}; mode one of ${SITE_MODES.join(', ')}`, TEXT);
    await setMode(site, mode);
    response.writeHead(303, { location: '/', 'cache-control': 'no-store' }).end();
  }

  /** Answers as the Cloud API does: a message id on success, its error object (code 190, 100) when not. */
  async function receiveWhatsApp(request: IncomingMessage, response: ServerResponse, phoneNumberId: string): Promise<void> {
    const apiError = (status: number, code: number, message: string) => send(response, status, JSON.stringify({ error: { message, type: 'OAuthException', code } }), JSON_HEADERS);
    if (request.method !== 'POST') return send(response, 405, 'use POST', { ...TEXT, allow: 'POST' });
    if (request.headers.authorization !== `Bearer ${DEMO_WHATSAPP.accessToken}`) return apiError(401, 190, 'Invalid OAuth access token.');
    let body: { messaging_product?: unknown; to?: unknown; type?: unknown; text?: { body?: unknown }; template?: { name?: unknown } };
    try {
      body = JSON.parse(await readBody(request, WHATSAPP_BODY_LIMIT_BYTES)) as typeof body;
    } catch {
      return apiError(400, 100, 'Invalid parameter: the body is not JSON');
    }
    if (body.messaging_product !== 'whatsapp' || typeof body.to !== 'string') return apiError(400, 100, 'Invalid parameter: messaging_product, to');
    const text = body.type === 'template' ? `[template ${String(body.template?.name)}] ${JSON.stringify(body.template)}` : String(body.text?.body ?? '');
    const id = `wamid.demo.${Date.now()}.${whatsapp.length}`;
    whatsapp.unshift({ at: new Date(), phoneNumberId, to: body.to, text });
    whatsapp.length = Math.min(whatsapp.length, DEMO_WHATSAPP.keep);
    send(response, 200, JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id }] }), JSON_HEADERS);
  }

  const urlOf = (port: number): string => `http://${urlHost}:${port}/`;
  let controlPort = 0;
  const all = [sites.skm.server, sites.pengaduan.server, control];
  try {
    sites.skm.port = await listen(sites.skm.server, options.skmPort, host);
    sites.pengaduan.port = await listen(sites.pengaduan.server, options.pengaduanPort, host);
    controlPort = await listen(control, options.controlPort, host);
  } catch (err) {
    await Promise.all(all.map(close));
    throw err;
  }

  return {
    skmUrl: urlOf(sites.skm.port),
    pengaduanUrl: urlOf(sites.pengaduan.port),
    controlUrl: urlOf(controlPort),
    mode: (name) => sites[name].mode,
    setMode,
    whatsappMessages: () => [...whatsapp],
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([sites.skm.queue, sites.pengaduan.queue]);
      await Promise.all(all.map(close));
    },
  };
}

function oneLine(err: unknown): string {
  // Plain text with nosniff is never rendered as HTML; still keep it to one short line.
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 200);
}

function readBody(request: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new Error('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
