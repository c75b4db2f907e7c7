import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CLOCK_SKEW_SECONDS } from '../../../src/credentials/verify/checks/validity.js';
import type { PresentationVerificationResult } from '../../../src/credentials/verify/result.js';
import {
  PRESENTATION_MAX_AGE_SECONDS,
  verifyPresentation,
} from '../../../src/credentials/verify/verify-presentation.js';
import type { Service } from '../../../src/service.js';
import { describeEachDatabase } from '../../support/databases.js';
import { openTestService } from '../../support/service.js';
import { didDocument, type LocalWebHost, startLocalWebHost } from './local-web.js';
import {
  addSeconds,
  anchorsDirectory,
  assertFails,
  assertVerified,
  credentialBy,
  didJwkSigner,
  didKeySigner,
  generateTestKey,
  isoSeconds,
  LEGAL_PERSON,
  legalPerson,
  NOW,
  offlineDeps,
  type PresentationFormat,
  presentationBy,
  presentationPayload,
  seconds,
  signJws,
  type TestSigner,
} from './support.js';

const DOMAIN = 'https://connector.example';

function credentialResult(result: PresentationVerificationResult, index: number) {
  const credential = result.credentials[index];
  assert.ok(credential, `the result of credential ${index}`);
  return credential;
}

describeEachDatabase(
  'presentations: VCDM 1.1 §7 / VCDM 2.0 §4.13, through POST /api/v1/presentations/verify',
  (fresh) => {
    const register = didJwkSigner('EdDSA');
    const holder = didKeySigner('EdDSA');
    const otherHolder = didJwkSigner('ES256');
    const anchors = anchorsDirectory([{ did: register.did, credentialTypes: [LEGAL_PERSON] }]);
    let service: Service;
    let web: LocalWebHost;
    /** A did:web holder whose only key is under assertionMethod, not authentication. */
    let assertionOnlyHolder: TestSigner;

    before(async () => {
      web = await startLocalWebHost();
      const did = web.did('holders', 'assertion-only');
      const key = generateTestKey('EdDSA');
      web.serve('/holders/assertion-only/did.json', didDocument(did, key, ['assertionMethod']));
      assertionOnlyHolder = { did, kid: `${did}#key-1`, key };
      service = await openTestService(await fresh(), { TRUST_ANCHORS_DIR: anchors.dir }, { now: () => NOW });
    });
    after(async () => {
      await service?.close();
      await web?.close();
      anchors.remove();
    });

    async function post(body: Record<string, unknown>): Promise<PresentationVerificationResult> {
      const response = await request(service.app.callback())
        .post('/api/v1/presentations/verify')
        .send(body)
        .expect(200);
      return response.body as PresentationVerificationResult;
    }
    const verify = (presentation: string, challenge: string, domain = DOMAIN) =>
      post({ presentation, challenge, domain });

    /** A LegalPersonCredential from the register about `subject`, in the format a presentation of `format` carries. */
    const legalPersonFor = (subject: TestSigner, format: PresentationFormat) =>
      credentialBy(register, format === 'vp+jwt' ? 'vc+jwt' : 'jwt_vc_json', {
        subject: legalPerson(subject.did),
      });

    async function membershipFor(subject: TestSigner, format: PresentationFormat) {
      return service.credentials.issuer.issue({
        type: 'MembershipCredential',
        format: format === 'vp+jwt' ? 'vc+jwt' : 'jwt_vc_json',
        subject: {
          id: subject.did,
          legalName: 'Stadtwerke Musterstadt GmbH',
          roles: ['data-provider'],
          sides: ['supply'],
          memberSince: isoSeconds(NOW),
          rulebookVersion: '1.0',
        },
      });
    }

    describe('presentations that verify', () => {
      for (const format of ['jwt_vp_json', 'vp+jwt'] as const) {
        it(`accepts a ${format} presentation of the holder's own credentials from the register and the service`, async () => {
          const challenge = randomUUID();
          const membership = await membershipFor(holder, format);
          const vp = presentationBy(holder, format, {
            credentials: [legalPersonFor(holder, format), membership.jwt],
            nonce: challenge,
            audience: DOMAIN,
          });
          const result = await verify(vp, challenge);
          assertVerified(result);
          assert.equal(result.format, format);
          assert.equal(result.holder, holder.did);
          assert.deepEqual(
            result.credentials.map((c) => [c.verified, c.issuer, c.subject]),
            [
              [true, register.did, holder.did],
              [true, service.identity.did, holder.did],
            ],
          );
        });
      }

      it('accepts an ES256 holder with aud given as an array that names this verifier', async () => {
        const challenge = randomUUID();
        const payload = presentationPayload('jwt_vp_json', {
          holder: otherHolder.did,
          credentials: [legalPersonFor(otherHolder, 'jwt_vp_json')],
          nonce: challenge,
        });
        const vp = signJws(
          { alg: 'ES256', typ: 'JWT', kid: otherHolder.kid },
          { ...payload, aud: ['https://other.example', DOMAIN] },
          otherHolder.key,
        );
        assertVerified(await verify(vp, challenge));
      });
    });

    describe('credentials: every credential must verify, and there must be one', () => {
      it('rejects a presentation holding a credential with a broken signature (credential_failed)', async () => {
        const challenge = randomUUID();
        const [header, payload, signature] = legalPersonFor(holder, 'jwt_vp_json').split('.') as [
          string,
          string,
          string,
        ];
        const broken = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
        const vp = presentationBy(holder, 'jwt_vp_json', {
          credentials: [broken],
          nonce: challenge,
          audience: DOMAIN,
        });
        const result = await verify(vp, challenge);
        assertFails(result, 'credentials', 'credential_failed');
        assertFails(credentialResult(result, 0), 'signature', 'invalid_signature');
      });

      it('rejects a presentation holding a revoked credential (credential_failed, the credential: revoked)', async () => {
        const challenge = randomUUID();
        const membership = await membershipFor(holder, 'vp+jwt');
        await service.credentials.status.revoke(membership.id);
        const vp = presentationBy(holder, 'vp+jwt', {
          credentials: [membership.jwt],
          nonce: challenge,
          audience: DOMAIN,
        });
        const result = await verify(vp, challenge);
        assertFails(result, 'credentials', 'credential_failed');
        assertFails(credentialResult(result, 0), 'status', 'revoked');
      });

      it('rejects a vp+jwt whose credential is embedded as JSON, not enveloped (credential_failed)', async () => {
        const challenge = randomUUID();
        const payload = presentationPayload('vp+jwt', {
          holder: holder.did,
          credentials: [],
          nonce: challenge,
          audience: DOMAIN,
        });
        const embedded = {
          ...payload,
          verifiableCredential: [{ type: ['VerifiableCredential'], credentialSubject: { id: holder.did } }],
        };
        const vp = signJws({ alg: 'EdDSA', typ: 'vp+jwt', kid: holder.kid }, embedded, holder.key);
        assertFails(await verify(vp, challenge), 'credentials', 'credential_failed');
      });

      it('rejects an empty presentation (no_credentials)', async () => {
        for (const format of ['jwt_vp_json', 'vp+jwt'] as const) {
          const challenge = randomUUID();
          const vp = presentationBy(holder, format, { credentials: [], nonce: challenge, audience: DOMAIN });
          assertFails(await verify(vp, challenge), 'credentials', 'no_credentials');
        }
      });
    });

    describe('holder_binding: the holder is the subject of every credential', () => {
      it("rejects a presentation of someone else's credential (holder_mismatch)", async () => {
        const challenge = randomUUID();
        const vp = presentationBy(holder, 'jwt_vp_json', {
          credentials: [legalPersonFor(holder, 'jwt_vp_json'), legalPersonFor(otherHolder, 'jwt_vp_json')],
          nonce: challenge,
          audience: DOMAIN,
        });
        const result = await verify(vp, challenge);
        assertFails(result, 'holder_binding', 'holder_mismatch');
        assert.equal(result.checks.find((c) => c.check === 'credentials')?.result, 'passed');
      });

      it('rejects a presentation signed by another key than the holder named (invalid_signature)', async () => {
        const challenge = randomUUID();
        const payload = presentationPayload('jwt_vp_json', {
          holder: holder.did,
          credentials: [legalPersonFor(holder, 'jwt_vp_json')],
          nonce: challenge,
          audience: DOMAIN,
        });
        const forged = signJws(
          { alg: 'EdDSA', typ: 'JWT', kid: holder.kid },
          payload,
          generateTestKey('EdDSA'),
        );
        assertFails(await verify(forged, challenge), 'signature', 'invalid_signature');
      });

      it('rejects a holder key that is not under authentication (unknown_key)', async () => {
        const challenge = randomUUID();
        const vp = presentationBy(assertionOnlyHolder, 'jwt_vp_json', {
          credentials: [legalPersonFor(assertionOnlyHolder, 'jwt_vp_json')],
          nonce: challenge,
          audience: DOMAIN,
        });
        assertFails(await verify(vp, challenge), 'signature', 'unknown_key');
      });
    });

    describe('challenge and domain: replay protection', () => {
      const credentialsOf = () => [legalPersonFor(holder, 'jwt_vp_json')];

      it('rejects a presentation without a nonce (missing_challenge)', async () => {
        const vp = presentationBy(holder, 'jwt_vp_json', { credentials: credentialsOf(), audience: DOMAIN });
        assertFails(await verify(vp, randomUUID()), 'challenge', 'missing_challenge');
      });

      it('rejects a nonce that is not the challenge (challenge_mismatch)', async () => {
        const vp = presentationBy(holder, 'jwt_vp_json', {
          credentials: credentialsOf(),
          nonce: randomUUID(),
          audience: DOMAIN,
        });
        assertFails(await verify(vp, randomUUID()), 'challenge', 'challenge_mismatch');
      });

      it('accepts a challenge once and rejects the same presentation posted again (challenge_reused)', async () => {
        const challenge = randomUUID();
        const vp = presentationBy(holder, 'jwt_vp_json', {
          credentials: credentialsOf(),
          nonce: challenge,
          audience: DOMAIN,
        });
        assertVerified(await verify(vp, challenge));
        assertFails(await verify(vp, challenge), 'challenge', 'challenge_reused');
      });

      it('does not burn the challenge on a presentation whose signature fails', async () => {
        const challenge = randomUUID();
        const payload = presentationPayload('jwt_vp_json', {
          holder: holder.did,
          credentials: credentialsOf(),
          nonce: challenge,
          audience: DOMAIN,
        });
        const forged = signJws(
          { alg: 'EdDSA', typ: 'JWT', kid: holder.kid },
          payload,
          generateTestKey('EdDSA'),
        );
        const result = await verify(forged, challenge);
        assertFails(result, 'signature', 'invalid_signature');
        assert.equal(result.checks.find((c) => c.check === 'challenge')?.result, 'skipped');
        const genuine = presentationBy(holder, 'jwt_vp_json', {
          credentials: credentialsOf(),
          nonce: challenge,
          audience: DOMAIN,
        });
        assertVerified(await verify(genuine, challenge));
      });

      it('rejects a presentation for another verifier (domain_mismatch)', async () => {
        const challenge = randomUUID();
        const vp = presentationBy(holder, 'vp+jwt', {
          credentials: [legalPersonFor(holder, 'vp+jwt')],
          nonce: challenge,
          audience: 'https://other-connector.example',
        });
        assertFails(await verify(vp, challenge), 'domain', 'domain_mismatch');
      });

      it('rejects a presentation without aud (missing_domain)', async () => {
        const challenge = randomUUID();
        const vp = presentationBy(holder, 'jwt_vp_json', { credentials: credentialsOf(), nonce: challenge });
        assertFails(await verify(vp, challenge), 'domain', 'missing_domain');
      });
    });

    describe('validity: a presentation is fresh', () => {
      it('rejects a presentation made a year ago (expired)', async () => {
        const challenge = randomUUID();
        const vp = presentationBy(holder, 'jwt_vp_json', {
          credentials: [legalPersonFor(holder, 'jwt_vp_json')],
          nonce: challenge,
          audience: DOMAIN,
          issuedAt: addSeconds(NOW, -365 * 86_400),
        });
        assertFails(await verify(vp, challenge), 'validity', 'expired');
      });

      it('rejects a presentation whose exp has passed (expired)', async () => {
        const challenge = randomUUID();
        const vp = presentationBy(holder, 'vp+jwt', {
          credentials: [legalPersonFor(holder, 'vp+jwt')],
          nonce: challenge,
          audience: DOMAIN,
          issuedAt: addSeconds(NOW, -120),
          expiresAt: addSeconds(NOW, -61),
        });
        assertFails(await verify(vp, challenge), 'validity', 'expired');
      });

      it('rejects a presentation that does not say when it was made (missing_iat)', async () => {
        const challenge = randomUUID();
        const payload = presentationPayload('jwt_vp_json', {
          holder: holder.did,
          credentials: [legalPersonFor(holder, 'jwt_vp_json')],
          nonce: challenge,
          audience: DOMAIN,
        });
        const { iat: _, ...undated } = payload;
        const vp = signJws({ alg: 'EdDSA', typ: 'JWT', kid: holder.kid }, undated, holder.key);
        assertFails(await verify(vp, challenge), 'validity', 'missing_iat');
      });

      it('accepts nbf as the time of a presentation without iat (the VC-JWT 1.1 mapping)', async () => {
        const challenge = randomUUID();
        const { iat, ...payload } = presentationPayload('jwt_vp_json', {
          holder: holder.did,
          credentials: [legalPersonFor(holder, 'jwt_vp_json')],
          nonce: challenge,
          audience: DOMAIN,
        });
        const vp = signJws(
          { alg: 'EdDSA', typ: 'JWT', kid: holder.kid },
          { ...payload, nbf: iat },
          holder.key,
        );
        assertVerified(await verify(vp, challenge));
      });
    });

    describe('challenge: spent only by a presentation its holder made for this verifier', () => {
      const undatedBy = (challenge: string, extra: Record<string, unknown>) => {
        const { iat: _, ...payload } = presentationPayload('jwt_vp_json', {
          holder: holder.did,
          credentials: [legalPersonFor(holder, 'jwt_vp_json')],
          nonce: challenge,
          audience: DOMAIN,
        });
        return signJws({ alg: 'EdDSA', typ: 'JWT', kid: holder.kid }, { ...payload, ...extra }, holder.key);
      };
      const genuine = (challenge: string) =>
        presentationBy(holder, 'jwt_vp_json', {
          credentials: [legalPersonFor(holder, 'jwt_vp_json')],
          nonce: challenge,
          audience: DOMAIN,
        });

      it('does not spend it on a presentation without iat or nbf (missing_iat), so the holder can retry', async () => {
        const challenge = randomUUID();
        const result = await verify(undatedBy(challenge, {}), challenge);
        assertFails(result, 'validity', 'missing_iat');
        assert.equal(result.checks.find((c) => c.check === 'challenge')?.code, 'not_evaluated');
        assertVerified(await verify(genuine(challenge), challenge));
      });

      it('does not spend it on a presentation whose nbf is older than the age bound (expired)', async () => {
        const challenge = randomUUID();
        const stale = undatedBy(challenge, { nbf: seconds(addSeconds(NOW, -3600)) });
        assertFails(await verify(stale, challenge), 'validity', 'expired');
        assertVerified(await verify(genuine(challenge), challenge));
      });

      it('does not spend it on a presentation addressed to another verifier (domain_mismatch)', async () => {
        const challenge = randomUUID();
        const elsewhere = presentationBy(holder, 'jwt_vp_json', {
          credentials: [legalPersonFor(holder, 'jwt_vp_json')],
          nonce: challenge,
          audience: 'https://other-connector.example',
        });
        assertFails(await verify(elsewhere, challenge), 'domain', 'domain_mismatch');
        assertVerified(await verify(genuine(challenge), challenge));
      });

      it('still refuses the replay of a presentation that was accepted (challenge_reused)', async () => {
        const challenge = randomUUID();
        const vp = undatedBy(challenge, { nbf: seconds(NOW) });
        assertVerified(await verify(vp, challenge));
        assertFails(await verify(vp, challenge), 'challenge', 'challenge_reused');
      });
    });
  },
);

