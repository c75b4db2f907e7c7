/**
 * SD-JWT VC issuance (SD-JWT VC §3) and Token Status Lists (draft-ietf-oauth-status-list §5,
 * §8) on both databases: the MembershipCredential issued as `dc+sd-jwt` verifies here and with
 * `@sd-jwt/sd-jwt-vc` (as the other party, reading the published Status List Token), and the
 * board's suspension, reinstatement and revocation of the member flip its Token Status List
 * entry with the Bitstring one.
 */
import { strict as assert } from 'node:assert';
import { createPublicKey, verify } from 'node:crypto';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import request from 'supertest';
import { IssuanceEntity } from '../../../src/credentials/entities.js';
import { IssuanceError } from '../../../src/credentials/issue/errors.js';
import { MemberEntity } from '../../../src/membership/entities.js';
import type { Service } from '../../../src/service.js';
import {
  type Actor,
  admitMember,
  anchorsDir,
  motion,
  newActor,
  seatBoard,
  vote,
} from '../../governance/support.js';
import { describeEachDatabase } from '../../support/databases.js';
import { openTestService } from '../../support/service.js';
import { generateTestKey, seconds } from '../verify/support.js';
import { hasher, kbJwt } from './support.js';

const SUBJECT = {
  id: 'did:web:city.example',
  legalName: 'City of Example',
  roles: ['public-authority'],
  sides: ['supply', 'demand'],
  memberSince: '2026-01-01T00:00:00Z',
  rulebookVersion: '1.0.0',
};

