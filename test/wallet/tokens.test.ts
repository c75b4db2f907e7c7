import { strict as assert } from 'node:assert';
import { compactVerify } from 'jose';
import { verifyCredential } from '../../src/credentials/verify/verify-credential.js';
import { verifyPresentation } from '../../src/credentials/verify/verify-presentation.js';
import { createDidResolver, selectVerificationKey } from '../../src/did/index.js';
import { createWallet, type Wallet, type WalletAlgorithm } from '../../src/wallet/index.js';
import {
  dataSpaceSchemas,
  decode,
  frozen,
  NOW,
  PASSPHRASE,
  rejectsWithCode,
  seconds,
  tempWalletDir,
  trustOnly,
  verifierDeps,
} from './support.js';

const SERVICE = 'did:web:trust.city.example';
const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const APPLICATION = {
  legalName: 'Stadtwerke Musterstadt GmbH',
  registrationNumber: 'HRB 12345',
  country: 'DE',
  roles: ['data-provider', 'data-consumer'],
  contact: { email: 'dataspace@stadtwerke.example', name: 'Erika Mustermann' },
};

const legalPerson = (id: string) => ({
  id,
  legalName: 'Stadtwerke Musterstadt GmbH',
  registrationNumber: 'HRB 12345',
  country: 'DE',
});

async function verifyWith(wallet: Wallet, jws: string, relationship: 'assertionMethod' | 'authentication') {
  const document = await createDidResolver({ developmentMode: false }).resolve(wallet.did);
  const key = selectVerificationKey(document, { kid: wallet.kid, relationship });
  return compactVerify(jws, key.publicKey, { algorithms: [wallet.algorithm] });
}

