// Real servers on 127.0.0.1, port 0, for tests that must exercise real sockets (undici's
// request() cannot be intercepted by nock). Every server started here is tracked so one
// `stopAllServers()` in afterEach leaves no socket behind.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
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

const running = new Set<{ stop: () => Promise<void> }>();

export async function startHttpServer(handler: RequestHandler): Promise<LocalServer> {
  return track(http.createServer(handler), 'http');
}

export async function startHttpsServer(handler: RequestHandler, certificate: SelfSignedCertificate): Promise<LocalServer> {
  return track(https.createServer({ key: certificate.key, cert: certificate.cert }, handler), 'https');
}

/** A TLS server that completes the handshake with `certificate` and then closes the connection. */
export async function startTlsServer(certificate: SelfSignedCertificate): Promise<LocalServer> {
  return track(
    tls.createServer({ key: certificate.key, cert: certificate.cert }, (socket) => socket.end()),
    'tls',
  );
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
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      String(days),
      '-subj',
      '/CN=localhost',
      '-addext',
      `subjectAltName=${names}`,
    ]);
    return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** How the DNS stand-in answers for one name: its A records, an error code, or no reply at all. */
export type DnsStandInAnswer = { a: string[] } | 'nxdomain' | 'servfail' | 'silent';

export interface LocalDnsServer {
  port: number;
  /** `127.0.0.1:PORT`, the form `DnsTarget.server` takes. */
  server: string;
  stop: () => Promise<void>;
}

const DNS_RCODE = { noError: 0, serverFailure: 2, nameError: 3 } as const;

/**
 * A tiny DNS server on UDP 127.0.0.1 that knows only `zone` (names in lower case): it answers A
 * queries with the listed records, any other type with no data, and unknown names with NXDOMAIN.
 */
export async function startDnsServer(zone: Record<string, DnsStandInAnswer>): Promise<LocalDnsServer> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, peer) => {
    const reply = answerDnsQuery(query, zone);
    if (reply) socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  let stopping: Promise<void> | undefined;
  const local: LocalDnsServer = {
    port,
    server: `127.0.0.1:${port}`,
    stop: () => {
      running.delete(local);
      stopping ??= new Promise<void>((resolve) => socket.close(() => resolve()));
      return stopping;
    },
  };
  running.add(local);
  return local;
}

function answerDnsQuery(query: Buffer, zone: Record<string, DnsStandInAnswer>): Buffer | undefined {
  if (query.length < 17) return undefined;
  const labels: string[] = [];
  let offset = 12;
  for (let length = query[offset] ?? 0; length > 0; length = query[offset] ?? 0) {
    labels.push(query.toString('latin1', offset + 1, offset + 1 + length));
    offset += length + 1;
  }
  const question = query.subarray(12, offset + 5); // the name, its terminating zero, QTYPE and QCLASS
  const queryType = query.readUInt16BE(offset + 1);
  const entry = zone[labels.join('.').toLowerCase()] ?? 'nxdomain';
  if (entry === 'silent') return undefined;
  const records = typeof entry === 'object' && queryType === 1 ? entry.a : [];
  const rcode = entry === 'nxdomain' ? DNS_RCODE.nameError : entry === 'servfail' ? DNS_RCODE.serverFailure : DNS_RCODE.noError;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // the query's id
  header.writeUInt16BE(0x8000 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | rcode, 2); // QR, its RD, RA, RCODE
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    record.writeUInt16BE(1, 2); // type A
    record.writeUInt16BE(1, 4); // class IN
    record.writeUInt32BE(60, 6); // TTL
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, index) => record.writeUInt8(Number(octet), 12 + index));
    return record;
  });
  return Buffer.concat([header, question, ...answers]);
}

async function track(server: net.Server, scheme: 'http' | 'https' | 'tcp' | 'tls'): Promise<LocalServer> {
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
    origin: `${scheme === 'tcp' ? 'http' : scheme}://127.0.0.1:${port}`,
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
