/**
 * Issue 12, SD-JWT VC §3.2.2.2 and §5: an SD-JWT VC whose `iss` is an https URL, its keys served
 * as `/.well-known/jwt-vc-issuer` metadata by a local server, is trusted where a trust anchor
 * names that URL for the credential's type (`trusted_issuer`), and only there.
 */
import { strict as assert } from 'node:assert';
import { sha256Digest } from '../../../src/credentials/sd-jwt/compact.js';
import { createIssuerKeys } from '../../../src/credentials/sd-jwt/issuer-metadata.js';
import { registryTrust } from '../../../src/credentials/verify/adapters.js';
import { verifyCredential } from '../../../src/credentials/verify/verify-credential.js';
import { createTrustRegistry, loadTrustAnchors } from '../../../src/trust/index.js';
import { startServer, type TestServer } from '../../did/helpers.js';
import { directoryWith } from '../../support/temp-dir.js';
import {
  assertFails,
  assertVerified,
  generateTestKey,
  NOW,
  seconds,
  type TestKey,
} from '../verify/support.js';
import { disclosure, handMade, sdJwtDeps } from './support.js';

const PID_VCT = 'urn:eudi:pid:1';

/** An EU PID as a PID provider named by its URL issues it. */
function pid(issuer: string, key: TestKey): string {
  const claims = {
    given_name: 'Erika',
    family_name: 'Mustermann',
    birthdate: '1964-08-12',
    personal_administrative_number: 'DE-PAN-0001',
    issuing_authority: 'DE',
    issuing_country: 'DE',
  };
  const disclosures = Object.entries(claims).map(([name, value]) => disclosure(`salt-${name}`, name, value));
  return handMade(
    { did: issuer, kid: 'pid-key', key },
    {
      payload: {
        iss: issuer,
        iat: seconds(NOW) - 60,
        exp: seconds(NOW) + 3600,
        vct: PID_VCT,
        cnf: { jwk: generateTestKey('ES256').publicJwk },
        _sd: disclosures.map(sha256Digest),
        _sd_alg: 'sha-256',
      },
      disclosures,
    },
  );
}

/** Verifies with the anchors of `files` loaded in development mode (http://localhost allowed). */
async function verifyWith(token: string, files: Record<string, unknown>) {
  const { dir, remove } = directoryWith(files);
  let anchors: ReturnType<typeof loadTrustAnchors>;
  try {
    anchors = loadTrustAnchors(dir, { developmentMode: true });
  } finally {
    remove();
  }
  const registry = createTrustRegistry({
    anchors,
    serviceDid: 'did:web:trust-service.example',
    serviceTypes: ['MembershipCredential'],
  });
  const deps = sdJwtDeps();
  return verifyCredential(token, {
    ...deps,
    trust: registryTrust(registry),
    sdJwt: { ...deps.sdJwt, issuerKeys: createIssuerKeys({ developmentMode: true }) },
  });
}

describe('SD-JWT VC from an https issuer: trusted_issuer through trust anchors (issue 12)', () => {
  let server: TestServer;
  let issuer: string;
  const key = generateTestKey('ES256');
  beforeEach(async () => {
    server = await startServer();
    issuer = `http://localhost:${server.port}`;
    server.handler = (request, response) => {
      if (request.url !== '/.well-known/jwt-vc-issuer') return void response.writeHead(404).end();
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ issuer, jwks: { keys: [{ ...key.publicJwk, kid: 'pid-key' }] } }));
    };
  });
  afterEach(() => server.close());

  const anchor = (credentialTypes: string[]) => ({
    'pid.json': { issuer, name: 'PID provider', credentialTypes },
  });

  it('verifies a PID from an https issuer listed for PersonIdentificationCredential (trusted_issuer: passed)', async () => {
    const result = await verifyWith(pid(issuer, key), anchor(['PersonIdentificationCredential']));
    assertVerified(result, { status: 'no_status' });
    assert.equal(result.checks.find((c) => c.check === 'trusted_issuer')?.result, 'passed');
  });

  it('refuses a PID from an https issuer no anchor lists (untrusted_issuer)', async () => {
    const result = await verifyWith(pid(issuer, key), {
      'other.json': {
        issuer: 'https://other-pid.example',
        name: 'Other',
        credentialTypes: ['PersonIdentificationCredential'],
      },
    });
    assert.equal(result.checks.find((c) => c.check === 'signature')?.result, 'passed');
    assertFails(result, 'trusted_issuer', 'untrusted_issuer');
  });

  it('refuses a PID from an https issuer listed for another type (type_not_allowed)', async () => {
    assertFails(
      await verifyWith(pid(issuer, key), anchor(['LegalPersonCredential'])),
      'trusted_issuer',
      'type_not_allowed',
    );
  });

  it('refuses a PID whose iss is the listed issuer with a trailing slash: compared exactly (issuer_metadata_mismatch)', async () => {
    // The metadata names the issuer without the slash, so the key lookup fails before trust.
    const result = await verifyWith(pid(`${issuer}/`, key), anchor(['PersonIdentificationCredential']));
    assertFails(result, 'signature', 'issuer_metadata_mismatch');
  });
});
