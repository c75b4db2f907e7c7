/**
 * RS256 for relying parties (issue 9, item 6; OpenID Connect Core §15.1 and Discovery §3: an OP
 * must support RS256). The service has an RSA token key, created with its DID's keys, encrypted
 * at rest, rotated with them, published in the provider's JWKS and never in the DID document; a
 * client registered for RS256 gets RS256 ID tokens, which openid-client verifies.
 */
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, type JWK, jwtVerify } from 'jose';
import * as client from 'openid-client';
import request from 'supertest';
import { walletLogin } from '../../src/wallet/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import {
  Browser,
  giveMembership,
  newWallet,
  ORGANISATION,
  REDIRECT_URI,
  type Running,
  startLogin,
  startService,
  walletUrls,
} from './support.js';

interface Jwks {
  keys: (JWK & { kid: string })[];
}

describeEachDatabase('RS256 ID tokens', (fresh) => {
  let running: Running;

  before(async function () {
    this.timeout(60_000);
    running = await startService(await fresh());
  });
  after(async () => running?.close());

  it('advertises RS256, ES256 and EdDSA for ID tokens, and publishes a 2048-bit RSA key outside the DID document', async () => {
    const app = running.service.app.callback();
    const discovery = await request(app).get('/oidc/.well-known/openid-configuration').expect(200);
    assert.deepEqual([...discovery.body.id_token_signing_alg_values_supported].sort(), [
      'ES256',
      'EdDSA',
      'RS256',
    ]);
    const jwks = (await request(app).get('/oidc/jwks').expect(200)).body as Jwks;
    const rsa = jwks.keys.filter((key) => key.kty === 'RSA');
    assert.equal(rsa.length, 1);
    const key = rsa[0] as JWK & { kid: string };
    assert.equal(key.alg, 'RS256');
    assert.equal(key.use, 'sig');
    assert.equal(key.d, undefined, 'no private member');
    assert.ok(Buffer.from(key.n as string, 'base64url').length * 8 >= 2048);
    const document = (await request(app).get('/.well-known/did.json').expect(200)).body;
    assert.ok(!JSON.stringify(document).includes(key.kid), 'the token key is not a DID key');
    assert.ok(
      document.verificationMethod.every((method: { publicKeyJwk: JWK }) => method.publicKeyJwk.kty !== 'RSA'),
    );
  });

  it('signs the ID token of a client registered for RS256 with RS256, and openid-client verifies it', async () => {
    const registered = await running.service.oidc.clients.add({
      clientId: 'rsa-portal',
      redirectUris: [REDIRECT_URI],
      scopes: ['membership'],
      idTokenSignedResponseAlg: 'RS256',
    });
    assert.equal(registered.id_token_signed_response_alg, 'RS256');
    const secret = registered.client_secret as string;
    // openid-client's defaults (RS256 expected), plus the signature check of the ID token.
    const rp = await client.discovery(
      new URL(running.issuer),
      'rsa-portal',
      secret,
      client.ClientSecretBasic(secret),
      { execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks] },
    );
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    const browser = new Browser(running.publicUrl);
    const started = await startLogin(rp, 'openid membership');
    const page = await browser.navigate(started.authorizationUrl.href);
    const login = await walletLogin(wallet, walletUrls(await page.response.text()).sameDevice, {
      resolver: running.service.credentials.resolver,
    });
    const back = await browser.navigate(login.redirectUri as string);
    const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    assert.equal(tokens.claims()?.organisation, ORGANISATION);
    const idToken = tokens.id_token as string;
    assert.equal(decodeProtectedHeader(idToken).alg, 'RS256');
    const jwks = (await (await fetch(`${running.issuer}/jwks`)).json()) as Jwks;
    const { payload } = await jwtVerify(idToken, createLocalJWKSet(jwks), {
      issuer: running.issuer,
      audience: 'rsa-portal',
      algorithms: ['RS256'],
    });
    assert.equal(payload.sub, tokens.claims()?.sub);
  });

  it('refuses a client asking for an algorithm outside RS256, ES256 and EdDSA (invalid_client_metadata)', async () => {
    await assert.rejects(
      running.service.oidc.clients.add({
        clientId: 'hs-portal',
        redirectUris: [REDIRECT_URI],
        idTokenSignedResponseAlg: 'HS256',
      }),
      (error: { code?: string }) => error.code === 'invalid_client_metadata',
    );
  });
});