describe(`presentations: at most ${PRESENTATION_MAX_AGE_SECONDS} s old, plus the ${CLOCK_SKEW_SECONDS} s clock skew`, () => {
  const register = didJwkSigner('EdDSA');
  const holder = didJwkSigner('EdDSA');
  const deps = offlineDeps({ anchors: [{ did: register.did, credentialTypes: [LEGAL_PERSON] }] });
  const credential = credentialBy(register, 'jwt_vc_json', { subject: legalPerson(holder.did) });
  const madeAgo = (age: number) => {
    const challenge = randomUUID();
    const vp = presentationBy(holder, 'jwt_vp_json', {
      credentials: [credential],
      nonce: challenge,
      audience: DOMAIN,
      issuedAt: addSeconds(NOW, -age),
    });
    return verifyPresentation(vp, { challenge, domain: DOMAIN }, deps);
  };

  it(`accepts a presentation made ${PRESENTATION_MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS - 1} s ago`, async () => {
    assertVerified(await madeAgo(PRESENTATION_MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS - 1));
  });

  it(`rejects a presentation made ${PRESENTATION_MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS + 1} s ago (expired)`, async () => {
    assertFails(await madeAgo(PRESENTATION_MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS + 1), 'validity', 'expired');
  });

  it('rejects a presentation dated more than the skew ahead (not_yet_valid)', async () => {
    assertFails(await madeAgo(-(CLOCK_SKEW_SECONDS + 1)), 'validity', 'not_yet_valid');
  });

  it('rejects a presentation of more than 20 credentials (too_many_credentials)', async () => {
    const challenge = randomUUID();
    const vp = presentationBy(holder, 'jwt_vp_json', {
      credentials: Array.from({ length: 21 }, () => credential),
      nonce: challenge,
      audience: DOMAIN,
    });
    assertFails(
      await verifyPresentation(vp, { challenge, domain: DOMAIN }, deps),
      'credentials',
      'too_many_credentials',
    );
  });
});
