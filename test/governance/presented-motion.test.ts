/**
 * A motion opened through the wallet (issue 14 item 3; src/governance/presented-motion.ts): a
 * JWT VP whose `transaction_data_hashes` (OpenID4VP 1.0 §8.4, Appendix B.3.3) hold the SHA-256
 * of the `dataspace_motion` item. `GovernanceEngine.openPresentedMotion` applies every rule
 * `openMotion` applies; the presentation and the item are the motion's opening statement.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomUUID } from 'node:crypto';
import { compactVerify, importJWK, type JWK } from 'jose';
import request from 'supertest';
import { GovernanceError } from '../../src/governance/errors.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { type Actor, admitMember, anchorsDir, newActor, seatBoard } from './support.js';

const hash = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');

function motionItem(subject: string, extra: Record<string, unknown> = {}): string {
  const item = {
    type: 'dataspace_motion',
    credential_ids: ['board'],
    kind: 'suspend',
    subject,
    reason: 'breach of the rulebook',
    ...extra,
  };
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

describeEachDatabase(
  'governance: motions opened through the wallet (OpenID4VP transaction_data)',
  (fresh) => {
    let service: Service;
    let board: Actor[];
    let city: Actor;

    beforeEach(async function () {
      this.timeout(60_000);
      const register = await newActor();
      service = await openTestService(await fresh(), { TRUST_ANCHORS_DIR: anchorsDir(register) });
      board = await seatBoard(service, 3);
      city = (await admitMember(service, board, register, ['public-authority'])).applicant;
    });
    afterEach(async () => service?.close());

    const open = async (member: Actor, item: string, claims: Record<string, unknown> = {}) =>
      service.governance.engine.openPresentedMotion({
        presentation: await signedPresentation(member, service.identity.did, [item], claims),
        transactionData: item,
      });

    async function refused(opening: () => Promise<unknown>, code: string) {
      const before = (await service.governance.engine.motions({ status: 'open' })).length;
      await assert.rejects(opening, (error: unknown) => {
        assert.ok(error instanceof GovernanceError, String(error));
        assert.equal(error.code, code);
        return true;
      });
      assert.equal(
        (await service.governance.engine.motions({ status: 'open' })).length,
        before,
        'a refused motion is not opened',
      );
    }

    it('opens a suspension signed by a board member; the opening re-verifies with the DID key and the item hash, and is audited', async () => {
      const member = board[0] as Actor;
      const item = motionItem(city.did);
      const motion = await open(member, item);
      assert.deepEqual(
        [motion.kind, motion.subject, motion.reason, motion.openedBy, motion.status],
        ['suspend', city.did, 'breach of the rulebook', member.did, 'open'],
      );
      assert.equal(motion.openingTransactionData, item);
      const jwk = JSON.parse(Buffer.from(member.did.slice('did:jwk:'.length), 'base64url').toString()) as JWK;
      const { payload } = await compactVerify(
        motion.openingStatement as string,
        await importJWK(jwk, 'EdDSA'),
      );
      const claims = JSON.parse(new TextDecoder().decode(payload));
      assert.ok(claims.transaction_data_hashes.includes(hash(item)));
      const api = await request(service.app.callback()).get(`/api/v1/motions/${motion.id}`).expect(200);
      assert.equal(api.body.openingTransactionData, item, 'published for anyone to re-verify');
      const [opened] = await service.audit.about(motion.id, { kindPrefix: 'governance.motion.opened' });
      assert.equal(opened?.actor, member.did);
      // Two approvals decide it as a motion opened with a JWS would be.
      for (const voter of board.slice(1, 3)) {
        const vote = Buffer.from(
          JSON.stringify({
            type: 'dataspace_vote',
            credential_ids: ['board'],
            motion: motion.id,
            decision: 'approve',
          }),
        ).toString('base64url');
        await service.governance.engine.castPresentedVote(motion.id, {
          presentation: await signedPresentation(voter, service.identity.did, [vote]),
          transactionData: vote,
        });
      }
      assert.equal((await service.governance.engine.motion(motion.id)).status, 'approved');
      assert.equal((await service.governance.members.get(city.did)).status, 'suspended');
    });

    it('refuses a presentation that does not sign the item: motion_not_signed', async () => {
      const member = board[0] as Actor;
      const signed = motionItem(city.did);
      const changed = motionItem(city.did, { kind: 'revoke' });
      await refused(
        async () =>
          service.governance.engine.openPresentedMotion({
            presentation: await signedPresentation(member, service.identity.did, [signed]),
            transactionData: changed,
          }),
        'motion_not_signed',
      );
    });

    it('refuses another hash algorithm: motion_not_signed', async () => {
      const item = motionItem(city.did);
      await refused(
        () => open(board[0] as Actor, item, { transaction_data_hashes_alg: 'sha-384' }),
        'motion_not_signed',
      );
    });

    it('refuses an item of another type (a vote) and a JWS that is not a presentation: invalid_statement', async () => {
      await refused(
        () => open(board[0] as Actor, motionItem(city.did, { type: 'dataspace_vote' })),
        'invalid_statement',
      );
      await refused(
        () => open(board[0] as Actor, motionItem(city.did), { vp: undefined }),
        'invalid_statement',
      );
    });

    it('refuses a second open motion of the same kind on the same subject: motion_open', async () => {
      await open(board[0] as Actor, motionItem(city.did));
      await refused(() => open(board[1] as Actor, motionItem(city.did)), 'motion_open');
    });

    it('refuses a signer who holds no seat on the board: not_board_member', async () => {
      await refused(async () => open(await newActor(), motionItem(city.did)), 'not_board_member');
    });

    it('refuses a kind the board may not open and a motion without a reason: invalid_motion', async () => {
      await refused(() => open(board[0] as Actor, motionItem(city.did, { kind: 'admit' })), 'invalid_motion');
      await refused(() => open(board[0] as Actor, motionItem(city.did, { reason: ' ' })), 'invalid_motion');
    });

    it('refuses a presentation for another verifier (foreign_audience) and a replayed one (jti_reused)', async () => {
      const member = board[0] as Actor;
      await refused(
        () => open(member, motionItem(city.did), { aud: service.identity.did }),
        'foreign_audience',
      );
      const item = motionItem(city.did);
      const presentation = await signedPresentation(member, service.identity.did, [item]);
      await service.governance.engine.openPresentedMotion({
        presentation,
        transactionData: item,
      });
      await refused(
        () =>
          service.governance.engine.openPresentedMotion({
            presentation,
            transactionData: item,
          }),
        'jti_reused',
      );
    });
  },
);
