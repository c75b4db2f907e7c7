/**
 * The agreement routes as the OpenAPI test drives them: each answer (201, 200, 400, 403, 404,
 * 409) checked against the description, with real connector tokens of two admitted members (a
 * public authority providing, a data consumer accepting) and statements signed by their DIDs.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import type { Member } from '../connectors/support.js';
import type { ResponseChecker } from './openapi-check.js';
import { connectorToken } from './openapi-events.js';

const TARGET = 'https://data.example-city.eu/datasets/parking-occupancy';
const OFFER = {
  '@type': 'Offer',
  target: TARGET,
  permission: [
    {
      action: 'use',
      constraint: [{ leftOperand: 'purpose', operator: 'eq', rightOperand: 'dpv:ServiceProvision' }],
    },
  ],
};

export async function checkAgreementRoutes(
  service: Service,
  checker: ResponseChecker,
  provider: Member,
  consumer: Member,
): Promise<void> {
  const app = service.app.callback();
  const tokens = new Map([
    [provider.did, await connectorToken(service, provider, 'agreements')],
    [consumer.did, await connectorToken(service, consumer, 'agreements')],
  ]);
  const call = async (
    member: Member | undefined,
    method: 'get' | 'post',
    described: string,
    path: string,
    body?: object,
  ) => {
    let pending = request(app)[method](path);
    if (member) pending = pending.auth(tokens.get(member.did) as string, { type: 'bearer' });
    return checker.check(method, described, await (body ? pending.send(body) : pending));
  };
  const signed = (member: Member, payload: Record<string, unknown>) =>
    member.sign({
      iss: member.did,
      aud: service.identity.did,
      iat: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
      ...payload,
    });

  const offer = await call(provider, 'post', '/api/v1/offers', '/api/v1/offers', { policy: OFFER });
  assert.equal(offer.status, 201, offer.text);
  const offerId = offer.body.id as string;
  const next = await call(
    provider,
    'post',
    '/api/v1/offers/{id}/versions',
    `/api/v1/offers/${offerId}/versions`,
    {
      policy: { ...OFFER, permission: [{ action: 'read' }] },
    },
  );
  assert.equal(next.status, 201, next.text);
  assert.equal((await call(undefined, 'get', '/api/v1/offers', '/api/v1/offers?limit=5')).status, 200);
  assert.equal(
    (await call(undefined, 'get', '/api/v1/offers/{id}', `/api/v1/offers/${offerId}`)).body.version,
    2,
  );
  assert.equal(
    (
      await call(
        undefined,
        'get',
        '/api/v1/offers/{id}/versions/{version}',
        `/api/v1/offers/${offerId}/versions/1`,
      )
    ).status,
    200,
  );
  const versions = await call(
    undefined,
    'get',
    '/api/v1/offers/{id}/versions',
    `/api/v1/offers/${offerId}/versions?limit=1`,
  );
  assert.equal(versions.status, 200, versions.text);
  assert.equal(versions.body.next, 1);
  assert.equal(
    (await call(undefined, 'get', '/api/v1/offers/{id}', '/api/v1/offers/offer-none')).body.code,
    'offer_not_found',
  );
  const unsupported = await call(provider, 'post', '/api/v1/offers', '/api/v1/offers', {
    policy: {
      ...OFFER,
      permission: [
        { action: 'use', constraint: [{ leftOperand: 'industry', operator: 'eq', rightOperand: 'x' }] },
      ],
    },
  });
  assert.equal(unsupported.body.code, 'unsupported_policy_term');

  const stale = await call(consumer, 'post', '/api/v1/agreements', '/api/v1/agreements', {
    offer: offerId,
    version: 1,
  });
  assert.equal(stale.body.code, 'offer_superseded');
  const proposed = await call(consumer, 'post', '/api/v1/agreements', '/api/v1/agreements', {
    offer: offerId,
    version: 2,
  });
  assert.equal(proposed.status, 201, proposed.text);
  const { id, hash } = proposed.body as { id: string; hash: string };
  const early = await call(
    consumer,
    'get',
    '/api/v1/agreements/{id}/credential',
    `/api/v1/agreements/${id}/credential`,
  );
  assert.equal(early.body.code, 'no_credential');
  for (const member of [consumer, provider]) {
    const signature = await call(
      member,
      'post',
      '/api/v1/agreements/{id}/signatures',
      `/api/v1/agreements/${id}/signatures`,
      {
        statement: await signed(member, { action: 'sign-agreement', agreement: id, hash }),
      },
    );
    assert.equal(signature.status, 200, signature.text);
  }
  assert.equal(
    (await call(consumer, 'get', '/api/v1/agreements/{id}', `/api/v1/agreements/${id}`)).body.status,
    'active',
  );
  assert.equal(
    (await call(consumer, 'get', '/api/v1/agreements', '/api/v1/agreements?status=active')).status,
    200,
  );
  const credential = await call(
    consumer,
    'get',
    '/api/v1/agreements/{id}/credential',
    `/api/v1/agreements/${id}/credential`,
  );
  assert.equal(typeof credential.body.credential, 'string');
  const answer = await call(consumer, 'post', '/api/v1/agreements/check', '/api/v1/agreements/check', {
    agreement: id,
    action: 'read',
    record: true,
  });
  assert.equal(answer.body.permitted, true, answer.text);
  // A failed policy check: its entry carries `reasons` and the evaluator's `decision`.
  const refused = await call(consumer, 'post', '/api/v1/agreements/check', '/api/v1/agreements/check', {
    agreement: id,
    action: 'transfer',
  });
  assert.equal(refused.body.permitted, false, refused.text);
  assert.deepEqual(refused.body.reasons, ['action_not_permitted']);
  assert.equal(
    refused.body.checks.find((c: { check: string }) => c.check === 'policy')?.decision,
    'action_not_permitted',
  );
  const none = await call(consumer, 'post', '/api/v1/agreements/check', '/api/v1/agreements/check', {
    provider: provider.did,
    target: 'https://nothing.example/none',
    action: 'read',
  });
  assert.equal(none.body.code, 'no_agreement');
  const malformed = await call(consumer, 'post', '/api/v1/agreements/check', '/api/v1/agreements/check', {
    agreement: id,
  });
  assert.equal(malformed.body.code, 'invalid_request');
  const ended = await call(
    provider,
    'post',
    '/api/v1/agreements/{id}/termination',
    `/api/v1/agreements/${id}/termination`,
    {
      statement: await signed(provider, {
        action: 'terminate-agreement',
        agreement: id,
        hash,
        reason: 'retired',
      }),
    },
  );
  assert.equal(ended.body.status, 'terminated');
}
