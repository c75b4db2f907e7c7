import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import request from 'supertest';
import { isDatabaseUnavailable } from '../../src/db/index.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { errorCodeOf } from './support.js';

/** A loopback port that nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describeEachDatabase('portal: its own provider unreachable at PUBLIC_URL', (fresh) => {
  let service: Service;

  before(async () => {
    const port = await closedPort();
    service = await openTestService(await fresh(), { PUBLIC_URL: `http://localhost:${port}` });
  });
  after(() => service.close());

  it('answers the way in with 503 provider_unreachable, naming PUBLIC_URL, not database_unavailable', async () => {
    const response = await request(service.app.callback()).get('/portal/login').set('Accept', 'text/html');
    assert.equal(response.status, 503);
    assert.equal(errorCodeOf(response.text), 'provider_unreachable');
    assert.match(response.text, /PUBLIC_URL must be reachable from the service itself/);
    // The database is fine: readiness says so.
    assert.equal((await request(service.app.callback()).get('/health/ready')).status, 200);
  });
});

describe('isDatabaseUnavailable: a failed HTTP request of ours is never the database', () => {
  it('refuses to classify fetch failures by their socket code, and still classifies the driver’s', async () => {
    const port = await closedPort();
    const failure = await fetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    assert.equal(((failure as Error).cause as { code?: string }).code, 'ECONNREFUSED');
    assert.equal(isDatabaseUnavailable(failure), false);
    assert.equal(isDatabaseUnavailable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })), true);
  });
});
