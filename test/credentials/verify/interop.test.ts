import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { EdDSASigner, ES256Signer, type Signer } from 'did-jwt';
import {
  createVerifiableCredentialJwt,
  createVerifiablePresentationJwt,
  verifyCredential as didJwtVerifyCredential,
  type Issuer,
} from 'did-jwt-vc';
import { decodeProtectedHeader, SignJWT } from 'jose';
import request from 'supertest';
import { VCDM1_CONTEXT, VCDM2_CONTEXT } from '../../../src/credentials/verify/model.js';
import type {
  CredentialVerificationResult,
  PresentationVerificationResult,
} from '../../../src/credentials/verify/result.js';
import type { Service } from '../../../src/service.js';
import { describeEachDatabase } from '../../support/databases.js';
import { openTestService } from '../../support/service.js';
import {
  ALGORITHMS,
  type Algorithm,
  addSeconds,
  anchorsDirectory,
  assertVerified,
  didJwkSigner,
  didKeySigner,
  FORMATS,
  isoSeconds,
  LEGAL_PERSON,
  legalPerson,
  NOW,
  seconds,
  type TestSigner,
  TYP,
} from './support.js';

const NO_STATUS = { status: 'no_status' };

/**
 * A did-jwt signer over the same key, used as it comes: did-jwt does not normalise ES256 to
 * low-S, and the service accepts both encodings by default (ES256_LOW_S_ONLY unset).
 */
function didJwtSigner(signer: TestSigner): Signer {
  return signer.key.alg === 'EdDSA'
    ? EdDSASigner(signer.key.privateBytes)
    : ES256Signer(signer.key.privateBytes);
}

function didJwtIssuer(signer: TestSigner): Issuer {
  return { did: signer.did, signer: didJwtSigner(signer), alg: signer.key.alg };
}

function membershipSubject(id: string) {
  return {
    id,
    legalName: 'Stadtwerke Musterstadt GmbH',
    roles: ['data-provider', 'data-consumer'],
    sides: ['supply', 'demand'],
    memberSince: isoSeconds(NOW),
    rulebookVersion: '1.0',
  };
}

