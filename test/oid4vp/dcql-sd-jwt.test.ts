/**
 * OpenID4VP 1.0 §6 (DCQL) for `dc+sd-jwt` as the login matches it: §6.2 credential sets (either
 * option answers), §B.3.5 `vct_values`, §7 claim paths read in the payload after disclosure,
 * and only the claims the query asked for in what the login reads of the credential.
 */
import assert from 'node:assert/strict';
import { type DcqlQuery, matchQuery, type VerifiedCredential } from '../../src/oid4vp/dcql.js';
import { sdJwtClaimPath, sdJwtView } from '../../src/oid4vp/dcql-sd-jwt.js';
import { holderDidOf } from '../../src/oid4vp/presentation.js';

const SERVICE = 'did:web:trust.example';
const VCT = 'https://trust.example/vct/membership';
const QUERY: DcqlQuery = {
  credentials: [
    {
      id: 'membership',
      format: 'jwt_vc_json',
      meta: { type_values: [['MembershipCredential']] },
      claims: [{ path: ['credentialSubject', 'legalName'] }],
    },
    {
      id: 'membership-sd-jwt',
      format: 'dc+sd-jwt',
      meta: { vct_values: [VCT] },
      claims: [{ path: ['legalName'] }],
    },
  ],
  credential_sets: [{ options: [['membership'], ['membership-sd-jwt']] }],
};

function sdJwtCredential(claims: Record<string, unknown>, vct = VCT): VerifiedCredential {
  return {
    issuer: SERVICE,
    subject: 'did:web:member.example',
    types: ['VerifiableCredential', 'MembershipCredential'],
    document: {},
    selfIssued: false,
    vct,
    claims: { iss: SERVICE, vct, sub: 'did:web:member.example', ...claims },
  };
}

describe('OpenID4VP 1.0 §6 DCQL for dc+sd-jwt in the login', () => {
  describe('§6.2 credential sets', () => {
    it('an SD-JWT VC answers the dc+sd-jwt option of the set', () => {
      const matches = matchQuery(QUERY, [sdJwtCredential({ legalName: 'A GmbH' })], { serviceDid: SERVICE });
      assert.deepEqual([...(matches?.keys() ?? [])], ['membership-sd-jwt']);
    });

    it('a JWT VC answers the jwt_vc_json option', () => {
      const jwt: VerifiedCredential = {
        issuer: SERVICE,
        subject: 'did:web:member.example',
        types: ['VerifiableCredential', 'MembershipCredential'],
        document: { credentialSubject: { legalName: 'A GmbH' } },
        selfIssued: false,
      };
      assert.deepEqual(
        [...(matchQuery(QUERY, [jwt], { serviceDid: SERVICE })?.keys() ?? [])],
        ['membership'],
      );
    });
  });

  describe('§B.3.5 vct_values and §7 claim paths', () => {
    it('refuses another vct', () => {
      const other = sdJwtCredential({ legalName: 'A GmbH' }, 'https://elsewhere.example/vct/membership');
      assert.equal(matchQuery(QUERY, [other], { serviceDid: SERVICE }), undefined);
    });

    it('refuses when a claim the query needs is not disclosed', () => {
      assert.equal(
        matchQuery(QUERY, [sdJwtCredential({ roles: ['x'] })], { serviceDid: SERVICE }),
        undefined,
      );
    });

    it('refuses an SD-JWT VC of our type from another issuer', () => {
      const foreign = { ...sdJwtCredential({ legalName: 'A GmbH' }), issuer: 'did:web:other.example' };
      assert.equal(matchQuery(QUERY, [foreign], { serviceDid: SERVICE }), undefined);
    });
  });

  describe('only the claims the query asked for are used', () => {
    it('the login reads the subject id and the asked claims, not the other disclosed ones', () => {
      const matches = matchQuery(
        QUERY,
        [sdJwtCredential({ legalName: 'A GmbH', sides: ['supply'], memberSince: '2026-01-01T00:00:00Z' })],
        { serviceDid: SERVICE },
      );
      assert.deepEqual(matches?.get('membership-sd-jwt')?.document, {
        credentialSubject: { id: 'did:web:member.example', legalName: 'A GmbH' },
      });
    });

    it('maps rulebook paths to SD-JWT VC claim paths (credentialSubject.id is sub)', () => {
      assert.deepEqual(sdJwtClaimPath('credentialSubject.legalName'), ['legalName']);
      assert.deepEqual(sdJwtClaimPath('credentialSubject.id'), ['sub']);
      assert.deepEqual(sdJwtClaimPath('credentialSubject.address.locality'), ['address', 'locality']);
      assert.equal(sdJwtClaimPath('issuer'), undefined);
    });

    it("maps a rulebook claim to a type's own claim name (the PID's personal_administrative_number) and reads it back under the rulebook name", () => {
      const subjectClaims = {
        personalIdentifier: 'personal_administrative_number',
        city: 'address.locality',
      };
      assert.deepEqual(sdJwtClaimPath('credentialSubject.personalIdentifier', subjectClaims), [
        'personal_administrative_number',
      ]);
      assert.deepEqual(sdJwtClaimPath('credentialSubject.city', subjectClaims), ['address', 'locality']);
      assert.deepEqual(sdJwtClaimPath('credentialSubject.id', subjectClaims), ['sub']);
      const view = sdJwtView(
        { personal_administrative_number: 'P-1', address: { locality: 'Köln' }, given_name: 'Erika' },
        [['personal_administrative_number'], ['address', 'locality']],
        { subject: 'did:jwk:holder', subjectClaims },
      );
      assert.deepEqual(view, {
        credentialSubject: { id: 'did:jwk:holder', personalIdentifier: 'P-1', city: 'Köln' },
      });
    });
  });
});

describe('the holder of an SD-JWT VC without sub (an EU PID): the did:jwk of its cnf key', () => {
  it('encodes only the public members of an EC or OKP key, in a fixed order', () => {
    const ec = { kty: 'EC', crv: 'P-256', x: 'eHg', y: 'eXk' };
    const expected = `did:jwk:${Buffer.from(JSON.stringify({ crv: 'P-256', kty: 'EC', x: 'eHg', y: 'eXk' })).toString('base64url')}`;
    assert.equal(holderDidOf({ jwk: { ...ec, kid: 'k', use: 'sig' } }), expected);
    assert.equal(holderDidOf({ jwk: { y: 'eXk', x: 'eHg', crv: 'P-256', kty: 'EC' } }), expected);
    assert.ok(holderDidOf({ jwk: { kty: 'OKP', crv: 'Ed25519', x: 'eHg' } })?.startsWith('did:jwk:'));
  });

  it('gives none for a missing, malformed or non-EC/OKP key', () => {
    assert.equal(holderDidOf(undefined), undefined);
    assert.equal(holderDidOf({ jwk: 'x' }), undefined);
    assert.equal(holderDidOf({ jwk: { kty: 'EC', crv: 'P-256', x: 'eHg' } }), undefined);
    assert.equal(holderDidOf({ jwk: { kty: 'RSA', n: 'bg', e: 'AQAB' } }), undefined);
  });
});
