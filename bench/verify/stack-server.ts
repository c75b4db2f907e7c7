/**
 * The floor under the service's HTTP verification, for bench/verify/stack.ts: a bare node:http
 * server (no koa, no middleware) that reads the JSON body and answers the same pipeline's
 * result, `service.credentials.verifyCredential`, on the database the bench prepared.
 *
 *   stack-server.ts <port>     with the service's configuration in the environment
 */
import { createServer } from 'node:http';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/logger.js';
import { openService } from '../../src/service.js';

const service = await openService(loadConfig(process.env), createLogger('silent'));
createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    const { credential } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { credential: string };
    const answer = JSON.stringify(await service.credentials.verifyCredential(credential));
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(answer),
    });
    response.end(answer);
  });
}).listen(Number(process.argv[2]), '127.0.0.1', () => process.send?.('ready'));
