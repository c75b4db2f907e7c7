import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { type Actor, admitMember, anchorsDir, motion, newActor, seatBoard, vote } from './support.js';

async function decide(
  service: Service,
  board: Actor[],
  kind: string,
  subject: string,
  extra: Record<string, unknown> = {},
) {
  const app = service.app.callback();
  const did = service.identity.did;
  const opened = await request(app)
    .post('/api/v1/motions')
    .send({ motion: await motion(board[0] as Actor, did, kind, subject, extra) })
    .expect(201);
  let last: request.Response | undefined;
  // Until decided: the shipped rulebook needs one approval to renew and two for the rest.
  for (const member of board) {
    last = await request(app)
      .post(`/api/v1/motions/${opened.body.id}/votes`)
      .send({ vote: await vote(member, did, opened.body.id, 'approve') })
      .expect(201);
    if (last.body.status !== 'open') break;
  }
  assert.equal(last?.body.status, 'approved');
}

async function statusCode(service: Service, credential: string): Promise<string | undefined> {
  const result = await service.credentials.verifyCredential(credential);
  return result.checks.find((check) => check.check === 'status')?.code;
}

describeEachDatabase('member lifecycle', (fresh) => {
  let service: Service | undefined;
  let board: Actor[];
  let register: Actor;
  beforeEach(async () => {
    register = await newActor();
    service = await openTestService(await fresh(), { TRUST_ANCHORS_DIR: anchorsDir(register) });
    board = await seatBoard(service);
  });
  afterEach(async () => {
    await service?.close();
  });

  it('an admitted data provider is a trusted issuer of the types the rulebook gives its role, until suspended', async () => {
    const s = service as Service;
    const { applicant } = await admitMember(s, board, register, ['data-provider']);
    const app = s.app.callback();
    const entry = await request(app)
      .get(`/api/v1/trusted-issuers/${encodeURIComponent(applicant.did)}`)
      .expect(200);
    assert.equal(entry.body.source, 'member');
    assert.deepEqual(entry.body.credentialTypes, ['DataProductCredential']);
    await decide(s, board, 'suspend', applicant.did);
    const gone = await request(app)
      .get(`/api/v1/trusted-issuers/${encodeURIComponent(applicant.did)}`)
      .expect(404);
    assert.equal(gone.body.code, 'not_found');
  });

  it('suspend → reinstate → revoke, each by vote, moves the credential status and the registry together', async () => {
    const s = service as Service;
    const { applicant, credential } = await admitMember(s, board, register, ['data-consumer']);
    await decide(s, board, 'suspend', applicant.did);
    assert.equal(await statusCode(s, credential), 'suspended');
    await decide(s, board, 'reinstate', applicant.did);
    assert.equal((await s.credentials.verifyCredential(credential)).verified, true);
    assert.equal((await s.governance.members.get(applicant.did)).status, 'active');
    await decide(s, board, 'revoke', applicant.did);
    assert.equal(await statusCode(s, credential), 'revoked');
    assert.equal((await s.governance.members.get(applicant.did)).status, 'revoked');
  });

  it('a motion on a subject in the wrong state is refused: invalid_member_status', async () => {
    const s = service as Service;
    const { applicant } = await admitMember(s, board, register, ['data-consumer']);
    const response = await request(s.app.callback())
      .post('/api/v1/motions')
      .send({ motion: await motion(board[0] as Actor, s.identity.did, 'reinstate', applicant.did) })
      .expect(409);
    assert.equal(response.body.code, 'invalid_member_status');
  });

  it('renewal by vote issues a new MembershipCredential that verifies', async () => {
    const s = service as Service;
    const { applicant, credential } = await admitMember(s, board, register, ['data-consumer']);
    const before = await s.governance.members.get(applicant.did);
    await decide(s, board, 'renew', applicant.did);
    const record = await s.dataSource
      .query('SELECT COUNT(*) AS n FROM credential_issuance WHERE type = $1', ['MembershipCredential'])
      .catch(() =>
        s.dataSource.query('SELECT COUNT(*) AS n FROM credential_issuance WHERE type = ?', [
          'MembershipCredential',
        ]),
      );
    assert.equal(Number(record[0].n), 2);
    assert.equal((await s.governance.members.get(applicant.did)).memberSince, before.memberSince);
    assert.equal(
      (await s.credentials.verifyCredential(credential)).verified,
      true,
      'the earlier one stays valid until it expires',
    );
  });

  it('a member withdraws by its own signed statement; another DID cannot withdraw it', async () => {
    const s = service as Service;
    const { applicant, credential } = await admitMember(s, board, register, ['data-consumer']);
    const app = s.app.callback();
    const path = `/api/v1/members/${encodeURIComponent(applicant.did)}/withdrawal`;
    const statement = (signer: Actor) =>
      signer.sign({
        iss: signer.did,
        aud: s.identity.did,
        action: 'withdraw',
        iat: Math.floor(Date.now() / 1000),
        jti: randomUUID(),
      });
    const stranger = await newActor();
    assert.equal(
      (
        await request(app)
          .post(path)
          .send({ withdrawal: await statement(stranger) })
          .expect(403)
      ).body.code,
      'not_member_itself',
    );
    const withdrawn = await request(app)
      .post(path)
      .send({ withdrawal: await statement(applicant) })
      .expect(200);
    assert.equal(withdrawn.body.status, 'withdrawn');
    assert.equal(await statusCode(s, credential), 'revoked');
  });

  it('a board seat by motion: add-board-member issues a BoardMemberCredential; remove-board-member revokes it', async () => {
    const s = service as Service;
    const newcomer = await newActor();
    await decide(s, board, 'add-board-member', newcomer.did, { name: 'Dana' });
    const seated = (await s.governance.board.list()).find((m) => m.did === newcomer.did);
    assert.equal(seated?.status, 'active');
    await decide(s, board, 'remove-board-member', newcomer.did);
    assert.equal((await s.governance.board.list()).find((m) => m.did === newcomer.did)?.status, 'removed');
    const record = await s.credentials.status.statusOf(seated?.credentialId as string);
    assert.equal(record.revoked, true);
  });
});

