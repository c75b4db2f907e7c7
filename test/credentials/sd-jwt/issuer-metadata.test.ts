/**
 * SD-JWT VC §5 (JWT VC Issuer Metadata): an SD-JWT VC whose `iss` is an https URL is verified
 * with the key its `kid` names in `{origin}/.well-known/jwt-vc-issuer{path}` (`jwks` inline or
 * at `jwks_uri`), fetched under the did:web transport rules (docs/verification.md): local
 * servers, development-mode loopback rules, and each refusal with its code.
 */
import { strict as assert } from 'node:assert';
import {
  createIssuerKeys,
  type IssuerMetadataOptions,
} from '../../../src/credentials/sd-jwt/issuer-metadata.js';
import { verifyCredential } from '../../../src/credentials/verify/verify-credential.js';
import { fetchBudget } from '../../../src/did/index.js';
import { fixedLookup, startServer, startTlsServer, type TestServer, TLS_CERT } from '../../did/helpers.js';
import { assertFails, generateTestKey, type TestKey } from '../verify/support.js';
import { disclosure, handMade, membershipPayload, sdJwtDeps } from './support.js';

const development: IssuerMetadataOptions = { developmentMode: true };

function signed(issuer: string, key: TestKey, kid = 'key-1'): string {
  const name = disclosure('salt-1', 'legalName', 'Example Data GmbH');
  const signer = { did: issuer, kid, key };
  return handMade(signer, {
    payload: membershipPayload(signer, generateTestKey('EdDSA'), [name], {
      iat: Math.floor(Date.now() / 1000) - 60,
    }),
    disclosures: [name],
  });
}

function jwk(key: TestKey, kid = 'key-1'): Record<string, unknown> {
  return { ...key.publicJwk, kid };
}

async function signatureOf(token: string, options: IssuerMetadataOptions | undefined) {
  const deps = sdJwtDeps();
  const result = await verifyCredential(token, {
    ...deps,
    sdJwt: { ...deps.sdJwt, ...(options ? { issuerKeys: createIssuerKeys(options) } : {}) },
  });
  return result;
}

function signatureCheck(result: Awaited<ReturnType<typeof signatureOf>>) {
  return result.checks.find((c) => c.check === 'signature');
}

