/**
 * The events routes as the OpenAPI test drives them: each answer (201, 200, 204, 400, 404)
 * checked against the description, with a real connector token of an admitted member.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import request from 'supertest';
import { inTransaction } from '../../src/db/index.js';
import type { Service } from '../../src/service.js';
import type { Member } from '../connectors/support.js';
import { startReceiver } from '../events/support.js';
import type { ResponseChecker } from './openapi-check.js';

/** A connector access token of `member` with `scope`, from the service's token endpoint. */
export async function connectorToken(service: Service, member: Member, scope: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({
    iss: member.did,
    sub: member.did,
    aud: service.oidc.issuer,
    jti: randomUUID(),
    exp: now + 60,
  })
    .setProtectedHeader({ alg: member.connectorKey.alg, kid: member.connectorKey.kid })
    .sign(member.connectorKey.key);
  const answer = await request(service.app.callback()).post('/oidc/token').type('form').send({
    grant_type: 'client_credentials',
    client_id: member.did,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    scope,
  });
  assert.equal(answer.status, 200, answer.text);
  return answer.body.access_token as string;
}

export async function checkEventRoutes(
  service: Service,
  checker: ResponseChecker,
  member: Member,
): Promise<void> {
  const app = service.app.callback();
  const bearer = await connectorToken(service, member, 'events');
  const call = async (method: 'get' | 'post' | 'delete', described: string, path: string, body?: object) => {
    const pending = request(app)[method](path).auth(bearer, { type: 'bearer' });
    return checker.check(method, described, await (body ? pending.send(body) : pending));
  };
  const receiver = await startReceiver();
  try {
    const collection = '/api/v1/events/subscriptions';
    const created = await call('post', collection, collection, {
      url: receiver.url,
      types: ['member.suspended'],
    });
    assert.equal(created.status, 201);
    const one = '/api/v1/events/subscriptions/{id}';
    const deliveries = '/api/v1/events/subscriptions/{id}/deliveries';
    const id = created.body.id as string;
    await inTransaction(service.dataSource, undefined, (manager) =>
      service.events.outbox.append(manager, {
        type: 'member.suspended',
        subject: 'did:web:someone.example',
        audience: 'members',
        data: { member: 'did:web:someone.example', motion: 'motion-x' },
      }),
    );
    await service.events.worker.drain();
    assert.equal((await call('get', collection, collection)).status, 200);
    assert.equal((await call('get', one, `${collection}/${id}`)).status, 200);
    const log = await call('get', deliveries, `${collection}/${id}/deliveries?limit=5`);
    assert.equal(log.body.items[0]?.state, 'delivered');
    const feed = await call('get', '/api/v1/events', '/api/v1/events?after=0&limit=5');
    assert.ok(feed.body.items.length >= 1);
    const invalid = await call('get', '/api/v1/events', '/api/v1/events?limit=1000');
    assert.equal(invalid.body.code, 'invalid_limit');
    const refused = await call('post', collection, collection, { url: receiver.url, types: ['x.y'] });
    assert.equal(refused.body.code, 'unknown_event_type');
    const duplicate = await call('post', collection, collection, {
      url: receiver.url,
      types: ['member.suspended'],
    });
    assert.equal(duplicate.body.code, 'subscription_exists');
    const unauthenticated = checker.check('get', '/api/v1/events', await request(app).get('/api/v1/events'));
    assert.equal(unauthenticated.body.code, 'invalid_token');
    assert.equal((await call('delete', one, `${collection}/${id}`)).status, 204);
    const gone = await call('get', deliveries, `${collection}/${id}/deliveries`);
    assert.equal(gone.body.code, 'not_found');
    assert.equal((await call('delete', one, `${collection}/${id}`)).body.code, 'not_found');
  } finally {
    await receiver.close();
  }
}
