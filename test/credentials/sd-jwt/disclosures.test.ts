/**
 * RFC 9901 §7.1 (verification of the SD-JWT) and SD-JWT VC §3.2: the issuer-signed JWT and
 * its disclosures, each refusal with its code. Tokens are made by hand so that each test says
 * exactly which bytes are sent.
 */
import { strict as assert } from 'node:assert';
import { sha256Digest } from '../../../src/credentials/sd-jwt/compact.js';
import { verifyCredential } from '../../../src/credentials/verify/verify-credential.js';
import {
  addSeconds,
  assertFails,
  assertVerified,
  didJwkSigner,
  generateTestKey,
  NOW,
  seconds,
  signJws,
} from '../verify/support.js';
import { disclosure, handMade, membershipPayload, sdJwtDeps } from './support.js';

const issuer = didJwkSigner('EdDSA');
const holder = generateTestKey('EdDSA');
const deps = sdJwtDeps({ anchors: [{ did: issuer.did, credentialTypes: ['MembershipCredential'] }] });
const NAME = disclosure('salt-1', 'legalName', 'Example Data GmbH');
const ROLES = disclosure('salt-2', 'roles', ['data-provider']);

const made = (disclosures: string[], sent: string[] = disclosures, extra: Record<string, unknown> = {}) =>
  handMade(issuer, { payload: membershipPayload(issuer, holder, disclosures, extra), disclosures: sent });

describe('SD-JWT VC: the issuer-signed JWT (SD-JWT VC §3.2.1, RFC 9901 §7.1 step 2)', () => {
  it('verifies a well-formed hand-made credential', async () => {
    const result = await verifyCredential(made([NAME, ROLES]), deps);
    assertVerified(result, { status: 'no_status' });
    assert.deepEqual(result.claims?.roles, ['data-provider']);
  });

  it('accepts the legacy typ vc+sd-jwt', async () => {
    const token = handMade(issuer, {
      payload: membershipPayload(issuer, holder, [NAME]),
      disclosures: [NAME],
      header: { typ: 'vc+sd-jwt' },
    });
    assertVerified(await verifyCredential(token, deps), { status: 'no_status' });
  });

  it('refuses a typ other than dc+sd-jwt', async () => {
    const token = handMade(issuer, {
      payload: membershipPayload(issuer, holder, [NAME]),
      disclosures: [NAME],
      header: { typ: 'JWT' },
    });
    assertFails(await verifyCredential(token, deps), 'format', 'wrong_type');
  });

  it('refuses a credential without vct', async () => {
    assertFails(
      await verifyCredential(made([NAME], [NAME], { vct: undefined }), deps),
      'format',
      'missing_vct',
    );
  });

  it('refuses alg none', async () => {
    const jws = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dc+sd-jwt', kid: issuer.kid })).toString('base64url')}.${Buffer.from(JSON.stringify(membershipPayload(issuer, holder, []))).toString('base64url')}.`;
    const result = await verifyCredential(`${jws}~`, deps);
    assert.equal(result.verified, false);
    assert.equal(result.checks[0]?.code, 'malformed');
  });

  it('refuses an issuer-signed JWT without kid', async () => {
    const token = handMade(issuer, {
      payload: membershipPayload(issuer, holder, []),
      disclosures: [],
      header: { kid: undefined },
    });
    assertFails(await verifyCredential(token, deps), 'signature', 'missing_kid');
  });

  it('refuses a signature by another key than the issuer DID names', async () => {
    const other = didJwkSigner('EdDSA');
    const payload = membershipPayload(issuer, holder, [NAME]);
    const jws = signJws({ alg: 'EdDSA', typ: 'dc+sd-jwt', kid: issuer.kid }, payload, other.key);
    assertFails(await verifyCredential(`${jws}~${NAME}~`, deps), 'signature', 'invalid_signature');
  });

  it('refuses an https issuer (no jwt-vc-issuer metadata is resolved)', async () => {
    assertFails(
      await verifyCredential(made([NAME], [NAME], { iss: 'https://issuer.example' }), deps),
      'signature',
      'unsupported_issuer',
    );
  });

  it('refuses an expired credential', async () => {
    const result = await verifyCredential(
      made([NAME], [NAME], { exp: seconds(addSeconds(NOW, -3600)) }),
      deps,
    );
    assertFails(result, 'validity', 'expired');
  });

  it('refuses a credential not yet valid', async () => {
    const result = await verifyCredential(
      made([NAME], [NAME], { nbf: seconds(addSeconds(NOW, 3600)) }),
      deps,
    );
    assertFails(result, 'validity', 'not_yet_valid');
  });
});

