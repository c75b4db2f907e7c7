/**
 * RFC 9126 pushed authorization requests at the issuer (HAIP): `POST /oid4vci/par` checks the
 * request as the authorization endpoint does and answers a single-use `request_uri` of one
 * minute; the authorization endpoint takes it with `client_id` only. Every refusal asserts its
 * code. The OpenWallet Foundation's `@openid4vc/openid4vci` pushes its requests end to end in
 * test/oid4vci/authorization-code.test.ts (the metadata names the endpoint, so it always does).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { describeEachDatabase } from '../support/databases.js';
import { type World, world } from './support.js';

const JWT_VC = 'MembershipCredential_jwt_vc_json';
const WALLET = 'https://wallet.example/client';
const REDIRECT = 'https://wallet.example/callback';

/** The parameters of a good authorization request, with `changes` (undefined removes one). */
function parameters(changes: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: WALLET,
    redirect_uri: REDIRECT,
    code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
    code_challenge_method: 'S256',
    scope: JWT_VC,
    state: 'wallet-state',
    ...changes,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

describeEachDatabase('RFC 9126 pushed authorization requests at the OpenID4VCI issuer', (fresh) => {
  let w: World;

  before(async function () {
    this.timeout(60_000);
    w = await world(await fresh(), { RATE_LIMIT_PER_ADDRESS: '200' });
  });
  after(async () => w?.running.close());

  const push = (form: Record<string, string> | string) =>
    request(w.app).post('/oid4vci/par').type('form').send(form);
  const authorize = (query: Record<string, string>) =>
    request(w.app).get(`/oid4vci/authorize?${new URLSearchParams(query).toString()}`);
  const pushed = async (changes: Record<string, string | undefined> = {}) =>
    (await push(parameters(changes)).expect(201)).body as { request_uri: string; expires_in: number };

  it('advertises the endpoint in the authorization server metadata (§5), not required by default', async () => {
    const as = (await request(w.app).get('/.well-known/oauth-authorization-server').expect(200)).body;
    assert.equal(as.pushed_authorization_request_endpoint, `${w.issuer}/oid4vci/par`);
    assert.equal(as.require_pushed_authorization_requests, false);
  });

  describe('§2 the pushed request', () => {
    it('answers a request_uri of this issuer living 60 seconds (§2.2)', async () => {
      const answer = await push(parameters()).expect(201);
      assert.match(answer.body.request_uri, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
      assert.equal(answer.body.expires_in, 60);
      assert.equal(answer.headers['cache-control'], 'no-store');
    });
    it('refuses a request without PKCE (invalid_request)', async () =>
      assert.equal(
        (await push(parameters({ code_challenge: undefined })).expect(400)).body.error,
        'invalid_request',
      ));
    it('refuses response_type token (unsupported_response_type)', async () =>
      assert.equal(
        (await push(parameters({ response_type: 'token' })).expect(400)).body.error,
        'unsupported_response_type',
      ));
    it('refuses an unknown scope (invalid_scope)', async () =>
      assert.equal((await push(parameters({ scope: 'nothing' })).expect(400)).body.error, 'invalid_scope'));
    it('refuses a javascript: redirect_uri (invalid_request)', async () =>
      assert.equal(
        (await push(parameters({ redirect_uri: 'javascript:alert(1)' })).expect(400)).body.error,
        'invalid_request',
      ));
    it('refuses an unknown issuer_state (invalid_request)', async () =>
      assert.equal(
        (await push(parameters({ issuer_state: 'A'.repeat(43) })).expect(400)).body.error,
        'invalid_request',
      ));
    it('refuses a request_uri inside a pushed request (§2.1, invalid_request)', async () =>
      assert.equal(
        (await push(parameters({ request_uri: 'urn:ietf:params:oauth:request_uri:x' })).expect(400)).body
          .error,
        'invalid_request',
      ));
    it('refuses a request object (RFC 9101) instead of ignoring it (request_not_supported)', async () =>
      assert.equal(
        (
          await push(
            parameters({ request: 'eyJhbGciOiJub25lIn0.eyJyZWRpcmVjdF91cmkiOiJodHRwczovL2V2aWwifQ.' }),
          ).expect(400)
        ).body.error,
        'request_not_supported',
      ));
    it('refuses a repeated parameter (invalid_request)', async () => {
      const form = `${new URLSearchParams(parameters()).toString()}&scope=${JWT_VC}`;
      assert.equal((await push(form).expect(400)).body.error, 'invalid_request');
    });
    it('refuses a JSON body (invalid_request)', async () =>
      assert.equal(
        (await request(w.app).post('/oid4vci/par').send(parameters()).expect(400)).body.error,
        'invalid_request',
      ));
  });

  describe('§4 the authorization request by reference', () => {
    it('opens the page for client_id and request_uri, once', async () => {
      const { request_uri } = await pushed();
      const page = await authorize({ client_id: WALLET, request_uri }).expect(200);
      assert.match(page.headers['content-type'] ?? '', /^text\/html/);
      const again = await authorize({ client_id: WALLET, request_uri }).expect(400);
      assert.equal(again.body.error, 'invalid_request');
    });
    it('refuses another client_id, and spends nothing', async () => {
      const { request_uri } = await pushed();
      assert.equal(
        (await authorize({ client_id: 'https://other.example', request_uri }).expect(400)).body.error,
        'invalid_request',
      );
      await authorize({ client_id: WALLET, request_uri }).expect(200);
    });
    it('refuses other parameters beside client_id and request_uri', async () => {
      const { request_uri } = await pushed();
      const mixed = await authorize({ client_id: WALLET, request_uri, scope: JWT_VC }).expect(400);
      assert.equal(mixed.body.error, 'invalid_request');
    });
    it('refuses a request_uri without client_id', async () => {
      const { request_uri } = await pushed();
      assert.equal((await authorize({ request_uri }).expect(400)).body.error, 'invalid_request');
    });
    it('refuses an unknown request_uri', async () =>
      assert.equal(
        (
          await authorize({
            client_id: WALLET,
            request_uri: `urn:ietf:params:oauth:request_uri:${randomBytes(32).toString('base64url')}`,
          }).expect(400)
        ).body.error,
        'invalid_request',
      ));
    it('refuses an expired request_uri', async () => {
      const { request_uri } = await pushed();
      // Its minute is over: set its expiry in the past, as the clock would.
      await w.service.dataSource.query(
        `UPDATE oid4vci_pushed_request SET expires_at = '2000-01-01T00:00:00.000Z'`,
      );
      assert.equal(
        (await authorize({ client_id: WALLET, request_uri }).expect(400)).body.error,
        'invalid_request',
      );
    });
  });
});

describeEachDatabase('OID4VCI_REQUIRE_PAR: only pushed authorization requests', (fresh) => {
  let w: World;

  before(async function () {
    this.timeout(60_000);
    w = await world(await fresh(), { OID4VCI_REQUIRE_PAR: 'true' });
  });
  after(async () => w?.running.close());

  it('says so in the metadata, refuses a plain request (invalid_request) and takes a pushed one', async () => {
    const as = (await request(w.app).get('/.well-known/oauth-authorization-server').expect(200)).body;
    assert.equal(as.require_pushed_authorization_requests, true);
    const plain = await request(w.app)
      .get(`/oid4vci/authorize?${new URLSearchParams(parameters()).toString()}`)
      .expect(400);
    assert.equal(plain.body.error, 'invalid_request');
    const { request_uri } = (
      await request(w.app).post('/oid4vci/par').type('form').send(parameters()).expect(201)
    ).body;
    await request(w.app)
      .get(`/oid4vci/authorize?${new URLSearchParams({ client_id: WALLET, request_uri }).toString()}`)
      .expect(200);
  });
});
