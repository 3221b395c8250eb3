// Child process: the loopback sites both probers look at. Run apart from the prober so that
// serving the pages does not count against its CPU. Keep-alive is off (`Connection: close`), as on
// a typical probed site and as in production, where every probe opens a fresh connection.
//
// Usage: node --import tsx bench/target-sites.ts --ports 8 --lifetime 900
// Prints one JSON line `{"ports":[…]}` once listening; stops when stdin closes (the orchestrator
// went away), on SIGTERM, or after --lifetime seconds, whichever comes first.
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { PAGE } from './fixture.js';

const { values } = parseArgs({ options: { ports: { type: 'string', default: '8' }, lifetime: { type: 'string', default: '900' } } });
const body = Buffer.from(PAGE);
let served = 0;

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', 1024, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

const servers = Array.from({ length: Number(values.ports) }, () =>
  createServer((_req, res) => {
    served++;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length, connection: 'close' });
    res.end(body);
  }),
);
const ports = await Promise.all(servers.map(listen));
process.stdout.write(`${JSON.stringify({ ports })}\n`);

function stop(): void {
  process.stderr.write(`[targets] served ${served} requests, stopping\n`);
  for (const server of servers) server.closeAllConnections();
  process.exit(0);
}
process.stdin.on('end', stop).on('error', stop).resume();
process.on('SIGTERM', stop);
setTimeout(stop, Number(values.lifetime) * 1000).unref();
