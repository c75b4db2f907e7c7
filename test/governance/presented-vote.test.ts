/**
 * A vote signed through the wallet (issue 14 item 3; src/governance/presented-vote.ts): a JWT
 * VP whose `transaction_data_hashes` (OpenID4VP 1.0 §8.4, Appendix B.3.3) hold the SHA-256 of
 * the vote item. The engine verifies it from the bytes; anyone can re-verify it afterwards.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomUUID } from 'node:crypto';
import { compactVerify, importJWK, type JWK } from 'jose';
import request from 'supertest';
import { GovernanceError } from '../../src/governance/errors.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import {
  type Actor,
  anchorsDir,
  applicationCredential,
  legalPersonCredential,
  newActor,
  presentation,
} from './support.js';

const ORG = { legalName: 'City of Example', registrationNumber: 'HRB 12345', country: 'DE' };
const hash = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');

function voteItem(motion: string, decision: string, extra: Record<string, unknown> = {}): string {
  const item = { type: 'dataspace_vote', credential_ids: ['board'], motion, decision, ...extra };
  return Buffer.from(JSON.stringify(item), 'utf8').toString('base64url');
}

/** The board member's presentation signing `items` (as the holder wallet makes it). */
function signedPresentation(
  member: Actor,
  serviceDid: string,
  items: readonly string[],
  claims: Record<string, unknown> = {},
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return member.sign({
    iss: member.did,
    aud: `decentralized_identifier:${serviceDid}`,
    nonce: randomUUID(),
    iat,
    exp: iat + 300,
    jti: randomUUID(),
    transaction_data_hashes: items.map(hash),
    transaction_data_hashes_alg: 'sha-256',
    vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'] },
    ...claims,
  });
}