function serve(server: TestServer, documents: Record<string, unknown>): void {
  server.handler = (request, response) => {
    const document = documents[request.url ?? ''];
    if (document === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
  };
}

describe('SD-JWT VC §5: keys of an https issuer from /.well-known/jwt-vc-issuer', () => {
  let server: TestServer;
  let issuer: string;
  const key = generateTestKey('ES256');
  beforeEach(async () => {
    server = await startServer();
    issuer = `http://localhost:${server.port}`;
  });
  afterEach(() => server.close());

  it('verifies the signature with the key the kid names in inline jwks', async () => {
    serve(server, {
      '/.well-known/jwt-vc-issuer': {
        issuer,
        jwks: { keys: [jwk(generateTestKey('EdDSA'), 'old'), jwk(key)] },
      },
    });
    const result = await signatureOf(signed(issuer, key), development);
    assert.equal(signatureCheck(result)?.result, 'passed', JSON.stringify(result.checks));
    // An https issuer is trusted only where the registry lists it: no anchor here.
    assertFails(result, 'trusted_issuer', 'untrusted_issuer');
  });

  it('fetches the JWK Set from jwks_uri on the issuer origin, and the metadata of an issuer with a path at /.well-known/jwt-vc-issuer/<path>', async () => {
    const withPath = `${issuer}/tenants/a`;
    serve(server, {
      '/.well-known/jwt-vc-issuer/tenants/a': { issuer: withPath, jwks_uri: `${issuer}/jwks.json` },
      '/jwks.json': { keys: [jwk(key)] },
    });
    const result = await signatureOf(signed(withPath, key), development);
    assert.equal(signatureCheck(result)?.result, 'passed', JSON.stringify(result.checks));
    assert.deepEqual(server.requests, ['/.well-known/jwt-vc-issuer/tenants/a', '/jwks.json']);
  });

  it('keeps the keys in its cache: a second verification fetches nothing', async () => {
    serve(server, { '/.well-known/jwt-vc-issuer': { issuer, jwks: { keys: [jwk(key)] } } });
    const issuerKeys = createIssuerKeys(development);
    const deps = sdJwtDeps();
    for (let i = 0; i < 2; i++) {
      const result = await verifyCredential(signed(issuer, key), {
        ...deps,
        sdJwt: { ...deps.sdJwt, issuerKeys },
      });
      assert.equal(signatureCheck(result)?.result, 'passed');
    }
    assert.equal(server.requests.length, 1);
  });

  it('takes one fetch of the request budget per document: none left, nothing fetched (fetch_budget_exhausted)', async () => {
    serve(server, { '/.well-known/jwt-vc-issuer': { issuer, jwks: { keys: [jwk(key)] } } });
    const deps = sdJwtDeps();
    const result = await verifyCredential(
      signed(issuer, key),
      { ...deps, sdJwt: { ...deps.sdJwt, issuerKeys: createIssuerKeys(development) } },
      fetchBudget(0),
    );
    assertFails(result, 'signature', 'fetch_budget_exhausted');
    assert.equal(server.requests.length, 0);
  });

  it('refuses a key whose alg is not its curve’s (unsupported_key)', async () => {
    serve(server, {
      '/.well-known/jwt-vc-issuer': { issuer, jwks: { keys: [{ ...jwk(key), alg: 'EdDSA' }] } },
    });
    assertFails(await signatureOf(signed(issuer, key), development), 'signature', 'unsupported_key');
  });

  it('refuses a kid the metadata does not list (unknown_key)', async () => {
    serve(server, { '/.well-known/jwt-vc-issuer': { issuer, jwks: { keys: [jwk(key)] } } });
    assertFails(await signatureOf(signed(issuer, key, 'key-2'), development), 'signature', 'unknown_key');
  });

  it('refuses a signature by a key other than the one the kid names (invalid_signature)', async () => {
    serve(server, { '/.well-known/jwt-vc-issuer': { issuer, jwks: { keys: [jwk(key)] } } });
    assertFails(
      await signatureOf(signed(issuer, generateTestKey('ES256')), development),
      'signature',
      'invalid_signature',
    );
  });

  it('refuses metadata whose issuer is not the iss (issuer_metadata_mismatch)', async () => {
    serve(server, {
      '/.well-known/jwt-vc-issuer': { issuer: 'https://other.example', jwks: { keys: [jwk(key)] } },
    });
    assertFails(await signatureOf(signed(issuer, key), development), 'signature', 'issuer_metadata_mismatch');
  });

  it('refuses metadata with both jwks and jwks_uri, or a jwks_uri on another origin (invalid_issuer_metadata)', async () => {
    serve(server, {
      '/.well-known/jwt-vc-issuer': { issuer, jwks: { keys: [jwk(key)] }, jwks_uri: `${issuer}/jwks.json` },
    });
    assertFails(await signatureOf(signed(issuer, key), development), 'signature', 'invalid_issuer_metadata');
    serve(server, { '/.well-known/jwt-vc-issuer': { issuer, jwks_uri: 'http://127.0.0.1:1/jwks.json' } });
    assertFails(await signatureOf(signed(issuer, key), development), 'signature', 'invalid_issuer_metadata');
  });

  it('refuses a JWK with private members (unsupported_key)', async () => {
    const privateJwk = { ...jwk(key), d: Buffer.from(key.privateBytes).toString('base64url') };
    serve(server, { '/.well-known/jwt-vc-issuer': { issuer, jwks: { keys: [privateJwk] } } });
    assertFails(await signatureOf(signed(issuer, key), development), 'signature', 'unsupported_key');
  });

  it('refuses metadata larger than the size cap (too_large)', async () => {
    serve(server, {
      '/.well-known/jwt-vc-issuer': { issuer, jwks: { keys: [jwk(key)] }, padding: 'x'.repeat(4096) },
    });
    assertFails(
      await signatureOf(signed(issuer, key), { ...development, maxBytes: 1024 }),
      'signature',
      'too_large',
    );
  });

  it('does not follow a redirect, to another host or any other (redirect_refused)', async () => {
    server.handler = (_request, response) =>
      void response.writeHead(302, { location: 'https://elsewhere.example/.well-known/jwt-vc-issuer' }).end();
    assertFails(await signatureOf(signed(issuer, key), development), 'signature', 'redirect_refused');
  });

  it('refuses plain http outside development (insecure_transport)', async () => {
    serve(server, { '/.well-known/jwt-vc-issuer': { issuer, jwks: { keys: [jwk(key)] } } });
    assertFails(
      await signatureOf(signed(issuer, key), { developmentMode: false }),
      'signature',
      'insecure_transport',
    );
    assert.equal(server.requests.length, 0);
  });

  it('refuses an issuer URL with a query or userinfo (invalid_issuer)', async () => {
    assertFails(
      await signatureOf(signed(`${issuer}/?tenant=a`, key), development),
      'signature',
      'invalid_issuer',
    );
    assertFails(
      await signatureOf(signed(`http://user@localhost:${server.port}`, key), development),
      'signature',
      'invalid_issuer',
    );
  });

  it('refuses an https issuer where the service has no issuer metadata source (unsupported_issuer)', async () => {
    assertFails(await signatureOf(signed(issuer, key), undefined), 'signature', 'unsupported_issuer');
  });
});

describe('SD-JWT VC §5 over https: the did:web address rules', () => {
  let server: TestServer;
  const key = generateTestKey('EdDSA');
  beforeEach(async () => {
    server = await startTlsServer();
  });
  afterEach(() => server.close());

  it('verifies with metadata served over https (development mode may reach a loopback address)', async () => {
    const issuer = `https://did.example.test:${server.port}`;
    serve(server, { '/.well-known/jwt-vc-issuer': { issuer, jwks: { keys: [jwk(key)] } } });
    const result = await signatureOf(signed(issuer, key), {
      developmentMode: true,
      transport: { lookup: fixedLookup('127.0.0.1'), ca: TLS_CERT },
    });
    assert.equal(signatureCheck(result)?.result, 'passed', JSON.stringify(result.checks));
  });

  it('refuses a name that resolves to a private address outside development, without connecting (private_address)', async () => {
    const issuer = `https://did.example.test:${server.port}`;
    serve(server, { '/.well-known/jwt-vc-issuer': { issuer, jwks: { keys: [jwk(key)] } } });
    const result = await signatureOf(signed(issuer, key), {
      developmentMode: false,
      transport: { lookup: fixedLookup('127.0.0.1'), ca: TLS_CERT },
    });
    assertFails(result, 'signature', 'private_address');
    assert.equal(server.requests.length, 0);
  });
});
