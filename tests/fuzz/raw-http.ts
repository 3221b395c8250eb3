// An HTTP/1.1 client that sends exactly the bytes it is given: fetch and node:http refuse NUL
// bytes, raw latin-1 in header values and unencoded paths, which are what a hostile client sends.
import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** The request target as sent on the request line (already percent-encoded, or not). */
  target: string;
  headers: ReadonlyArray<readonly [string, string | Buffer]>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function parseResponse(data: Buffer): RawResponse {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new Error(`no complete response head: ${JSON.stringify(data.subarray(0, 200).toString('latin1'))}`);
  const [statusLine, ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!Number.isInteger(status)) throw new Error(`no status line: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(headEnd + 4);
  return { status, headers, body: headers['transfer-encoding'] === 'chunked' ? dechunk(rest) : rest };
}

/** One request on its own connection (Connection: close); the server's answer, however it ends. */
export function sendRaw(port: number, request: RawRequest): Promise<RawResponse> {
  const head = [`${request.method} ${request.target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  const headBuffers: Buffer[] = [Buffer.from(`${head.join('\r\n')}\r\n`, 'latin1')];
  for (const [name, value] of request.headers) {
    headBuffers.push(Buffer.from(`${name}: `, 'latin1'), typeof value === 'string' ? Buffer.from(value, 'latin1') : value, Buffer.from('\r\n', 'latin1'));
  }
  if (request.body) headBuffers.push(Buffer.from(`Content-Length: ${request.body.length}\r\n`, 'latin1'));
  headBuffers.push(Buffer.from('\r\n', 'latin1'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port });
    const finish = () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    };
    socket.setTimeout(20_000, () => socket.destroy(new Error(`no answer to ${request.method} ${request.target.slice(0, 200)}`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', finish);
    // A server that answers 413/431 may close before reading the whole body: the answer counts.
    socket.on('error', (err) => (chunks.length > 0 ? finish() : reject(err)));
    socket.write(Buffer.concat(headBuffers));
    if (request.body) socket.write(request.body);
  });
}