describeEachDatabase('board seats by motion keep their affiliations', (fresh) => {
  it('a board member seated by motion with affiliations is recused on them', async () => {
    const register = await newActor();
    const service = await openTestService(await fresh(), { TRUST_ANCHORS_DIR: anchorsDir(register) });
    try {
      const board = await seatBoard(service);
      const { applicant } = await admitMember(service, board, register, ['data-consumer']);
      const newcomer = await newActor();
      await decide(service, board, 'add-board-member', newcomer.did, {
        name: 'Erin',
        affiliations: [applicant.did],
      });
      const seat = (await service.governance.board.list()).find((m) => m.did === newcomer.did);
      assert.deepEqual(seat?.affiliations, [applicant.did]);
      const app = service.app.callback();
      const opened = await request(app)
        .post('/api/v1/motions')
        .send({ motion: await motion(board[0] as Actor, service.identity.did, 'suspend', applicant.did) })
        .expect(201);
      const refused = await request(app)
        .post(`/api/v1/motions/${opened.body.id}/votes`)
        .send({ vote: await vote(newcomer, service.identity.did, opened.body.id, 'approve') })
        .expect(403);
      assert.equal(refused.body.code, 'recused');
    } finally {
      await service.close();
    }
  });

  it('affiliations that are not DIDs are refused when the motion opens: invalid_motion', async () => {
    const service = await openTestService(await fresh());
    try {
      const member = await newActor();
      await service.governance.board.add({ did: member.did, name: 'Member', by: 'operator' });
      const response = await request(service.app.callback())
        .post('/api/v1/motions')
        .send({
          motion: await motion(member, service.identity.did, 'add-board-member', (await newActor()).did, {
            name: 'Frank',
            // Starts like a DID, but is none (DID Core §3.1): it would recuse no one.
            affiliations: [(await newActor()).did, 'did:x:<b>bold</b>'],
          }),
        })
        .expect(400);
      assert.equal(response.body.code, 'invalid_motion');
    } finally {
      await service.close();
    }
  });
});
