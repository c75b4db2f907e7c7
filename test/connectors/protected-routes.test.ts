/**
 * The connector-token middleware on a protected route (`GET /api/v1/connectors/me`): bearer
 * tokens (RFC 6750 §2.1, §3), checked locally as RFC 9068 JWT access tokens, with the member's
 * registry status read on every request. Every refusal asserts its status, its problem `code`
 * and its `WWW-Authenticate` challenge.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, type JWTPayload, SignJWT } from 'jose';
import * as client from 'openid-client';
import request from 'supertest';
import { createAccessTokenVerifier } from '../../src/oidc/index.js';
import type { Service } from '../../src/service.js';
import { walletLogin } from '../../src/wallet/index.js';
import {
  Browser,
  giveMembership,
  newWallet,
  REDIRECT_URI,
  relyingParty,
  startLogin,
  walletUrls,
} from '../oidc/support.js';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import {
  admit,
  clientAssertion,
  connectorClient,
  type DataSpace,
  decide,
  jwkMember,
  type Member,
  me,
  openDataSpace,
} from './support.js';

describeEachDatabase('the connector-token middleware on a protected route', (fresh) => {
  let database: TestDatabase;
  let space: DataSpace;
  let member: Member;
  let api: string;

  before(async function () {
    this.timeout(120_000);
    database = await fresh();
    space = await openDataSpace(database);
    member = await jwkMember('ES256');
    await admit(space, member, ['data-provider', 'data-consumer'], 'Provider One');
    api = `${space.running.publicUrl}/api`;
  });
  after(async () => space?.close());

  const tokenFor = async (who: Member, scope = 'events'): Promise<string> =>
    (await client.clientCredentialsGrant(await connectorClient(space.running, who), { scope })).access_token;

  /** A token shaped as the provider's, signed with the service's own ES256 key, with `overrides`. */
  const forged = async (overrides: JWTPayload, header: Record<string, unknown> = {}): Promise<string> => {
    const key = await space.service.identity.signingKey('ES256');
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      jti: randomUUID(),
      sub: member.did,
      client_id: member.did,
      iat: now,
      exp: now + 600,
      scope: 'events',
      iss: space.running.issuer,
      aud: api,
      ...overrides,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid, ...header })
      .sign(key.privateKey);
  };

  const refusedAs = async (token: string | undefined, status: number, code: string, error = code) => {
    const answer = await me(space.running, token);
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal(answer.body.code, code);
    assert.match(String(answer.challenge), new RegExp(`^Bearer realm="dataspace-trust", error="${error}"`));
    return answer;
  };

  describe('RFC 6750: the bearer token', () => {
    it('answers 401 with a challenge without error code when no token is sent (§3.1)', async () => {
      const answer = await me(space.running);
      assert.equal(answer.status, 401);
      assert.equal(answer.body.code, 'invalid_token');
      assert.match(
        String(answer.challenge),
        /^Bearer realm="dataspace-trust", scope="notices consents:check/,
      );
      assert.doesNotMatch(String(answer.challenge), /error=/);
    });

    it('refuses another scheme, a malformed header and a token that is not a JWT: invalid_token', async () => {
      for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'Bearer not-a-jwt']) {
        const response = await fetch(`${space.running.publicUrl}/api/v1/connectors/me`, {
          headers: { authorization },
        });
        assert.equal(response.status, 401, authorization);
        assert.equal(((await response.json()) as { code: string }).code, 'invalid_token');
        assert.match(String(response.headers.get('www-authenticate')), /error="invalid_token"/);
      }
    });

    it('lets a valid token through and answers no-store', async () => {
      const response = await fetch(`${space.running.publicUrl}/api/v1/connectors/me`, {
        headers: { authorization: `Bearer ${await tokenFor(member)}` },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
    });
  });

  describe('RFC 9068: what makes an access token valid here (401 invalid_token otherwise)', () => {
    it('refuses an expired token', async () => {
      const now = Math.floor(Date.now() / 1000);
      await refusedAs(await forged({ iat: now - 700, exp: now - 100 }), 401, 'invalid_token');
    });

    it('refuses a real token once its 600 s are over (the verifier with a later clock)', async () => {
      const token = await tokenFor(member);
      const verifier = (at: number) =>
        createAccessTokenVerifier({
          issuer: space.running.issuer,
          audience: api,
          keys: space.service.identity,
          now: () => new Date(Date.now() + at),
        });
      assert.equal((await verifier(590_000).verify(token)).valid, true);
      assert.deepEqual(await verifier(610_000).verify(token), {
        valid: false,
        reason: 'the token has expired',
      });
    });

    it('refuses a token for another audience, from another issuer, or of another type', async () => {
      await refusedAs(await forged({ aud: 'https://elsewhere.example/api' }), 401, 'invalid_token');
      await refusedAs(await forged({ aud: [api, 'https://elsewhere.example/api'] }), 401, 'invalid_token');
      await refusedAs(await forged({ iss: 'https://elsewhere.example/oidc' }), 401, 'invalid_token');
      await refusedAs(await forged({}, { typ: 'JWT' }), 401, 'invalid_token');
    });

    it('refuses a token whose client is not its subject, or is no DID', async () => {
      await refusedAs(await forged({ sub: 'someone-else' }), 401, 'invalid_token');
      await refusedAs(await forged({ sub: 'portal', client_id: 'portal' }), 401, 'invalid_token');
    });

    it('refuses a token signed by a key the service does not publish, or with a broken signature', async () => {
      const real = await tokenFor(member);
      const [head, body] = real.split('.');
      const other = await new SignJWT({ ...JSON.parse(Buffer.from(body as string, 'base64url').toString()) })
        .setProtectedHeader(JSON.parse(Buffer.from(head as string, 'base64url').toString()))
        .sign((await jwkMember('ES256')).connectorKey.key);
      await refusedAs(other, 401, 'invalid_token');
      await refusedAs(`${head}.${body}.${'A'.repeat(86)}`, 401, 'invalid_token');
      await refusedAs(
        await forged({}, { kid: `${space.service.identity.did}#unknown` }),
        401,
        'invalid_token',
      );
    });

    it("refuses a login's tokens: the authorization-code access token and the ID token", async function () {
      this.timeout(30_000);
      const rp = await relyingParty(space.running, ['membership']);
      const wallet = await newWallet();
      await giveMembership(space.service, wallet);
      const browser = new Browser(space.running.publicUrl);
      const started = await startLogin(rp, 'openid membership');
      const page = await browser.navigate(started.authorizationUrl.href);
      const { sameDevice } = walletUrls(await page.response.text());
      const result = await walletLogin(wallet, sameDevice, { resolver: space.service.credentials.resolver });
      const back = await browser.navigate(result.redirectUri as string);
      assert.ok(back.url.startsWith(REDIRECT_URI));
      const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
        pkceCodeVerifier: started.verifier,
        expectedState: started.state,
      });
      await refusedAs(tokens.access_token, 401, 'invalid_token');
      await refusedAs(tokens.id_token as string, 401, 'invalid_token');
    });
  });

  describe('scope (403 insufficient_scope)', () => {
    it('refuses a token without any connector scope and names the scopes in the challenge', async () => {
      const answer = await refusedAs(await forged({ scope: undefined }), 403, 'insufficient_scope');
      assert.match(String(answer.challenge), /scope="notices consents:check events agreements"/);
      await refusedAs(await forged({ scope: 'openid membership' }), 403, 'insufficient_scope');
    });
  });

  describe('the member now (403 member_not_active), read on every request', () => {
    it('ends a token at suspension, refuses new tokens until reinstated, and after revocation for good', async function () {
      this.timeout(60_000);
      const subject = await jwkMember('EdDSA');
      await admit(space, subject, ['data-consumer'], 'Consumer Two');
      const config = await connectorClient(space.running, subject);
      const before = (await client.clientCredentialsGrant(config, { scope: 'events' })).access_token;
      assert.equal((await me(space.running, before)).status, 200);

      await decide(space, 'suspend', subject.did);
      const answer = await refusedAs(before, 403, 'member_not_active');
      assert.equal(answer.body.detail, 'the member is suspended, not active');
      await assert.rejects(
        client.clientCredentialsGrant(config, { scope: 'events' }),
        (error: { error?: string }) => error.error === 'invalid_client',
      );

      await decide(space, 'reinstate', subject.did);
      assert.equal((await me(space.running, before)).status, 200, 'the unexpired token works again');
      const after = (await client.clientCredentialsGrant(config, { scope: 'events' })).access_token;
      assert.equal((await me(space.running, after)).status, 200);

      await decide(space, 'revoke', subject.did);
      await refusedAs(after, 403, 'member_not_active');
      await assert.rejects(
        client.clientCredentialsGrant(config, { scope: 'events' }),
        (error: { error?: string }) => error.error === 'invalid_client',
      );
    });
  });

  describe('key rotation of the service', () => {
    it('verifies a token by a key rotated in elsewhere (reload on an unknown kid), refuses one by a retired key', async function () {
      this.timeout(60_000);
      const old = await tokenFor(member);
      // Another process (the CLI) rotates; a replica started afterwards signs with the new key.
      const operator = await openTestService(database, { PUBLIC_URL: space.running.publicUrl });
      let replica: Service | undefined;
      try {
        await operator.identity.rotate();
        replica = await openTestService(database, { PUBLIC_URL: space.running.publicUrl });
        const answer = await request(replica.app.callback())
          .post('/oidc/token')
          .type('form')
          .send({
            grant_type: 'client_credentials',
            client_id: member.did,
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: await clientAssertion(space.running, member.connectorKey, member.did),
            scope: 'events',
          })
          .expect(200);
        const rotated = answer.body.access_token as string;
        const newKid = decodeProtectedHeader(rotated).kid as string;
        assert.notEqual(newKid, decodeProtectedHeader(old).kid);
        const loaded = (await space.service.identity.document()).verificationMethod.map(
          (method) => method.id,
        );
        assert.ok(!loaded.includes(newKid), 'the serving replica has not loaded the new key yet');
        // Reloads for unknown kids are at most one a second: an earlier test may just have had one.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        assert.equal((await me(space.running, rotated)).status, 200, 'verified after reloading the keys');

        await operator.identity.retire();
        // Each replica reloads its keys within 30 s; here at once.
        space.service.identity.invalidate();
        await refusedAs(old, 401, 'invalid_token');
        assert.equal((await me(space.running, rotated)).status, 200);
      } finally {
        await replica?.close();
        await operator.close();
      }
    });
  });
});
