import { strict as assert } from 'node:assert';
import type { KeyLookup } from '../../../src/credentials/verify/ports.js';
import { verifyCredential } from '../../../src/credentials/verify/verify-credential.js';
import {
  addSeconds,
  assertFails,
  assertVerified,
  credentialBy,
  didJwkSigner,
  generateTestKey,
  LEGAL_PERSON,
  legalPerson,
  NOW,
  offlineDeps,
  registryOf,
  type TestSigner,
} from './support.js';

const subject = didJwkSigner('EdDSA');
const NO_STATUS = { status: 'no_status' };

describe('trusted_issuer: the issuer is an anchor of the data space for every specific type (trust-anchors/README.md)', () => {
  const legalPersonIssuer = didJwkSigner('EdDSA');
  const boardIssuer = didJwkSigner('ES256');
  const stranger = didJwkSigner('EdDSA');
  const germanRegister = didJwkSigner('EdDSA');
  const expiredAnchor = didJwkSigner('EdDSA');
  const futureAnchor = didJwkSigner('EdDSA');
  const deps = offlineDeps({
    anchors: [
      { did: legalPersonIssuer.did, credentialTypes: [LEGAL_PERSON] },
      { did: boardIssuer.did, credentialTypes: ['BoardMemberCredential'] },
      {
        did: germanRegister.did,
        credentialTypes: [LEGAL_PERSON],
        claims: [{ path: 'credentialSubject.country', allowedValues: ['DE'] }],
      },
      {
        did: expiredAnchor.did,
        credentialTypes: [LEGAL_PERSON],
        validUntil: addSeconds(NOW, -1).toISOString(),
      },
      {
        did: futureAnchor.did,
        credentialTypes: [LEGAL_PERSON],
        validFrom: addSeconds(NOW, 86_400).toISOString(),
      },
    ],
  });
  const verify = (token: string) => verifyCredential(token, deps);
  const claims = { subject: legalPerson(subject.did) };

  it('trusts an anchor for the type it lists', async () => {
    assertVerified(await verify(credentialBy(legalPersonIssuer, 'vc+jwt', claims)), NO_STATUS);
  });

  it('rejects an issuer trusted for another type only (type_not_allowed)', async () => {
    assertFails(
      await verify(credentialBy(boardIssuer, 'vc+jwt', claims)),
      'trusted_issuer',
      'type_not_allowed',
    );
  });

  it('rejects a credential that adds a type its issuer is not trusted for (type_not_allowed)', async () => {
    const token = credentialBy(legalPersonIssuer, 'jwt_vc_json', {
      ...claims,
      types: [LEGAL_PERSON, 'MembershipCredential'],
    });
    assertFails(await verify(token), 'trusted_issuer', 'type_not_allowed');
  });

  it('rejects a credential with no type besides VerifiableCredential (type_not_allowed)', async () => {
    const token = credentialBy(legalPersonIssuer, 'vc+jwt', { ...claims, types: [] });
    assertFails(await verify(token), 'trusted_issuer', 'type_not_allowed');
  });

  it('rejects an issuer that is no anchor at all, however valid its signature (untrusted_issuer)', async () => {
    const result = await verify(credentialBy(stranger, 'vc+jwt', claims));
    assertFails(result, 'trusted_issuer', 'untrusted_issuer');
    assert.equal(result.checks.find((c) => c.check === 'signature')?.result, 'passed');
  });

  it('rejects a subject outside the anchor claim constraints (claim_not_allowed)', async () => {
    assertVerified(await verify(credentialBy(germanRegister, 'vc+jwt', claims)), NO_STATUS);
    const french = credentialBy(germanRegister, 'vc+jwt', {
      subject: legalPerson(subject.did, { country: 'FR' }),
    });
    assertFails(await verify(french), 'trusted_issuer', 'claim_not_allowed');
  });

  it('rejects an anchor outside its validity window (outside_validity)', async () => {
    assertFails(
      await verify(credentialBy(expiredAnchor, 'vc+jwt', claims)),
      'trusted_issuer',
      'outside_validity',
    );
    assertFails(
      await verify(credentialBy(futureAnchor, 'vc+jwt', claims)),
      'trusted_issuer',
      'outside_validity',
    );
  });
});