describe('SD-JWT: disclosures (RFC 9901 §7.1 steps 3–5, §4.2)', () => {
  it('refuses a disclosure whose digest is missing from _sd', async () => {
    assertFails(
      await verifyCredential(made([NAME], [NAME, ROLES]), deps),
      'disclosures',
      'unreferenced_disclosure',
    );
  });

  it('refuses a tampered disclosure (its digest was never signed)', async () => {
    const tampered = disclosure('salt-1', 'legalName', 'Someone Else Ltd');
    assertFails(
      await verifyCredential(made([NAME], [tampered]), deps),
      'disclosures',
      'unreferenced_disclosure',
    );
  });

  it('refuses a disclosure sent twice', async () => {
    assertFails(
      await verifyCredential(made([NAME], [NAME, NAME]), deps),
      'disclosures',
      'duplicate_disclosure',
    );
  });

  it('refuses a digest embedded twice in the payload', async () => {
    const payload = membershipPayload(issuer, holder, [NAME, NAME]);
    const token = handMade(issuer, { payload, disclosures: [NAME] });
    assertFails(await verifyCredential(token, deps), 'disclosures', 'duplicate_digest');
  });

  it('refuses a digest embedded in two _sd arrays', async () => {
    const payload = { ...membershipPayload(issuer, holder, [NAME]), address: { _sd: [sha256Digest(NAME)] } };
    assertFails(
      await verifyCredential(handMade(issuer, { payload, disclosures: [NAME] }), deps),
      'disclosures',
      'duplicate_digest',
    );
  });

  it('refuses _sd_alg sha-512', async () => {
    const result = await verifyCredential(made([NAME], [NAME], { _sd_alg: 'sha-512' }), deps);
    assertFails(result, 'disclosures', 'unsupported_sd_alg');
  });

  for (const claim of ['iss', 'vct', 'cnf', 'status', 'nbf', 'exp'])
    it(`refuses a selectively disclosed ${claim}`, async () => {
      const reserved = disclosure('salt-r', claim, claim === 'cnf' || claim === 'status' ? {} : 'x');
      const base = membershipPayload(issuer, holder, [reserved]);
      // iss and vct stay in clear too (without them the format check refuses first).
      if (claim !== 'iss' && claim !== 'vct') delete base[claim];
      const token = handMade(issuer, { payload: base, disclosures: [reserved] });
      const result = await verifyCredential(token, deps);
      assert.equal(result.verified, false);
      assert.equal(result.checks.find((c) => c.check === 'disclosures')?.code, 'reserved_claim');
    });

  it('refuses a disclosed _sd', async () => {
    const reserved = disclosure('salt-r', '_sd', ['x']);
    assertFails(await verifyCredential(made([reserved]), deps), 'disclosures', 'reserved_claim');
  });

  it('refuses a disclosed claim that is also in clear', async () => {
    const result = await verifyCredential(made([NAME], [NAME], { legalName: 'Clear Name' }), deps);
    assertFails(result, 'disclosures', 'claim_collision');
  });

  it('refuses an array-element disclosure used as a property digest', async () => {
    const element = disclosure('salt-e', 'data-provider');
    assertFails(await verifyCredential(made([element]), deps), 'disclosures', 'malformed_disclosure');
  });

  it('refuses a disclosure whose salt is not a string', async () => {
    const bad = disclosure(42, 'legalName', 'x');
    const result = await verifyCredential(made([bad]), deps);
    assertFails(result, 'format', 'malformed_disclosure');
  });

  it('refuses a disclosure in non-canonical base64url (padded)', async () => {
    const token = made([NAME], [NAME]).replace(`~${NAME}~`, `~${NAME}=~`);
    assertFails(await verifyCredential(token, deps), 'format', 'malformed_disclosure');
  });

  it('refuses a disclosure of four elements', async () => {
    const bad = disclosure('s', 'legalName', 'x', 'y');
    assertFails(await verifyCredential(made([bad]), deps), 'format', 'malformed_disclosure');
  });

  it('discloses array elements and drops decoy digests', async () => {
    const element = disclosure('salt-e', 'data-consumer');
    const payload = {
      ...membershipPayload(issuer, holder, [NAME]),
      roles: [{ '...': sha256Digest(element) }, 'data-provider', { '...': sha256Digest('decoy') }],
    };
    const result = await verifyCredential(handMade(issuer, { payload, disclosures: [NAME, element] }), deps);
    assertVerified(result, { status: 'no_status' });
    assert.deepEqual(result.claims?.roles, ['data-consumer', 'data-provider']);
  });

  it('refuses a disclosed claim that violates the vct schema', async () => {
    const bad = disclosure('salt-b', 'roles', ['emperor']);
    assertFails(await verifyCredential(made([bad]), deps), 'schema', 'schema_violation');
  });
});