describeEachDatabase('the RSA token key at rest and in rotation', (fresh) => {
  it('is encrypted at rest, rotated with `keys rotate` and retired with `keys retire`', async function () {
    this.timeout(60_000);
    const database = await fresh();
    let service = await openTestService(database);
    const first = await service.identity.tokenSigningKey();
    const [stored] = (await service.dataSource.query(
      service.dataSource.options.type === 'postgres'
        ? 'SELECT "privateKeyHex" FROM "private-key" WHERE alias = $1'
        : 'SELECT "privateKeyHex" FROM "private-key" WHERE alias = ?',
      [first.kid],
    )) as { privateKeyHex: string }[];
    assert.ok(stored, 'the private key is in the encrypted key store');
    const plain = first.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('hex');
    assert.notEqual(stored.privateKeyHex, plain);
    assert.throws(() =>
      createPrivateKey({ key: Buffer.from(stored.privateKeyHex, 'hex'), format: 'der', type: 'pkcs8' }),
    );

    const rotated = await service.identity.rotate();
    assert.deepEqual(rotated.tokenKeys.previous, [first.kid]);
    assert.equal(rotated.tokenKeys.added.length, 1);
    await service.close();
    service = await openTestService(database);
    try {
      const jwks = (await request(service.app.callback()).get('/oidc/jwks').expect(200)).body as Jwks;
      const rsa = jwks.keys.filter((key) => key.kty === 'RSA').map((key) => key.kid);
      assert.deepEqual(rsa, rotated.tokenKeys.added, 'the provider signs with the new key');
      await service.identity.retire();
      const [gone] = (await service.dataSource.query(
        service.dataSource.options.type === 'postgres'
          ? 'SELECT count(*) AS n FROM "private-key" WHERE alias = $1'
          : 'SELECT count(*) AS n FROM "private-key" WHERE alias = ?',
        [first.kid],
      )) as { n: number | string }[];
      assert.equal(Number(gone?.n), 0, 'the retired private key is deleted');
    } finally {
      await service.close();
    }
  });
});

describeEachDatabase('a running provider after `keys rotate` elsewhere', (fresh) => {
  it('signs with the rotated keys without a restart: its JWKS carries the new keys, not the old ones', async function () {
    this.timeout(60_000);
    const database = await fresh();
    const replica = await openTestService(database);
    const operator = await openTestService(database, {}, { quiet: true });
    try {
      const kidsOf = async () =>
        ((await request(replica.app.callback()).get('/oidc/jwks').expect(200)).body as Jwks).keys.map(
          (key) => key.kid,
        );
      const before = await kidsOf();
      const rotated = await operator.identity.rotate();
      const added = [...rotated.added.map((key) => key.id), ...rotated.tokenKeys.added];
      // The replica's identity cache has expired (30 s in production); then the provider checks.
      replica.identity.invalidate();
      await replica.oidc.refreshKeys();
      const after = await kidsOf();
      assert.equal(after.length, before.length);
      for (const kid of added) assert.ok(after.includes(kid), `the JWKS has ${kid}`);
      for (const kid of before) assert.ok(!after.includes(kid), `the JWKS no longer signs with ${kid}`);
      // Discovery and the rest of the provider keep answering on the new instance.
      await request(replica.app.callback()).get('/oidc/.well-known/openid-configuration').expect(200);
    } finally {
      await operator.close();
      await replica.close();
    }
  });
});
