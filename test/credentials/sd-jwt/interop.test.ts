/**
 * Interoperability with the OpenWallet Foundation's `@sd-jwt/sd-jwt-vc` as the other party:
 * SD-JWT VCs that library issues (did:jwk and did:key issuers, EdDSA and ES256) verify here,
 * as credentials (no key binding) and as presentations (with the library's KB-JWT).
 */
import { strict as assert } from 'node:assert';
import { verifyCredential } from '../../../src/credentials/verify/verify-credential.js';
import { verifyPresentation } from '../../../src/credentials/verify/verify-presentation.js';
import {
  ALGORITHMS,
  assertFails,
  assertVerified,
  didJwkSigner,
  didKeySigner,
  generateTestKey,
} from '../verify/support.js';
import {
  libraryMembership,
  libraryPresentation,
  MEMBERSHIP_CLAIMS,
  NONCE,
  sdJwtDeps,
  VERIFIER,
} from './support.js';

const MEMBERSHIP = ['MembershipCredential'];

describe('SD-JWT VC interoperability: made by @sd-jwt/sd-jwt-vc, verified here', () => {
  for (const alg of ALGORITHMS) {
    for (const [method, make] of [
      ['did:jwk', didJwkSigner],
      ['did:key', didKeySigner],
    ] as const) {
      it(`verifies a ${alg} credential from a ${method} issuer without key binding, every claim disclosed`, async () => {
        const issuer = make(alg);
        const holder = generateTestKey(alg);
        const credential = await libraryMembership(issuer, holder);
        const deps = sdJwtDeps({ anchors: [{ did: issuer.did, credentialTypes: MEMBERSHIP }] });
        const result = await verifyCredential(credential, deps);
        assertVerified(result, { status: 'no_status' });
        assert.equal(result.format, 'dc+sd-jwt');
        assert.deepEqual(result.types, ['VerifiableCredential', 'MembershipCredential']);
        assert.equal(result.claims?.legalName, MEMBERSHIP_CLAIMS.legalName);
        assert.deepEqual(result.claims?.roles, MEMBERSHIP_CLAIMS.roles);
        assert.equal(result.claims?._sd, undefined);
      });

      it(`verifies a ${alg} presentation from a ${method} issuer with the library's key binding JWT`, async () => {
        const issuer = make(alg);
        const holder = generateTestKey(alg);
        const credential = await libraryMembership(issuer, holder);
        const presentation = await libraryPresentation(issuer.key, holder, credential);
        const deps = sdJwtDeps({ anchors: [{ did: issuer.did, credentialTypes: MEMBERSHIP }] });
        const result = await verifyPresentation(presentation, { challenge: NONCE, domain: VERIFIER }, deps);
        assertVerified(result);
        assert.equal(result.format, 'dc+sd-jwt');
        const [disclosed] = result.credentials;
        assertVerified(disclosed ?? { verified: false, checks: [] }, { status: 'no_status' });
        // Only what the holder chose is disclosed.
        assert.equal(disclosed?.claims?.legalName, MEMBERSHIP_CLAIMS.legalName);
        assert.equal(disclosed?.claims?.sides, undefined);
        assert.equal(disclosed?.claims?.memberSince, undefined);
      });
    }
  }

  it('refuses the library credential from an issuer the data space does not trust for the type', async () => {
    const issuer = didJwkSigner('EdDSA');
    const credential = await libraryMembership(issuer, generateTestKey('EdDSA'));
    const result = await verifyCredential(credential, sdJwtDeps({ anchors: [] }));
    assertFails(result, 'trusted_issuer', 'untrusted_issuer');
    assert.equal(result.checks.find((c) => c.check === 'status')?.code, 'issuer_not_trusted');
  });

  it('refuses a credential of a vct the data space does not define', async () => {
    const issuer = didJwkSigner('EdDSA');
    const credential = await libraryMembership(issuer, generateTestKey('EdDSA'), {
      vct: 'urn:example:other',
    });
    const result = await verifyCredential(
      credential,
      sdJwtDeps({ anchors: [{ did: issuer.did, credentialTypes: MEMBERSHIP }] }),
    );
    assertFails(result, 'trusted_issuer', 'unknown_vct');
  });

  it('refuses on the credential endpoint an SD-JWT that carries a key binding JWT', async () => {
    const issuer = didJwkSigner('EdDSA');
    const holder = generateTestKey('EdDSA');
    const presentation = await libraryPresentation(
      issuer.key,
      holder,
      await libraryMembership(issuer, holder),
    );
    const result = await verifyCredential(
      presentation,
      sdJwtDeps({ anchors: [{ did: issuer.did, credentialTypes: MEMBERSHIP }] }),
    );
    assertFails(result, 'format', 'presentation_expected');
  });

  it('refuses on the presentation endpoint an SD-JWT without key binding', async () => {
    const issuer = didJwkSigner('EdDSA');
    const credential = await libraryMembership(issuer, generateTestKey('EdDSA'));
    const result = await verifyPresentation(
      credential,
      { challenge: NONCE, domain: VERIFIER },
      sdJwtDeps({ anchors: [{ did: issuer.did, credentialTypes: MEMBERSHIP }] }),
    );
    assertFails(result, 'format', 'missing_key_binding');
  });
});
