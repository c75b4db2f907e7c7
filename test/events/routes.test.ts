/**
 * The events API over HTTP (docs/events.md), called by members' connectors with access tokens
 * that openid-client obtains from the service's provider (client credentials, private_key_jwt
 * with the member's DID key): subscriptions, the delivery log and the feed, each member seeing
 * only its own; every refusal with its code.
 */
import { strict as assert } from 'node:assert';
import * as client from 'openid-client';
import { inTransaction } from '../../src/db/index.js';
import {
  admit,
  connectorClient,
  type DataSpace,
  decide,
  jwkMember,
  type Member,
  openDataSpace,
} from '../connectors/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { type Receiver, startReceiver, verifySet } from './support.js';

describeEachDatabase('the events API', (fresh) => {
  let space: DataSpace;
  let receiver: Receiver;
  let alice: Member;
  let bob: Member;
  const tokens = new Map<string, string>();

  before(async function () {
    this.timeout(120_000);
    space = await openDataSpace(await fresh());
    alice = await jwkMember('ES256');
    bob = await jwkMember('EdDSA');
    await admit(space, alice, ['data-consumer'], 'Alice Analytics');
    await admit(space, bob, ['data-provider'], 'Bob Mobility');
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
    await space?.close();
  });

  /** An access token of `member`'s connector for `scope`, from the token endpoint through openid-client. */
  const token = async (member: Member, scope = 'events') => {
    const key = `${member.did} ${scope}`;
    const known = tokens.get(key);
    if (known) return known;
    const granted = await client.clientCredentialsGrant(await connectorClient(space.running, member), {
      scope,
    });
    tokens.set(key, granted.access_token);
    return granted.access_token;
  };
  const api = async (
    member: Member | undefined,
    method: string,
    path: string,
    body?: unknown,
    scope = 'events',
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> => {
    const headers: Record<string, string> = {};
    if (member) headers.authorization = `Bearer ${await token(member, scope)}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${space.running.publicUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
  };

  it('refuses a request without a token (401 invalid_token) or without the events scope (403 insufficient_scope)', async () => {
    const none = await api(undefined, 'GET', '/api/v1/events');
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'invalid_token');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer /);
    const otherScope = await api(
      alice,
      'POST',
      '/api/v1/events/subscriptions',
      { url: receiver.url, types: ['member.suspended'] },
      'notices',
    );
    assert.equal(otherScope.status, 403);
    assert.equal(otherScope.body.code, 'insufficient_scope');
    assert.deepEqual(
      (await api(alice, 'GET', '/api/v1/events/subscriptions')).body,
      { items: [] },
      'nothing was written',
    );
  });

  it('a member subscribes, lists, reads and deletes its own subscriptions; another member sees none of them', async () => {
    const created = await api(alice, 'POST', '/api/v1/events/subscriptions', {
      url: `${receiver.url}/tmp`,
      types: ['consent.withdrawn'],
    });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    assert.equal(created.headers.get('location'), `/api/v1/events/subscriptions/${id}`);
    assert.deepEqual(created.body.types, ['consent.withdrawn']);
    assert.deepEqual(
      ((await api(alice, 'GET', '/api/v1/events/subscriptions')).body.items as { id: string }[]).map(
        (s) => s.id,
      ),
      [id],
    );
    assert.equal((await api(alice, 'GET', `/api/v1/events/subscriptions/${id}`)).body.id, id);
    assert.deepEqual((await api(bob, 'GET', '/api/v1/events/subscriptions')).body, { items: [] });
    for (const [method, path] of [
      ['GET', `/api/v1/events/subscriptions/${id}`],
      ['GET', `/api/v1/events/subscriptions/${id}/deliveries`],
      ['DELETE', `/api/v1/events/subscriptions/${id}`],
    ] as const) {
      const refused = await api(bob, method, path);
      assert.equal(refused.status, 404, `${method} ${path}`);
      assert.equal(refused.body.code, 'not_found');
    }
    assert.equal((await api(alice, 'DELETE', `/api/v1/events/subscriptions/${id}`)).status, 204);
    assert.equal((await api(alice, 'GET', `/api/v1/events/subscriptions/${id}`)).status, 404);
  });

  it('refuses bad input with its code', async () => {
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/api/v1/events/subscriptions', '[1]', 400, 'invalid_request'],
      ['POST', '/api/v1/events/subscriptions', '{', 400, 'invalid_json'],
      [
        'POST',
        '/api/v1/events/subscriptions',
        { url: receiver.url, types: ['consent.deleted'] },
        400,
        'unknown_event_type',
      ],
      ['POST', '/api/v1/events/subscriptions', { url: receiver.url, types: [] }, 400, 'invalid_types'],
      [
        'POST',
        '/api/v1/events/subscriptions',
        { url: 'http://u:p@127.0.0.1/x', types: ['member.revoked'] },
        400,
        'userinfo_not_allowed',
      ],
      [
        'POST',
        '/api/v1/events/subscriptions',
        { url: 'not a url', types: ['member.revoked'] },
        400,
        'invalid_url',
      ],
      ['GET', '/api/v1/events?after=-1', undefined, 400, 'invalid_after'],
      ['GET', '/api/v1/events?after=1.5', undefined, 400, 'invalid_after'],
      ['GET', '/api/v1/events?limit=0', undefined, 400, 'invalid_limit'],
      ['GET', '/api/v1/events?limit=101', undefined, 400, 'invalid_limit'],
      ['GET', '/api/v1/events/subscriptions/x/deliveries?before=x', undefined, 400, 'invalid_before'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const answer = await api(alice, method, path, body);
      assert.equal(answer.status, status, `${method} ${path} ${JSON.stringify(body)}`);
      assert.equal(answer.body.code, code, `${method} ${path} ${JSON.stringify(body)}`);
    }
    assert.deepEqual((await api(alice, 'GET', '/api/v1/events/subscriptions')).body, { items: [] });
  });

  it('a suspension by the board is pushed to the subscribed connector, shown in its delivery log and its feed; the suspended member is refused', async function () {
    this.timeout(60_000);
    const { service } = space;
    const subscribed = await api(alice, 'POST', '/api/v1/events/subscriptions', {
      url: receiver.url,
      types: ['member.suspended', 'consent.withdrawn'],
    });
    const start = (await api(alice, 'GET', '/api/v1/events')).body.next as string;
    assert.match(start, /^[A-Za-z0-9_-]{48}$/, 'an opaque cursor, not the service-wide sequence');
    const bobsCursor = (await api(bob, 'GET', '/api/v1/events')).body.next as string;
    await decide(space, 'suspend', bob.did);
    await inTransaction(service.dataSource, undefined, (manager) =>
      service.events.outbox.append(manager, {
        type: 'consent.withdrawn',
        subject: 'consent-9',
        audience: [bob.did],
        data: { consentId: 'consent-9', subject: 'pairwise-for-bob' },
      }),
    );
    await service.events.worker.drain();
    assert.equal(receiver.received.length, 1, 'alice is not in the consent event’s audience');
    const pushed = await verifySet(service, receiver.received[0]?.body ?? '', alice.did);

    const log = await api(
      alice,
      'GET',
      `/api/v1/events/subscriptions/${subscribed.body.id}/deliveries?state=delivered`,
    );
    assert.equal(log.status, 200);
    const [delivery] = log.body.items as {
      eventId: string;
      type: string;
      attempts: { httpStatus: number }[];
    }[];
    assert.equal(delivery?.eventId, pushed.jti);
    assert.equal(delivery?.type, 'member.suspended');
    assert.equal(delivery?.attempts[0]?.httpStatus, 202);

    const feed = await api(alice, 'GET', `/api/v1/events?after=${start}&limit=10`);
    assert.equal(feed.status, 200);
    const items = feed.body.items as {
      id: string;
      type: string;
      set: string;
      data: Record<string, unknown>;
    }[];
    assert.deepEqual(
      items.map((item) => item.type),
      ['member.suspended'],
    );
    assert.equal(items[0]?.id, pushed.jti);
    assert.deepEqual(
      items[0]?.data,
      (pushed.events as Record<string, unknown>)['urn:dataspace-trust:event:member.suspended'],
    );
    await verifySet(service, items[0]?.set ?? '', alice.did);
    assert.deepEqual((await api(alice, 'GET', `/api/v1/events?after=${feed.body.next}`)).body.items, []);
    // Resuming from a pushed SET's `seq` works too; another member's cursor, or a made-up one, does not.
    assert.deepEqual(
      (
        (await api(alice, 'GET', `/api/v1/events?after=${(pushed.seq as number) - 1}`)).body.items as {
          id: string;
        }[]
      ).map((item) => item.id),
      [pushed.jti],
    );
    for (const after of [bobsCursor, 'abc', `${feed.body.next}x`]) {
      const refused = await api(alice, 'GET', `/api/v1/events?after=${encodeURIComponent(after)}`);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 'invalid_after');
    }

    // Bob's token, issued before the suspension, is still unexpired: the registry read refuses it.
    assert.ok(tokens.has(`${bob.did} events`));
    const refused = await api(bob, 'GET', '/api/v1/events');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'member_not_active');
  });
});