async function refusal(promise: Promise<unknown>): Promise<IssuanceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof IssuanceError, `expected IssuanceError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the issuance to be refused');
}

const statusOf = (result: { checks: readonly { check: string; result: string; code?: string }[] }) =>
  result.checks.find((c) => c.check === 'status');

async function decide(service: Service, board: Actor[], kind: string, subject: string) {
  const app = service.app.callback();
  const did = service.identity.did;
  const opened = await request(app)
    .post('/api/v1/motions')
    .send({ motion: await motion(board[0] as Actor, did, kind, subject) })
    .expect(201);
  let last: request.Response | undefined;
  for (const member of board) {
    last = await request(app)
      .post(`/api/v1/motions/${opened.body.id}/votes`)
      .send({ vote: await vote(member, did, opened.body.id, 'approve') })
      .expect(201);
    if (last.body.status !== 'open') break;
  }
  assert.equal(last?.body.status, 'approved');
}

describeEachDatabase('SD-JWT VC issuance and Token Status Lists', (fresh) => {
  let service: Service;
  let register: Actor;
  beforeEach(async () => {
    register = await newActor();
    service = await openTestService(await fresh(), { TRUST_ANCHORS_DIR: anchorsDir(register) });
  });
  afterEach(async () => {
    await service.close();
  });

  const holder = generateTestKey('ES256');
  const issueTo = (extra: Record<string, unknown> = {}) =>
    service.credentials.issuer.issue({
      type: 'MembershipCredential',
      subject: SUBJECT,
      format: 'dc+sd-jwt',
      holderKey: holder.publicJwk,
      ...extra,
    });

  /** The status value at the credential's index, read from the published list over HTTP. */
  async function publishedStatus(sdJwt: string): Promise<number> {
    const payload = JSON.parse(Buffer.from(sdJwt.split('.')[1] as string, 'base64url').toString());
    const { idx, uri } = payload.status.status_list as { idx: number; uri: string };
    const res = await request(service.app.callback()).get(new URL(uri).pathname).expect(200);
    assert.match(res.headers['content-type'] ?? '', /^application\/statuslist\+jwt/);
    const header = JSON.parse(Buffer.from(res.text.split('.')[0] as string, 'base64url').toString());
    assert.equal(header.typ, 'statuslist+jwt');
    assert.ok(String(header.kid).startsWith(`${service.identity.did}#`));
    return getListFromStatusListJWT(res.text).getStatus(idx);
  }

  describe('SD-JWT VC §3: the issued credential', () => {
    it('is a dc+sd-jwt with the published vct, cnf and status in clear, the chosen claims disclosable', async () => {
      const issued = await issueTo();
      assert.equal(issued.format, 'dc+sd-jwt');
      const [jws, ...rest] = issued.jwt.split('~');
      assert.equal(rest.at(-1), '');
      assert.equal(rest.length - 1, 5);
      const header = JSON.parse(Buffer.from((jws as string).split('.')[0] as string, 'base64url').toString());
      const payload = JSON.parse(
        Buffer.from((jws as string).split('.')[1] as string, 'base64url').toString(),
      );
      assert.equal(header.typ, 'dc+sd-jwt');
      assert.equal(payload.vct, `${service.config.publicUrl.replace(/\/$/, '')}/vct/membership`);
      assert.deepEqual(payload.cnf, { jwk: holder.publicJwk });
      assert.equal(payload.sub, SUBJECT.id);
      assert.equal(payload.legalName, undefined);
      assert.equal(payload._sd.length, 5);
      assert.equal(typeof payload.status.status_list.idx, 'number');
    });

    it('verifies here, with its status read from the published Token Status List', async () => {
      const issued = await issueTo();
      const result = await service.credentials.verifyCredential(issued.jwt);
      assert.equal(result.verified, true, JSON.stringify(result.checks));
      assert.deepEqual(statusOf(result), { check: 'status', result: 'passed' });
      assert.equal(result.claims?.legalName, SUBJECT.legalName);
      assert.equal(await publishedStatus(issued.jwt), 0);
    });

    it('verifies with @sd-jwt/sd-jwt-vc, including its status through the published list', async () => {
      const issued = await issueTo();
      const document = (await service.identity.document()) as unknown as {
        verificationMethod: { id: string; publicKeyJwk: import('node:crypto').JsonWebKey }[];
      };
      const app = service.app.callback();
      const keyOf = (data: string) => {
        const kid = JSON.parse(Buffer.from(data.split('.')[0] as string, 'base64url').toString()).kid;
        const method = document.verificationMethod.find((m) => m.id === kid);
        assert.ok(method, `no method ${kid}`);
        return createPublicKey({ key: method.publicKeyJwk, format: 'jwk' });
      };
      const verifier = (data: string, signature: string) =>
        verify(null, Buffer.from(data), keyOf(data), Buffer.from(signature, 'base64url'));
      const library = new SDJwtVcInstance({
        hasher,
        verifier,
        statusVerifier: verifier,
        statusListFetcher: async (uri: string) =>
          (await request(app).get(new URL(uri).pathname).expect(200)).text,
      });
      const verified = await library.verify(issued.jwt);
      assert.equal(verified.payload.legalName, SUBJECT.legalName);
      assert.equal(verified.payload.vct, `${service.config.publicUrl.replace(/\/$/, '')}/vct/membership`);
      // The library reads the same list: once revoked, it refuses the credential too.
      await service.credentials.status.revoke(issued.id);
      await assert.rejects(library.verify(issued.jwt), /status/i);
    });

    it('verifies presented with a key binding JWT by the holder key', async () => {
      const issued = await issueTo();
      const parts = issued.jwt.split('~');
      // The holder shows only its legal name (the first disclosure whose name is legalName).
      const chosen = parts
        .slice(1, -1)
        .filter((d) => JSON.parse(Buffer.from(d, 'base64url').toString())[1] === 'legalName');
      const presented = `${[parts[0], ...chosen].join('~')}~`;
      const kb = kbJwt(holder, presented, {
        iat: seconds(new Date()),
        aud: 'https://rp.example',
        nonce: 'abc',
      });
      const result = await service.credentials.verifyPresentation(`${presented}${kb}`, {
        challenge: 'abc',
        domain: 'https://rp.example',
      });
      assert.equal(result.verified, true, JSON.stringify(result.checks));
      assert.deepEqual(Object.keys(result.credentials[0]?.claims ?? {}).includes('roles'), false);
      assert.equal(result.credentials[0]?.claims?.legalName, SUBJECT.legalName);
    });

    it('the verify APIs take it: a credential without key binding, a presentation with it', async () => {
      const issued = await issueTo();
      const app = service.app.callback();
      const credential = await request(app)
        .post('/api/v1/credentials/verify')
        .send({ credential: issued.jwt })
        .expect(200);
      assert.equal(credential.body.verified, true, JSON.stringify(credential.body.checks));
      assert.equal(credential.body.format, 'dc+sd-jwt');
      assert.equal(credential.body.claims.legalName, SUBJECT.legalName);
      const kb = kbJwt(holder, issued.jwt, {
        iat: seconds(new Date()),
        aud: 'https://rp.example',
        nonce: 'n-1',
      });
      const presented = await request(app)
        .post('/api/v1/presentations/verify')
        .send({ presentation: `${issued.jwt}${kb}`, challenge: 'n-1', domain: 'https://rp.example' })
        .expect(200);
      assert.equal(presented.body.verified, true, JSON.stringify(presented.body.checks));
      const replayed = await request(app)
        .post('/api/v1/presentations/verify')
        .send({ presentation: `${issued.jwt}${kb}`, challenge: 'n-1', domain: 'https://rp.example' })
        .expect(200);
      assert.equal(replayed.body.verified, false);
      assert.equal(
        replayed.body.checks.find((c: { check: string }) => c.check === 'challenge').code,
        'challenge_reused',
      );
    });

    it('refuses a holder key holding private key material, and writes nothing', async () => {
      const jwk = holder.privateKey.export({ format: 'jwk' });
      assert.equal((await refusal(issueTo({ holderKey: jwk }))).code, 'invalid_request');
      assert.equal(await service.dataSource.getRepository(IssuanceEntity).count(), 0);
    });

    it('refuses a holder key of another type', async () => {
      const error = await refusal(issueTo({ holderKey: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } }));
      assert.equal(error.code, 'invalid_request');
    });

    it('refuses a missing holder key', async () => {
      assert.equal((await refusal(issueTo({ holderKey: undefined }))).code, 'invalid_request');
    });

    it('refuses claims that violate the type schema', async () => {
      const error = await refusal(issueTo({ subject: { ...SUBJECT, roles: ['emperor'] } }));
      assert.equal(error.code, 'schema_violation');
    });

    it('refuses a type the data space defines no SD-JWT VC for', async () => {
      const error = await refusal(issueTo({ type: 'BoardMemberCredential' }));
      assert.equal(error.code, 'unknown_type');
    });
  });

  describe('Token Status List §8: the published list and its changes', () => {
    it('serves SD-JWT VC type metadata at the vct', async () => {
      const res = await request(service.app.callback()).get('/vct/membership').expect(200);
      assert.equal(res.body.vct, `${service.config.publicUrl.replace(/\/$/, '')}/vct/membership`);
      assert.ok(
        res.body.claims.some(
          (c: { path: string[]; sd: string }) => c.path[0] === 'legalName' && c.sd === 'always',
        ),
      );
    });

    it('answers 404 not_found for an unknown list, and never serves a token list as a Bitstring list', async () => {
      const issued = await issueTo();
      const uri = JSON.parse(Buffer.from(issued.jwt.split('.')[1] as string, 'base64url').toString()).status
        .status_list.uri as string;
      const listId = uri.split('/').at(-1) as string;
      const app = service.app.callback();
      assert.equal((await request(app).get('/status-lists/nothing').expect(404)).body.code, 'not_found');
      assert.equal((await request(app).get(`/status/${listId}`).expect(404)).body.code, 'not_found');
    });

    it('a credential revoked on its own is INVALID in the list', async () => {
      const issued = await issueTo();
      await service.credentials.status.revoke(issued.id);
      assert.equal(await publishedStatus(issued.jwt), 1);
      assert.equal(statusOf(await service.credentials.verifyCredential(issued.jwt))?.code, 'revoked');
      await assert.rejects(service.credentials.status.suspend(issued.id), { code: 'already_revoked' });
    });

    it('the board suspends, reinstates and revokes the member: its SD-JWT VC follows, Bitstring and token alike', async function () {
      this.timeout(60_000);
      const board = await seatBoard(service);
      const { applicant, credential } = await admitMember(service, board, register, ['data-provider']);
      const member = await service.dataSource
        .getRepository(MemberEntity)
        .findOneByOrFail({ did: applicant.did });
      const issued = await issueTo({
        subject: { ...SUBJECT, id: applicant.did },
        follows: member.credentialId,
      });
      assert.equal(statusOf(await service.credentials.verifyCredential(issued.jwt))?.result, 'passed');

      await decide(service, board, 'suspend', applicant.did);
      assert.equal(await publishedStatus(issued.jwt), 2);
      assert.equal(statusOf(await service.credentials.verifyCredential(issued.jwt))?.code, 'suspended');
      assert.equal(statusOf(await service.credentials.verifyCredential(credential))?.code, 'suspended');

      await decide(service, board, 'reinstate', applicant.did);
      assert.equal(await publishedStatus(issued.jwt), 0);
      assert.equal(statusOf(await service.credentials.verifyCredential(issued.jwt))?.result, 'passed');

      await decide(service, board, 'revoke', applicant.did);
      assert.equal(await publishedStatus(issued.jwt), 1);
      assert.equal(statusOf(await service.credentials.verifyCredential(issued.jwt))?.code, 'revoked');
      assert.equal(statusOf(await service.credentials.verifyCredential(credential))?.code, 'revoked');
    });
  });
});