describeEachDatabase('governance: votes signed through the wallet (OpenID4VP transaction_data)', (fresh) => {
  let service: Service;
  let board: Actor[];
  let motionId: string;
  let affiliated: Actor;

  beforeEach(async function () {
    this.timeout(60_000);
    const register = await newActor();
    service = await openTestService(await fresh(), { TRUST_ANCHORS_DIR: anchorsDir(register) });
    board = [];
    for (let i = 0; i < 3; i++) {
      const member = await newActor();
      await service.governance.board.add({ did: member.did, name: `Board member ${i + 1}`, by: 'operator' });
      board.push(member);
    }
    const applicant = await newActor();
    affiliated = await newActor();
    await service.governance.board.add({
      did: affiliated.did,
      name: 'Affiliated',
      affiliations: [applicant.did],
      by: 'operator',
    });
    const app = service.app.callback();
    const { challenge } = (await request(app).get('/api/v1/membership/challenge').expect(200)).body;
    const vp = await presentation(applicant, service.identity.did, challenge, [
      await legalPersonCredential(register, applicant.did, ORG),
      await applicationCredential(applicant, ORG, ['public-authority']),
    ]);
    const applied = await request(app).post('/api/v1/membership/applications').send({ presentation: vp });
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    motionId = applied.body.motionId as string;
  });
  afterEach(async () => service?.close());

  async function refused(
    member: Actor,
    vote: { presentation: string; transactionData: string },
    code: string,
  ) {
    await assert.rejects(service.governance.engine.castPresentedVote(motionId, vote), (error: unknown) => {
      assert.ok(error instanceof GovernanceError, String(error));
      assert.equal(error.code, code);
      return true;
    });
    const view = await service.governance.engine.motion(motionId);
    assert.equal(
      view.votes.some((v) => v.voter === member.did),
      false,
      'a refused vote is not recorded',
    );
  }

  it('two approvals decide the motion; each vote re-verifies with the DID key and the item hash', async () => {
    for (const member of board.slice(0, 2)) {
      const item = voteItem(motionId, 'approve', { reason: 'evidence checked' });
      await service.governance.engine.castPresentedVote(motionId, {
        presentation: await signedPresentation(member, service.identity.did, [item]),
        transactionData: item,
      });
    }
    const view = await service.governance.engine.motion(motionId);
    assert.equal(view.status, 'approved');
    assert.equal(view.votes.length, 2);
    for (const vote of view.votes) {
      assert.equal(vote.reason, 'evidence checked');
      assert.ok(vote.transactionData);
      // Re-verification by anyone: the voter's did:jwk holds the key; the item's hash is signed.
      const jwk = JSON.parse(Buffer.from(vote.voter.slice('did:jwk:'.length), 'base64url').toString()) as JWK;
      const { payload } = await compactVerify(vote.statement, await importJWK(jwk, 'EdDSA'));
      const claims = JSON.parse(new TextDecoder().decode(payload));
      assert.equal(claims.iss, vote.voter);
      assert.ok(claims.transaction_data_hashes.includes(hash(vote.transactionData)));
      const item = JSON.parse(Buffer.from(vote.transactionData, 'base64url').toString());
      assert.deepEqual([item.motion, item.decision], [motionId, 'approve']);
    }
  });

  it('refuses a presentation that does not sign the item: vote_not_signed', async () => {
    const member = board[0] as Actor;
    const signed = voteItem(motionId, 'reject');
    await refused(
      member,
      {
        presentation: await signedPresentation(member, service.identity.did, [signed]),
        transactionData: voteItem(motionId, 'approve'),
      },
      'vote_not_signed',
    );
  });

  it('refuses another hash algorithm: vote_not_signed', async () => {
    const member = board[0] as Actor;
    const item = voteItem(motionId, 'approve');
    await refused(
      member,
      {
        presentation: await signedPresentation(member, service.identity.did, [item], {
          transaction_data_hashes_alg: 'sha-384',
        }),
        transactionData: item,
      },
      'vote_not_signed',
    );
  });

  it('refuses a presentation for another verifier: foreign_audience', async () => {
    const member = board[0] as Actor;
    const item = voteItem(motionId, 'approve');
    await refused(
      member,
      {
        presentation: await signedPresentation(member, service.identity.did, [item], {
          aud: service.identity.did,
        }),
        transactionData: item,
      },
      'foreign_audience',
    );
  });

  it('refuses a signed JWS that is not a presentation, and an item of another type: invalid_statement', async () => {
    const member = board[0] as Actor;
    const item = voteItem(motionId, 'approve');
    await refused(
      member,
      {
        presentation: await signedPresentation(member, service.identity.did, [item], { vp: undefined }),
        transactionData: item,
      },
      'invalid_statement',
    );
    const other = voteItem(motionId, 'approve', { type: 'dataspace_application' });
    await refused(
      member,
      {
        presentation: await signedPresentation(member, service.identity.did, [other]),
        transactionData: other,
      },
      'invalid_statement',
    );
  });

  it('refuses a vote for another motion: motion_mismatch', async () => {
    const member = board[0] as Actor;
    const item = voteItem('another-motion', 'approve');
    await refused(
      member,
      { presentation: await signedPresentation(member, service.identity.did, [item]), transactionData: item },
      'motion_mismatch',
    );
  });

  it('refuses a stale presentation: stale_statement', async () => {
    const member = board[0] as Actor;
    const item = voteItem(motionId, 'approve');
    await refused(
      member,
      {
        presentation: await signedPresentation(member, service.identity.did, [item], {
          iat: Math.floor(Date.now() / 1000) - 3600,
        }),
        transactionData: item,
      },
      'stale_statement',
    );
  });

  it('refuses a vote by a board member affiliated with the applicant: recused', async () => {
    const item = voteItem(motionId, 'approve');
    await refused(
      affiliated,
      {
        presentation: await signedPresentation(affiliated, service.identity.did, [item]),
        transactionData: item,
      },
      'recused',
    );
  });

  it('refuses a presentation signed with a key that is not its iss DID: issuer_mismatch', async () => {
    const member = board[0] as Actor;
    const impostor = await newActor();
    const item = voteItem(motionId, 'approve');
    await refused(
      member,
      {
        presentation: await signedPresentation(impostor, service.identity.did, [item], { iss: member.did }),
        transactionData: item,
      },
      'issuer_mismatch',
    );
  });
});
