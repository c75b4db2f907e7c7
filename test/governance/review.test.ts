import { strict as assert } from 'node:assert';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import {
  type Actor,
  admitMember,
  anchorsDir,
  applicationCredential,
  legalPersonCredential,
  motion,
  newActor,
  presentation,
  seatBoard,
  vote,
} from './support.js';

const ORG = { legalName: 'Data Provider Ltd', registrationNumber: 'HRB 42', country: 'DE' };

async function challenge(service: Service): Promise<string> {
  return (await request(service.app.callback()).get('/api/v1/membership/challenge')).body.challenge;
}

async function open(service: Service, by: Actor, kind: string, subject: string): Promise<string> {
  const opened = await request(service.app.callback())
    .post('/api/v1/motions')
    .send({ motion: await motion(by, service.identity.did, kind, subject) })
    .expect(201);
  return opened.body.id;
}

describeEachDatabase('governance review: refusals that change nothing', (fresh) => {
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

  it('a motion opened before the member was revoked cannot act on it: invalid_member_status, and the member stays revoked', async () => {
    const s = service as Service;
    const app = s.app.callback();
    const did = s.identity.did;
    const { applicant } = await admitMember(s, board, register, ['data-provider']);
    const renew = await open(s, board[0] as Actor, 'renew', applicant.did);
    const suspend = await open(s, board[0] as Actor, 'suspend', applicant.did);
    const revoke = await open(s, board[0] as Actor, 'revoke', applicant.did);
    for (const member of board.slice(0, 2)) {
      await request(app)
        .post(`/api/v1/motions/${revoke}/votes`)
        .send({ vote: await vote(member, did, revoke, 'approve') })
        .expect(201);
    }
    assert.equal((await s.governance.members.get(applicant.did)).status, 'revoked');
    const issuedBefore = await s.dataSource.getRepository('CredentialIssuance').count();

    const renewed = await request(app)
      .post(`/api/v1/motions/${renew}/votes`)
      .send({ vote: await vote(board[1] as Actor, did, renew, 'approve') })
      .expect(409);
    assert.equal(renewed.body.code, 'invalid_member_status');
    await request(app)
      .post(`/api/v1/motions/${suspend}/votes`)
      .send({ vote: await vote(board[1] as Actor, did, suspend, 'approve') })
      .expect(201);
    const suspended = await request(app)
      .post(`/api/v1/motions/${suspend}/votes`)
      .send({ vote: await vote(board[2] as Actor, did, suspend, 'approve') })
      .expect(409);
    assert.equal(suspended.body.code, 'invalid_member_status');

    assert.equal((await s.governance.members.get(applicant.did)).status, 'revoked');
    assert.equal(await s.dataSource.getRepository('CredentialIssuance').count(), issuedBefore);
    const motion = await request(app).get(`/api/v1/motions/${suspend}`).expect(200);
    assert.equal(motion.body.status, 'open');
    assert.equal(motion.body.votes.length, 1, 'the refused vote was not recorded');
  });

  it('add-board-member with a name longer than a board seat holds is refused when opened: invalid_motion', async () => {
    const s = service as Service;
    const newcomer = await newActor();
    const response = await request(s.app.callback())
      .post('/api/v1/motions')
      .send({
        motion: await motion(board[0] as Actor, s.identity.did, 'add-board-member', newcomer.did, {
          name: 'D'.repeat(201),
        }),
      })
      .expect(400);
    assert.equal(response.body.code, 'invalid_motion');
    assert.deepEqual((await request(s.app.callback()).get('/api/v1/motions').expect(200)).body.items, []);
  });

  it('an application whose legal name or registration number exceeds what the registry holds is refused: invalid_application', async () => {
    const s = service as Service;
    const app = s.app.callback();
    for (const org of [
      { ...ORG, legalName: `${'L'.repeat(301)}` },
      { ...ORG, registrationNumber: `HRB ${'4'.repeat(101)}` },
    ]) {
      const applicant = await newActor();
      const vp = await presentation(applicant, s.identity.did, await challenge(s), [
        await legalPersonCredential(register, applicant.did, org),
        await applicationCredential(applicant, org, ['data-provider']),
      ]);
      const response = await request(app)
        .post('/api/v1/membership/applications')
        .send({ presentation: vp })
        .expect(422);
      assert.equal(response.body.code, 'invalid_application');
    }
    assert.equal(await s.dataSource.getRepository('MembershipApplication').count(), 0);
    assert.deepEqual((await request(app).get('/api/v1/motions').expect(200)).body.items, []);
  });
});