describeEachDatabase('interop: credentials made here and by other implementations verify here', (fresh) => {
  const subject = didKeySigner('EdDSA');
  const joseIssuers = new Map(ALGORITHMS.map((alg) => [alg, didKeySigner(alg)] as const));
  const didJwtIssuers = new Map(
    ALGORITHMS.map((alg) => [alg, alg === 'EdDSA' ? didKeySigner(alg) : didJwkSigner(alg)] as const),
  );
  const anchors = anchorsDirectory(
    [...joseIssuers.values(), ...didJwtIssuers.values()].map((issuer) => ({
      did: issuer.did,
      credentialTypes: [LEGAL_PERSON],
    })),
  );
  let service: Service;

  before(async () => {
    service = await openTestService(await fresh(), { TRUST_ANCHORS_DIR: anchors.dir }, { now: () => NOW });
  });
  after(async () => {
    await service?.close();
    anchors.remove();
  });

  async function verify(credential: string): Promise<CredentialVerificationResult> {
    const response = await request(service.app.callback())
      .post('/api/v1/credentials/verify')
      .send({ credential })
      .expect(200);
    return response.body as CredentialVerificationResult;
  }

  const issuerOf = (issuers: ReadonlyMap<Algorithm, TestSigner>, alg: Algorithm): TestSigner => {
    const issuer = issuers.get(alg);
    assert.ok(issuer);
    return issuer;
  };

  describe('issued by this service (CredentialIssuer)', () => {
    for (const format of FORMATS) {
      for (const algorithm of ALGORITHMS) {
        it(`${format}, ${algorithm}`, async () => {
          const issued = await service.credentials.issuer.issue({
            type: 'MembershipCredential',
            subject: membershipSubject(subject.did),
            format,
            algorithm,
          });
          const header = decodeProtectedHeader(issued.jwt);
          assert.deepEqual([header.alg, header.typ], [algorithm, TYP[format]]);
          const result = await verify(issued.jwt);
          assertVerified(result);
          assert.deepEqual(
            [result.format, result.issuer, result.subject],
            [format, service.identity.did, subject.did],
          );
        });
      }
    }
  });

  describe('built by hand with jose (SignJWT)', () => {
    // jose signs ES256 through OpenSSL, which leaves s in the upper half for about one signature
    // in two; the service accepts both encodings by default, so the tokens are verified as signed.
    for (const alg of ALGORITHMS) {
      it(`jwt_vc_json (VCDM 1.1 §6.3.1), ${alg}`, async () => {
        const issuer = issuerOf(joseIssuers, alg);
        const jwt = await new SignJWT({
          vc: {
            '@context': [VCDM1_CONTEXT],
            type: ['VerifiableCredential', LEGAL_PERSON],
            issuanceDate: isoSeconds(addSeconds(NOW, -60)),
            credentialSubject: {
              legalName: 'Stadtwerke Musterstadt GmbH',
              registrationNumber: 'HRB 1',
              country: 'DE',
            },
          },
        })
          .setProtectedHeader({ alg, typ: 'JWT', kid: issuer.kid })
          .setIssuer(issuer.did)
          .setSubject(subject.did)
          .setJti(`urn:uuid:${randomUUID()}`)
          .setIssuedAt(seconds(NOW) - 60)
          .setNotBefore(seconds(NOW) - 60)
          .setExpirationTime(seconds(NOW) + 86_400)
          .sign(issuer.key.privateKey);
        const result = await verify(jwt);
        assertVerified(result, NO_STATUS);
        assert.equal(result.subject, subject.did);
      });

      it(`vc+jwt (VC-JOSE-COSE §3.1.1), ${alg}`, async () => {
        const issuer = issuerOf(joseIssuers, alg);
        const jwt = await new SignJWT({
          '@context': [VCDM2_CONTEXT],
          id: `urn:uuid:${randomUUID()}`,
          type: ['VerifiableCredential', LEGAL_PERSON],
          issuer: { id: issuer.did, name: 'Business Register' },
          validFrom: isoSeconds(addSeconds(NOW, -60)),
          validUntil: isoSeconds(addSeconds(NOW, 86_400)),
          credentialSubject: legalPerson(subject.did),
        })
          .setProtectedHeader({ alg, typ: 'vc+jwt', kid: issuer.kid })
          .setIssuedAt(seconds(NOW) - 60)
          .sign(issuer.key.privateKey);
        assertVerified(await verify(jwt), NO_STATUS);
      });
    }
  });

  describe('made with did-jwt-vc 4 (jwt_vc_json)', () => {
    for (const alg of ALGORITHMS) {
      it(`from a JWT payload, ${alg}${alg === 'EdDSA' ? ', without kid' : ', with kid'}`, async () => {
        const issuer = issuerOf(didJwtIssuers, alg);
        const jwt = await createVerifiableCredentialJwt(
          {
            sub: subject.did,
            nbf: seconds(NOW) - 60,
            iat: seconds(NOW) - 60,
            vc: {
              '@context': [VCDM1_CONTEXT],
              type: ['VerifiableCredential', LEGAL_PERSON],
              credentialSubject: {
                legalName: 'Stadtwerke Musterstadt GmbH',
                registrationNumber: 'HRB 2',
                country: 'DE',
              },
            },
          },
          didJwtIssuer(issuer),
          alg === 'ES256' ? { header: { kid: issuer.kid } } : {},
        );
        assertVerified(await verify(jwt), NO_STATUS);
      });
    }

    it('from a W3C credential that did-jwt-vc turns into JWT claims', async () => {
      const issuer = issuerOf(didJwtIssuers, 'EdDSA');
      const jwt = await createVerifiableCredentialJwt(
        {
          '@context': [VCDM1_CONTEXT],
          type: ['VerifiableCredential', LEGAL_PERSON],
          issuer: { id: issuer.did },
          issuanceDate: isoSeconds(addSeconds(NOW, -60)),
          expirationDate: isoSeconds(addSeconds(NOW, 86_400)),
          credentialSubject: legalPerson(subject.did),
          iat: seconds(NOW) - 60,
        },
        didJwtIssuer(issuer),
      );
      const result = await verify(jwt);
      assertVerified(result, NO_STATUS);
      assert.equal(result.subject, subject.did);
    });

    it('a did-jwt-vc holder presents it (jwt_vp_json with challenge and domain)', async () => {
      const issuer = issuerOf(didJwtIssuers, 'ES256');
      const credential = await createVerifiableCredentialJwt(
        {
          sub: subject.did,
          nbf: seconds(NOW) - 60,
          iat: seconds(NOW) - 60,
          vc: {
            '@context': [VCDM1_CONTEXT],
            type: ['VerifiableCredential', LEGAL_PERSON],
            credentialSubject: {
              legalName: 'Stadtwerke Musterstadt GmbH',
              registrationNumber: 'HRB 3',
              country: 'DE',
            },
          },
        },
        didJwtIssuer(issuer),
      );
      const challenge = randomUUID();
      const domain = 'https://connector.example';
      const presentation = await createVerifiablePresentationJwt(
        {
          iat: seconds(NOW),
          vp: {
            '@context': [VCDM1_CONTEXT],
            type: ['VerifiablePresentation'],
            verifiableCredential: [credential],
          },
        },
        didJwtIssuer(subject),
        { challenge, domain },
      );
      const response = await request(service.app.callback())
        .post('/api/v1/presentations/verify')
        .send({ presentation, challenge, domain })
        .expect(200);
      const result = response.body as PresentationVerificationResult;
      assertVerified(result);
      assert.equal(result.holder, subject.did);
    });
  });

  describe('credentials issued here verify with did-jwt-vc', () => {
    // did-jwt resolves through this service's own resolver: the service DID document, as published.
    const resolvable: Parameters<typeof didJwtVerifyCredential>[1] = {
      async resolve(didUrl) {
        const didDocument = await service.credentials.resolver.resolve(didUrl.split('#')[0] as string);
        return { didResolutionMetadata: {}, didDocument: didDocument as never, didDocumentMetadata: {} };
      },
    };

    for (const algorithm of ALGORITHMS) {
      it(`jwt_vc_json, ${algorithm}`, async () => {
        const issued = await service.credentials.issuer.issue({
          type: 'MembershipCredential',
          subject: membershipSubject(subject.did),
          format: 'jwt_vc_json',
          algorithm,
        });
        const verified = await didJwtVerifyCredential(issued.jwt, resolvable, {
          policies: { now: seconds(NOW) },
        });
        assert.equal(verified.issuer, service.identity.did);
        assert.equal(verified.verifiableCredential.credentialSubject.id, subject.did);
      });
    }
  });
});
