/**
 * Connector tokens at the token endpoint: a member's connector is an OAuth client whose id is
 * the member's DID (no registration), authenticating with `private_key_jwt` (RFC 7523 §2.2,
 * OpenID Connect Core §9, draft-ietf-oauth-rfc7523bis) by a key of its DID document's
 * `authentication`, and gets a JWT access token (RFC 9068) for the service's API. openid-client
 * 6 is the connector; refusals it would never send are signed by hand.
 */
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader, exportJWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import { describeEachDatabase } from '../support/databases.js';
import {
  admit,
  clientAssertion,
  connectorClient,
  type DataSpace,
  jwkMember,
  keyPair,
  type Member,
  me,
  openDataSpace,
  tokenRequest,
  webMember,
} from './support.js';

const INVALID_CLIENT = { status: 401, error: 'invalid_client' };

describeEachDatabase('connector tokens (client credentials, private_key_jwt by the member DID)', (fresh) => {
  let space: DataSpace;
  let es256: Member;
  let eddsa: Member;

  before(async function () {
    this.timeout(120_000);
    space = await openDataSpace(await fresh());
    es256 = await jwkMember('ES256');
    eddsa = await jwkMember('EdDSA');
    await admit(space, es256, ['data-provider'], 'Provider One');
    await admit(space, eddsa, ['data-consumer'], 'Consumer Two');
  });
  after(async () => space?.close());

  const refused = async (clientId: string, assertion: string, extra: Record<string, string> = {}) => {
    const answer = await tokenRequest(space.running, clientId, assertion, extra);
    return { status: answer.status, error: answer.body.error };
  };

  describe('RFC 9068 JWT access tokens for PUBLIC_URL/api', () => {
    it('issues an ES256 at+jwt token to an active member, with the scopes asked for, for 600 s', async () => {
      const config = await connectorClient(space.running, es256);
      const tokens = await client.clientCredentialsGrant(config, { scope: 'notices consents:check' });
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.equal(tokens.expires_in, 600);
      assert.equal(tokens.scope, 'notices consents:check');
      const header = decodeProtectedHeader(tokens.access_token);
      assert.equal(header.typ, 'at+jwt');
      assert.equal(header.alg, 'ES256');
      assert.ok(String(header.kid).startsWith(`${space.service.identity.did}#`), 'a key of the service DID');
      const claims = decodeJwt(tokens.access_token);
      assert.equal(claims.iss, space.running.issuer);
      assert.equal(claims.aud, `${space.running.publicUrl}/api`);
      assert.equal(claims.client_id, es256.did);
      assert.equal(claims.sub, es256.did);
      assert.equal((claims.exp as number) - (claims.iat as number), 600);
      const answer = await me(space.running, tokens.access_token);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, {
        did: es256.did,
        clientId: es256.did,
        scopes: ['notices', 'consents:check'],
        member: { status: 'active', roles: ['data-provider'], name: 'Provider One' },
        expiresAt: new Date((claims.exp as number) * 1000).toISOString(),
      });
    });

    it('accepts Ed25519 keys, under either name of the algorithm (EdDSA, RFC 9864 Ed25519)', async () => {
      // openid-client signs with `alg: Ed25519`.
      const tokens = await client.clientCredentialsGrant(await connectorClient(space.running, eddsa), {
        scope: 'events',
      });
      assert.equal((await me(space.running, tokens.access_token)).status, 200);
      const byHand = await tokenRequest(
        space.running,
        eddsa.did,
        await clientAssertion(space.running, eddsa.connectorKey, eddsa.did),
        { scope: 'events' },
      );
      assert.equal(byHand.status, 200);
    });

    it('grants only connector scopes that were asked for: unknown ones are dropped, login scopes refused', async () => {
      const config = await connectorClient(space.running, es256);
      const tokens = await client.clientCredentialsGrant(config, { scope: 'agreements made-up' });
      assert.equal(tokens.scope, 'agreements');
      assert.equal(decodeJwt(tokens.access_token).scope, 'agreements');
      await assert.rejects(
        client.clientCredentialsGrant(config, { scope: 'openid membership' }),
        (error: { error?: string }) => error.error === 'invalid_scope',
      );
    });

    it('issues tokens for the API only: another resource indicator is invalid_target (RFC 8707)', async () => {
      const answer = await refused(
        es256.did,
        await clientAssertion(space.running, es256.connectorKey, es256.did),
        { resource: 'https://elsewhere.example/api' },
      );
      assert.deepEqual(answer, { status: 400, error: 'invalid_target' });
    });

    it('gives no relying party a token for the API: its client credentials never name that resource', async () => {
      const { publicKey, privateKey } = await keyPair('ES256');
      await space.service.oidc.clients.add({
        clientId: 'keyed-portal',
        redirectUris: ['https://portal.example/cb'],
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] },
      });
      const assertion = await clientAssertion(
        space.running,
        { key: privateKey, kid: 'k1', alg: 'ES256' },
        'keyed-portal',
      );
      const answer = await refused('keyed-portal', assertion, { resource: `${space.running.publicUrl}/api` });
      assert.deepEqual(answer, { status: 400, error: 'invalid_target' });
    });
  });

  describe('who is a client: an active member, by its DID (invalid_client otherwise)', () => {
    it('refuses a DID that is no member', async () => {
      const stranger = await jwkMember('ES256');
      const assertion = await clientAssertion(space.running, stranger.connectorKey, stranger.did);
      assert.deepEqual(await refused(stranger.did, assertion), INVALID_CLIENT);
    });

    it('refuses an unknown DID: an unsupported method, a did:web that does not resolve, a client id that is no DID', async () => {
      const { privateKey } = await keyPair('ES256');
      for (const did of ['did:example:123', `did:web:localhost%3A${space.web.port}:nobody`, 'connector-1']) {
        const assertion = await clientAssertion(space.running, { key: privateKey, alg: 'ES256' }, did);
        assert.deepEqual(await refused(did, assertion), INVALID_CLIENT, did);
      }
    });

    it('keeps connector scopes from relying parties: the operator cannot register a client for them', async () => {
      await assert.rejects(
        space.service.oidc.clients.add({
          clientId: 'portal-with-notices',
          redirectUris: ['https://portal.example/cb'],
          scopes: ['membership', 'notices'],
        }),
        (error: { code?: string }) => error.code === 'invalid_client_metadata',
      );
      assert.equal(
        (await space.service.oidc.clients.list()).some((c) => c.client_id === 'portal-with-notices'),
        false,
      );
    });

    it('never creates a shared secret: a member client offering one is refused', async () => {
      const response = await fetch(`${space.running.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(es256.did)}:secret`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_client');
    });
  });

  describe('the client assertion (RFC 7523 §3, draft-ietf-oauth-rfc7523bis)', () => {
    it('refuses a key that is not in the DID document, whatever kid it names', async () => {
      const { privateKey } = await keyPair('ES256');
      for (const kid of [es256.connectorKey.kid, `${es256.did}#1`, undefined]) {
        const assertion = await clientAssertion(
          space.running,
          { key: privateKey, alg: 'ES256', ...(kid ? { kid } : {}) },
          es256.did,
        );
        assert.deepEqual(await refused(es256.did, assertion), INVALID_CLIENT, String(kid));
      }
    });

    it('refuses a replayed assertion (jti), also when two uses race', async () => {
      const assertion = await clientAssertion(space.running, es256.connectorKey, es256.did);
      assert.equal((await tokenRequest(space.running, es256.did, assertion)).status, 200);
      assert.deepEqual(await refused(es256.did, assertion), INVALID_CLIENT);
      const racing = await clientAssertion(space.running, es256.connectorKey, es256.did);
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => tokenRequest(space.running, es256.did, racing)),
      );
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 401, 401, 401]);
    });

    it('refuses alg none and HS256 (only ES256 and EdDSA are allowed)', async () => {
      const payload = {
        iss: es256.did,
        sub: es256.did,
        aud: space.running.issuer,
        jti: 'x1',
        exp: 9_999_999_999,
      };
      const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
      assert.deepEqual(await refused(es256.did, none), INVALID_CLIENT);
      const hs256 = await new SignJWT({ ...payload, jti: 'x2' })
        .setProtectedHeader({ alg: 'HS256', kid: es256.connectorKey.kid })
        .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));
      assert.deepEqual(await refused(es256.did, hs256), INVALID_CLIENT);
    });

    it('refuses an audience other than the issuer identifier as one string, and sub other than the client', async () => {
      const key = es256.connectorKey;
      const issuer = space.running.issuer;
      for (const overrides of [
        { aud: `${issuer}/token` },
        { aud: [issuer] },
        { aud: 'https://elsewhere.example/oidc' },
      ]) {
        const assertion = await clientAssertion(space.running, key, es256.did, overrides);
        assert.deepEqual(await refused(es256.did, assertion), INVALID_CLIENT, JSON.stringify(overrides));
      }
      // oidc-provider takes the client id from `sub`: another client_id beside it is a malformed request.
      const otherSubject = await clientAssertion(space.running, key, es256.did, { sub: eddsa.did });
      assert.deepEqual(await refused(es256.did, otherSubject), { status: 400, error: 'invalid_request' });
    });

    it('refuses an expired assertion, one that lives longer than 300 s, one issued in the future, and one typed as another token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const key = es256.connectorKey;
      for (const [overrides, header] of [
        [{ iat: now - 600, exp: now - 300 }, {}],
        [{ exp: now + 3600 }, {}],
        // Issued a day ahead: a pre-signed assertion for later use (rfc7523bis §4: iat not in the future).
        [{ iat: now + 86_400, exp: now + 60 }, {}],
        [{ iat: 'yesterday' as unknown as number, exp: now + 60 }, {}],
        [{}, { typ: 'at+jwt' }],
      ] as const) {
        const assertion = await clientAssertion(space.running, key, es256.did, overrides, header);
        assert.deepEqual(await refused(es256.did, assertion), INVALID_CLIENT, JSON.stringify(overrides));
      }
    });
  });

  describe('did:web members: only keys of the authentication relationship authenticate', () => {
    it('accepts the authentication key and refuses the assertionMethod-only key', async function () {
      this.timeout(30_000);
      const member = await webMember(space.web, 'city');
      await admit(space, member, ['public-authority'], 'City of Example');
      const tokens = await client.clientCredentialsGrant(await connectorClient(space.running, member), {
        scope: 'notices',
      });
      assert.equal((await me(space.running, tokens.access_token)).body.did, member.did);
      const withAssertionKey = await clientAssertion(space.running, member.assertKey, member.did);
      assert.deepEqual(await refused(member.did, withAssertionKey), INVALID_CLIENT);
    });
  });
});