describe('tokens the wallet signs', () => {
  const temp = tempWalletDir();
  let register: Wallet; // a business register, as issuer
  let applicant: Wallet; // an organisation applying for membership
  let board: Wallet; // a board member
  const wallet = (name: string, algorithm: WalletAlgorithm, method: 'did:key' | 'did:jwk') =>
    createWallet({
      dir: `${temp.root}/${name}`,
      passphrase: PASSPHRASE,
      method,
      algorithm,
      now: frozen(),
      schemas: dataSpaceSchemas(),
    });

  before(async () => {
    [register, applicant, board] = await Promise.all([
      wallet('register', 'ES256', 'did:jwk'),
      wallet('applicant', 'EdDSA', 'did:key'),
      wallet('board', 'ES256', 'did:key'),
    ]);
  });
  after(() => temp.remove());

  describe('VCDM 1.1 §7 presentation (jwt_vp_json) for the membership application', () => {
    let application: string;
    let evidence: string;
    let presentation: string;

    before(async () => {
      evidence = await register.issueCredential({
        type: 'LegalPersonCredential',
        subject: legalPerson(applicant.did),
      });
      await applicant.addCredential(evidence);
      application = await applicant.applicationCredential(APPLICATION);
      presentation = await applicant.presentation({
        audience: SERVICE,
        nonce: 'challenge-1',
        credentials: [application, ...applicant.credentials({ type: 'LegalPersonCredential' })],
      });
    });

    it('has exactly the header and claims the service accepts', () => {
      const { header, payload } = decode(presentation);
      assert.deepEqual(header, { alg: 'EdDSA', typ: 'JWT', kid: applicant.kid });
      assert.match(payload.jti as string, UUID_URN);
      assert.deepEqual(payload, {
        iss: applicant.did,
        aud: SERVICE,
        nonce: 'challenge-1',
        iat: seconds(NOW),
        exp: seconds(NOW) + 300,
        jti: payload.jti,
        vp: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiablePresentation'],
          holder: applicant.did,
          verifiableCredential: [application, evidence],
        },
      });
    });

    it("verifies with the project's verifyPresentation, every check passed, every credential verified", async () => {
      const deps = verifierDeps(trustOnly(register.did, applicant.did));
      const result = await verifyPresentation(
        presentation,
        { challenge: 'challenge-1', domain: SERVICE },
        deps,
      );
      assert.equal(result.verified, true, JSON.stringify(result.checks));
      assert.ok(
        result.checks.every((check) => check.result === 'passed'),
        JSON.stringify(result.checks),
      );
      assert.equal(result.holder, applicant.did);
      assert.deepEqual(
        result.credentials.map((credential) => [credential.verified, credential.types?.at(-1)]),
        [
          [true, 'MembershipApplicationCredential'],
          [true, 'LegalPersonCredential'],
        ],
      );
      for (const credential of result.credentials) {
        const notPassed = credential.checks.filter((check) => check.result !== 'passed');
        assert.deepEqual(
          notPassed.map((check) => [check.check, check.code]),
          [['status', 'no_status']],
          'only status is skipped, for want of a credentialStatus',
        );
      }
    });

    it('is bound to its challenge: another challenge fails (challenge_mismatch)', async () => {
      const deps = verifierDeps(trustOnly(register.did, applicant.did));
      const result = await verifyPresentation(
        presentation,
        { challenge: 'challenge-2', domain: SERVICE },
        deps,
      );
      assert.equal(result.checks.find((c) => c.check === 'challenge')?.code, 'challenge_mismatch');
    });

    it('is bound to its audience: another verifier fails (domain_mismatch)', async () => {
      const deps = verifierDeps(trustOnly(register.did, applicant.did));
      const result = await verifyPresentation(
        presentation,
        { challenge: 'challenge-1', domain: 'did:web:other.example' },
        deps,
      );
      assert.equal(result.checks.find((c) => c.check === 'domain')?.code, 'domain_mismatch');
    });

    it('is refused after its 300 s lifetime and the verifier clock skew (validity failed)', async () => {
      const later = new Date(NOW.getTime() + 361_000); // past exp plus the 60 s skew
      const deps = verifierDeps(trustOnly(register.did, applicant.did), later);
      const result = await verifyPresentation(
        presentation,
        { challenge: 'challenge-1', domain: SERVICE },
        deps,
      );
      assert.equal(result.verified, false);
      assert.equal(result.checks.find((c) => c.check === 'validity')?.result, 'failed');
    });

    it('proves control of the DID with no credential at all (for collecting the membership credential)', async () => {
      const proof = await applicant.presentation({
        audience: SERVICE,
        nonce: 'challenge-3',
        credentials: [],
      });
      const { payload } = decode(proof);
      assert.deepEqual((payload.vp as Record<string, unknown>).verifiableCredential, []);
      const deps = verifierDeps(trustOnly());
      const result = await verifyPresentation(proof, { challenge: 'challenge-3', domain: SERVICE }, deps);
      // The signature, challenge and audience pass; the pipeline (for presentations in general) wants credentials.
      for (const check of ['format', 'signature', 'validity', 'challenge', 'domain']) {
        assert.equal(result.checks.find((c) => c.check === check)?.result, 'passed', check);
      }
      assert.equal(result.checks.find((c) => c.check === 'credentials')?.code, 'no_credentials');
    });
  });

  describe('the self-issued MembershipApplicationCredential (jwt_vc_json)', () => {
    it('has the documented shape and validates against MembershipApplicationCredential v1', async () => {
      const jwt = await applicant.applicationCredential(APPLICATION);
      const { header, payload } = decode(jwt);
      assert.deepEqual(header, { alg: 'EdDSA', typ: 'JWT', kid: applicant.kid });
      assert.match(payload.jti as string, UUID_URN);
      assert.deepEqual(payload, {
        iss: applicant.did,
        sub: applicant.did,
        jti: payload.jti,
        iat: seconds(NOW),
        nbf: seconds(NOW),
        vc: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiableCredential', 'MembershipApplicationCredential'],
          issuanceDate: '2026-03-01T12:00:00Z',
          credentialSubject: { id: applicant.did, ...APPLICATION },
        },
      });
      const vc = payload.vc as Record<string, unknown>;
      const document = { ...vc, id: payload.jti, issuer: payload.iss };
      assert.deepEqual(dataSpaceSchemas().validate('MembershipApplicationCredential', document).valid, true);
    });

    it('refuses to sign an application that breaks the schema (schema_violation, naming the fields)', async () => {
      const bad = { ...APPLICATION, country: 'XX', roles: [], contact: { email: 'not an email' } };
      await assert.rejects(
        applicant.applicationCredential(bad),
        (error: { code: string; errors: string[] }) => {
          assert.equal(error.code, 'schema_violation');
          const text = error.errors.join('\n');
          for (const path of [
            '/credentialSubject/country',
            '/credentialSubject/roles',
            '/credentialSubject/contact/email',
          ]) {
            assert.ok(text.includes(path), `${path} in ${text}`);
          }
          return true;
        },
      );
    });
  });

  describe('credentials the wallet issues (as a business register)', () => {
    for (const format of ['vc+jwt', 'jwt_vc_json'] as const) {
      it(`a LegalPersonCredential as ${format} verifies with verifyCredential`, async () => {
        const jwt = await register.issueCredential({
          type: 'LegalPersonCredential',
          subject: legalPerson(applicant.did),
          format,
          validUntil: new Date('2027-03-01T00:00:00Z'),
        });
        const { header } = decode(jwt);
        assert.deepEqual(header, {
          alg: 'ES256',
          typ: format === 'vc+jwt' ? 'vc+jwt' : 'JWT',
          kid: register.kid,
        });
        const result = await verifyCredential(jwt, verifierDeps(trustOnly(register.did)));
        assert.equal(result.verified, true, JSON.stringify(result.checks));
        assert.equal(result.format, format);
        assert.equal(result.issuer, register.did);
        assert.equal(result.subject, applicant.did);
        assert.deepEqual(
          result.checks.map((c) => [c.check, c.result, c.code]),
          [
            ['format', 'passed', undefined],
            ['signature', 'passed', undefined],
            ['validity', 'passed', undefined],
            ['trusted_issuer', 'passed', undefined],
            ['status', 'skipped', 'no_status'],
            ['schema', 'passed', undefined],
          ],
        );
      });
    }

    it('fails trusted_issuer when the verifier does not trust the wallet (untrusted_issuer)', async () => {
      const jwt = await register.issueCredential({
        type: 'LegalPersonCredential',
        subject: legalPerson(applicant.did),
      });
      const result = await verifyCredential(jwt, verifierDeps(trustOnly()));
      assert.equal(result.checks.find((c) => c.check === 'trusted_issuer')?.code, 'untrusted_issuer');
    });

    it('refuses to issue a LegalPersonCredential without its required claims (schema_violation)', async () => {
      await rejectsWithCode(
        register.issueCredential({
          type: 'LegalPersonCredential',
          subject: { id: applicant.did, legalName: 'X' },
        }),
        'schema_violation',
      );
    });

    it('refuses a subject without a DID (invalid_argument)', async () => {
      await rejectsWithCode(
        register.issueCredential({ type: 'DemoCredential', subject: { id: 'alice' } }),
        'invalid_argument',
      );
    });

    it('refuses validUntil before validFrom (invalid_argument)', async () => {
      await rejectsWithCode(
        register.issueCredential({
          type: 'DemoCredential',
          subject: { id: applicant.did },
          validUntil: new Date('2020-01-01'),
        }),
        'invalid_argument',
      );
    });
  });

  describe('the credential store', () => {
    it('stores a credential once, lists it with its parsed type and issuer, filters by type', async () => {
      const store = await wallet('store', 'EdDSA', 'did:jwk');
      const jwt = await register.issueCredential({
        type: 'LegalPersonCredential',
        subject: legalPerson(store.did),
        format: 'jwt_vc_json',
        validUntil: new Date('2027-01-01T00:00:00Z'),
      });
      const stored = await store.addCredential(jwt);
      await store.addCredential(`${jwt}\n`);
      assert.deepEqual(store.credentials(), [stored]);
      assert.equal(stored.type, 'LegalPersonCredential');
      assert.equal(stored.issuer, register.did);
      assert.equal(stored.subject, store.did);
      assert.equal(stored.format, 'jwt_vc_json');
      assert.equal(stored.validFrom, NOW.toISOString());
      assert.equal(stored.validUntil, '2027-01-01T00:00:00.000Z');
      assert.deepEqual(store.credentials({ type: 'LegalPersonCredential' }), [stored]);
      assert.deepEqual(store.credentials({ type: 'MembershipCredential' }), []);
    });

    it('refuses a credential about another DID (subject_mismatch)', async () => {
      const jwt = await register.issueCredential({
        type: 'LegalPersonCredential',
        subject: legalPerson(board.did),
      });
      await rejectsWithCode(applicant.addCredential(jwt), 'subject_mismatch');
    });

    it('refuses a presentation or any other JWT as a credential (invalid_credential)', async () => {
      const presentation = await applicant.presentation({ audience: SERVICE, nonce: 'n', credentials: [] });
      await rejectsWithCode(applicant.addCredential(presentation), 'invalid_credential');
      await rejectsWithCode(applicant.addCredential('not.a.jwt'), 'invalid_credential');
    });
  });

  describe('governance JWS: votes, motions, withdrawals', () => {
    it('a vote has header { alg, typ: JWT, kid } and exactly the vote claims, signed by the board DID', async () => {
      const vote = await board.vote({
        service: SERVICE,
        motion: 'motion-7',
        decision: 'approve',
        reason: 'meets the rulebook',
      });
      const { protectedHeader, payload } = await verifyWith(board, vote, 'authentication');
      assert.deepEqual(protectedHeader, { alg: 'ES256', typ: 'JWT', kid: board.kid });
      const claims = JSON.parse(Buffer.from(payload).toString('utf8'));
      assert.match(claims.jti, UUID_URN);
      assert.deepEqual(claims, {
        iss: board.did,
        aud: SERVICE,
        motion: 'motion-7',
        decision: 'approve',
        reason: 'meets the rulebook',
        iat: seconds(NOW),
        jti: claims.jti,
      });
    });

    it('a vote without a reason has no reason claim', async () => {
      const { payload } = decode(await board.vote({ service: SERVICE, motion: 'm', decision: 'reject' }));
      assert.deepEqual(Object.keys(payload).sort(), ['aud', 'decision', 'iat', 'iss', 'jti', 'motion']);
    });

    it('two votes have different jti', async () => {
      const [a, b] = await Promise.all(
        [1, 2].map(() => board.vote({ service: SERVICE, motion: 'm', decision: 'approve' })),
      );
      assert.notEqual(decode(a as string).payload.jti, decode(b as string).payload.jti);
    });

    it('refuses a decision other than approve or reject (invalid_argument)', async () => {
      await rejectsWithCode(
        board.vote({ service: SERVICE, motion: 'm', decision: 'abstain' as 'approve' }),
        'invalid_argument',
      );
    });

    it('refuses a vote whose service is not a DID (invalid_argument)', async () => {
      await rejectsWithCode(
        board.vote({ service: 'https://trust.city.example', motion: 'm', decision: 'approve' }),
        'invalid_argument',
      );
    });

    it('a motion carries kind, subject, reason and, for add-board-member, the name', async () => {
      const motion = await board.motion({
        service: SERVICE,
        kind: 'add-board-member',
        subject: applicant.did,
        reason: 'elected at the assembly',
        name: 'Erika Mustermann',
      });
      const { protectedHeader, payload } = await verifyWith(board, motion, 'assertionMethod');
      assert.deepEqual(protectedHeader, { alg: 'ES256', typ: 'JWT', kid: board.kid });
      const claims = JSON.parse(Buffer.from(payload).toString('utf8'));
      assert.deepEqual(claims, {
        iss: board.did,
        aud: SERVICE,
        kind: 'add-board-member',
        subject: applicant.did,
        reason: 'elected at the assembly',
        iat: seconds(NOW),
        jti: claims.jti,
        name: 'Erika Mustermann',
      });
    });

    it('an amend-rulebook motion takes a rulebook version as its subject', async () => {
      const { payload } = decode(
        await board.motion({ service: SERVICE, kind: 'amend-rulebook', subject: '2.1.0', reason: 'r' }),
      );
      assert.equal(payload.subject, '2.1.0');
    });

    it('refuses an unknown kind, a non-DID member subject, a name outside add-board-member (invalid_argument)', async () => {
      const base = { service: SERVICE, subject: applicant.did, reason: 'r' };
      await rejectsWithCode(board.motion({ ...base, kind: 'dissolve' as 'suspend' }), 'invalid_argument');
      await rejectsWithCode(
        board.motion({ ...base, kind: 'suspend', subject: 'Stadtwerke' }),
        'invalid_argument',
      );
      await rejectsWithCode(board.motion({ ...base, kind: 'suspend', name: 'X' }), 'invalid_argument');
      await rejectsWithCode(board.motion({ ...base, kind: 'suspend', reason: ' ' }), 'invalid_argument');
    });

    it('a withdrawal says action withdraw, signed by the member DID', async () => {
      const withdrawal = await applicant.withdrawal({ service: SERVICE, reason: 'project ended' });
      const { protectedHeader, payload } = await verifyWith(applicant, withdrawal, 'authentication');
      assert.deepEqual(protectedHeader, { alg: 'EdDSA', typ: 'JWT', kid: applicant.kid });
      const claims = JSON.parse(Buffer.from(payload).toString('utf8'));
      assert.deepEqual(claims, {
        iss: applicant.did,
        aud: SERVICE,
        action: 'withdraw',
        reason: 'project ended',
        iat: seconds(NOW),
        jti: claims.jti,
      });
    });
  });
});
