// Real servers on 127.0.0.1, port 0, for tests that must exercise real sockets (undici's
// request() cannot be intercepted by nock). Every server started here is tracked so one
// `stopAllServers()` in afterEach leaves no socket behind.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface LocalServer {
  port: number;
  /** `http://127.0.0.1:PORT` (or https), without a trailing slash. */
  origin: string;
  stop: () => Promise<void>;
}

export interface SelfSignedCertificate {
  key: string;
  cert: string;
}

export type RequestHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

const running = new Set<LocalServer>();

export async function startHttpServer(handler: RequestHandler): Promise<LocalServer> {
  return track(http.createServer(handler), 'http');
}

export async function startHttpsServer(handler: RequestHandler, certificate: SelfSignedCertificate): Promise<LocalServer> {
  return track(https.createServer({ key: certificate.key, cert: certificate.cert }, handler), 'https');
}

/** A bare TCP server: `onConnection` decides what each accepted socket gets (or does not get). */
export async function startTcpServer(onConnection: (socket: net.Socket) => void): Promise<LocalServer> {
  return track(net.createServer(onConnection), 'tcp');
}

/** A port on 127.0.0.1 that was just free and now refuses connections. */
export async function findRefusingPort(): Promise<number> {
  const server = await startTcpServer(() => undefined);
  await server.stop();
  return server.port;
}

export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

const execFileAsync = promisify(execFile);

/** A fresh self-signed certificate for localhost, 127.0.0.1 and the given extra host names. */
export async function createSelfSignedCertificate(extraHostNames: string[] = [], days = 30): Promise<SelfSignedCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'sigap-cert-'));
  try {
    const names = ['DNS:localhost', ...extraHostNames.map((name) => `DNS:${name}`), 'IP:127.0.0.1'].join(',');
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    await execFileAsync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', String(days),
      '-subj', '/CN=localhost', '-addext', `subjectAltName=${names}`,
    ]);
    return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function track(server: net.Server, scheme: 'http' | 'https' | 'tcp'): Promise<LocalServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  let stopping: Promise<void> | undefined;
  const local: LocalServer = {
    port,
    origin: `${scheme === 'https' ? 'https' : 'http'}://127.0.0.1:${port}`,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        running.delete(local);
        // Servers that hold sockets open on purpose would keep close() waiting forever.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return stopping;
    },
  };
  running.add(local);
  return local;
}
