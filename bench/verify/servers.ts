/**
 * The two HTTP servers the benchmark compares, each in its own process:
 *   trivial <port>            a bare koa app that reads a JSON body and answers JSON
 *   service <port> <dataDir>  the trust service (SQLite in dataDir), logging silenced
 */
import { createServer } from 'node:http';
import Koa from 'koa';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/logger.js';
import { openService } from '../../src/service.js';

const [kind, port, dataDir] = process.argv.slice(2);

if (kind === 'trivial') {
  const app = new Koa();
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { credential?: string };
    ctx.body = { verified: typeof body.credential === 'string', checks: [] };
  });
  createServer(app.callback()).listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
} else {
  const config = loadConfig({
    PORT: port,
    DATA_DIR: dataDir,
    PUBLIC_URL: 'http://localhost:3000',
    KEY_ENCRYPTION_SECRET: '0f'.repeat(32),
    LOG_LEVEL: 'silent',
  });
  const service = await openService(config, createLogger('silent'));
  createServer(service.app.callback()).listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
}
process.on('SIGINT', () => process.exit(0));