describe('trusted_issuer: DIDs match exactly, no near-miss is the anchor (DID Core §3.1)', () => {
  const ANCHOR = 'did:web:issuer.example';
  const NEAR_MISSES = [
    ['a sub-domain of another domain', 'did:web:issuer.example.evil.com'],
    ['upper case', 'did:web:ISSUER.example'],
    ['a trailing dot', 'did:web:issuer.example.'],
    ['an explicit port', 'did:web:issuer.example%3A443'],
    ['a path below the anchor', 'did:web:issuer.example:users:alice'],
    ['a percent-encoded dot', 'did:web:issuer%2Eexample'],
    ['another domain ending in the anchor', 'did:web:evilissuer.example'],
    ['the anchor as a path of another host', 'did:web:evil.com:issuer.example'],
  ] as const;
  const registry = registryOf([{ did: ANCHOR, credentialTypes: [LEGAL_PERSON] }]);
  const request = (issuer: string) => ({
    issuer,
    types: ['VerifiableCredential', LEGAL_PERSON],
    credential: {},
    at: NOW,
  });

  it('the registry trusts the anchor DID as written', async () => {
    assert.equal((await registry.check(request(ANCHOR))).trusted, true);
  });

  for (const [what, did] of NEAR_MISSES) {
    it(`the registry does not trust ${what}: ${did} (untrusted_issuer)`, async () => {
      const decision = await registry.check(request(did));
      assert.deepEqual(decision.trusted ? decision : { trusted: false, code: decision.code }, {
        trusted: false,
        code: 'untrusted_issuer',
      });
    });
  }

  describe('through the pipeline, with an attacker who controls the near-miss DID document', () => {
    // The stub resolves every DID to the attacker's key: the signature passes, so only trust can refuse.
    const attackerKey = generateTestKey('EdDSA');
    const keys: KeyLookup = {
      async verificationKey(did) {
        return { id: `${did}#key-1`, publicKey: attackerKey.publicKey, algorithms: ['EdDSA'] };
      },
    };
    const deps = offlineDeps({ anchors: [{ did: ANCHOR, credentialTypes: [LEGAL_PERSON] }], keys });
    const signerFor = (did: string): TestSigner => ({ did, kid: `${did}#key-1`, key: attackerKey });

    it('the stub is permissive enough to verify the anchor itself (control)', async () => {
      const token = credentialBy(signerFor(ANCHOR), 'vc+jwt', { subject: legalPerson(subject.did) });
      assertVerified(await verifyCredential(token, deps), NO_STATUS);
    });

    for (const [what, did] of NEAR_MISSES) {
      it(`refuses a credential from ${what} (signature passed, trusted_issuer: untrusted_issuer)`, async () => {
        const token = credentialBy(signerFor(did), 'jwt_vc_json', { subject: legalPerson(subject.did) });
        const result = await verifyCredential(token, deps);
        assertFails(result, 'trusted_issuer', 'untrusted_issuer');
        assert.equal(result.checks.find((c) => c.check === 'signature')?.result, 'passed');
      });
    }
  });
});

describe('trusted_issuer: the service DID is trusted for the data space own types only', () => {
  const registry = registryOf([]);

  it('trusts the service for MembershipCredential and not for LegalPersonCredential (type_not_allowed)', async () => {
    const check = (type: string) =>
      registry.check({
        issuer: registry.serviceDid,
        types: ['VerifiableCredential', type],
        credential: {},
        at: NOW,
      });
    assert.equal((await check('MembershipCredential')).trusted, true);
    const decision = await check(LEGAL_PERSON);
    assert.deepEqual(decision.trusted ? decision : { trusted: false, code: decision.code }, {
      trusted: false,
      code: 'type_not_allowed',
    });
  });
});
