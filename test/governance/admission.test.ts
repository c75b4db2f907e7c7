import { strict as assert } from 'node:assert';
import request from 'supertest';
import { verifyChain } from '../../src/audit/index.js';
import { IssuanceEntity } from '../../src/credentials/entities.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import {
  type Actor,
  anchorsDir,
  applicationCredential,
  legalPersonCredential,
  motion,
  newActor,
  type Organisation,
  presentation,
  vote,
} from './support.js';

const ORG: Organisation = { legalName: 'City of Example', registrationNumber: 'HRB 12345', country: 'DE' };

interface World {
  service: Service;
  app: ReturnType<Service['app']['callback']>;
  register: Actor;
  board: Actor[];
  applicant: Actor;
  did: string;
}

async function world(database: TestDatabase, boardSize = 3): Promise<World> {
  const register = await newActor();
  const service = await openTestService(database, { TRUST_ANCHORS_DIR: anchorsDir(register) });
  const board: Actor[] = [];
  for (let i = 0; i < boardSize; i++) {
    const member = await newActor();
    await service.governance.board.add({ did: member.did, name: `Board member ${i + 1}`, by: 'operator' });
    board.push(member);
  }
  return {
    service,
    app: service.app.callback(),
    register,
    board,
    applicant: await newActor(),
    did: service.identity.did,
  };
}

async function challenge(w: World): Promise<string> {
  const response = await request(w.app).get('/api/v1/membership/challenge').expect(200);
  assert.equal(response.body.audience, w.did);
  return response.body.challenge as string;
}

async function apply(w: World, applicant = w.applicant, org = ORG, issuer = w.register) {
  const evidence = await legalPersonCredential(issuer, applicant.did, org);
  const form = await applicationCredential(applicant, org, ['public-authority']);
  const vp = await presentation(applicant, w.did, await challenge(w), [evidence, form]);
  return request(w.app).post('/api/v1/membership/applications').send({ presentation: vp });
}

async function expecting(pending: Promise<request.Response>, status: number): Promise<request.Response> {
  const response = await pending;
  assert.equal(response.status, status, JSON.stringify(response.body));
  return response;
}

async function admit(w: World) {
  const applied = await expecting(apply(w), 201);
  const motionId = applied.body.motionId as string;
  for (const member of w.board.slice(0, 2)) {
    await request(w.app)
      .post(`/api/v1/motions/${motionId}/votes`)
      .send({ vote: await vote(member, w.did, motionId, 'approve') })
      .expect(201);
  }
  return { applicationId: applied.body.id as string, motionId };
}

describeEachDatabase('governance: admission by signed board votes', (fresh) => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.service.close();
    w = undefined;
  });

  it('admits an applicant after two approvals, issues its MembershipCredential and lists it in the registry', async () => {
    w = await world(await fresh());
    const applied = await expecting(apply(w), 201);
    assert.equal(applied.body.status, 'under_review');
    assert.ok(applied.body.motionId);
    const motionId = applied.body.motionId as string;

    const first = await request(w.app)
      .post(`/api/v1/motions/${motionId}/votes`)
      .send({ vote: await vote(w.board[0] as Actor, w.did, motionId, 'approve') })
      .expect(201);
    assert.equal(first.body.status, 'open', 'one approval is not enough under the shipped rulebook');
    const second = await request(w.app)
      .post(`/api/v1/motions/${motionId}/votes`)
      .send({ vote: await vote(w.board[1] as Actor, w.did, motionId, 'approve') })
      .expect(201);
    assert.equal(second.body.status, 'approved');
    assert.equal(second.body.votes.length, 2);

    const application = await request(w.app)
      .get(`/api/v1/membership/applications/${applied.body.id}`)
      .expect(200);
    assert.equal(application.body.status, 'approved');

    const proof = await presentation(w.applicant, w.did, await challenge(w), []);
    const fetched = await request(w.app)
      .post(`/api/v1/membership/applications/${applied.body.id}/credential`)
      .send({ presentation: proof })
      .expect(200);
    const verified = await request(w.app)
      .post('/api/v1/credentials/verify')
      .send({ credential: fetched.body.credential })
      .expect(200);
    assert.equal(verified.body.verified, true, JSON.stringify(verified.body.checks));
    assert.deepEqual(verified.body.types, ['VerifiableCredential', 'MembershipCredential']);
    assert.equal(verified.body.subject, w.applicant.did);

    const member = await request(w.app)
      .get(`/api/v1/members/${encodeURIComponent(w.applicant.did)}`)
      .expect(200);
    assert.equal(member.body.legalName, ORG.legalName);
    assert.equal(member.body.status, 'active');
    assert.deepEqual(member.body.roles, ['public-authority']);
    assert.equal(member.body.registrationNumber, undefined, 'only public fields');
    const list = await request(w.app).get('/api/v1/members?role=public-authority').expect(200);
    assert.deepEqual(
      list.body.items.map((m: { did: string }) => m.did),
      [w.applicant.did],
    );
    assert.equal(verifyChain((await w.service.audit.page({ limit: 500 })).items).valid, true);
  });

  it('fetching the credential twice gives the same credential (one issuance)', async () => {
    w = await world(await fresh());
    const { applicationId } = await admit(w);
    const current = w;
    const fetch = async () =>
      (
        await request(current.app)
          .post(`/api/v1/membership/applications/${applicationId}/credential`)
          .send({
            presentation: await presentation(current.applicant, current.did, await challenge(current), []),
          })
          .expect(200)
      ).body.id;
    assert.equal(await fetch(), await fetch());
    const issued = await w.service.dataSource
      .getRepository(IssuanceEntity)
      .countBy({ type: 'MembershipCredential' });
    assert.equal(issued, 1);
  });

  it('a suspension voted by the board makes the credential verify as suspended and ends its issuer rights', async () => {
    w = await world(await fresh());
    const { applicationId } = await admit(w);
    const credential = (
      await request(w.app)
        .post(`/api/v1/membership/applications/${applicationId}/credential`)
        .send({ presentation: await presentation(w.applicant, w.did, await challenge(w), []) })
    ).body.credential as string;
    const opened = await request(w.app)
      .post('/api/v1/motions')
      .send({ motion: await motion(w.board[0] as Actor, w.did, 'suspend', w.applicant.did) })
      .expect(201);
    for (const member of w.board.slice(0, 2)) {
      await request(w.app)
        .post(`/api/v1/motions/${opened.body.id}/votes`)
        .send({ vote: await vote(member, w.did, opened.body.id, 'approve') })
        .expect(201);
    }
    const verified = await request(w.app).post('/api/v1/credentials/verify').send({ credential }).expect(200);
    assert.equal(verified.body.verified, false);
    const status = verified.body.checks.find((c: { check: string }) => c.check === 'status');
    assert.equal(status.code, 'suspended');
    const member = await request(w.app)
      .get(`/api/v1/members/${encodeURIComponent(w.applicant.did)}`)
      .expect(200);
    assert.equal(member.body.status, 'suspended');
    assert.equal(await w.service.credentials.trust.get(w.applicant.did), undefined);
  });
});

describeEachDatabase('governance: refusals are problems with a stable code and change nothing', (fresh) => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.service.close();
    w = undefined;
  });

  it('a replayed challenge: challenge_reused', async () => {
    w = await world(await fresh());
    const nonce = await challenge(w);
    const evidence = await legalPersonCredential(w.register, w.applicant.did, ORG);
    const form = await applicationCredential(w.applicant, ORG, ['public-authority']);
    const vp = await presentation(w.applicant, w.did, nonce, [evidence, form]);
    const other = await newActor();
    const otherVp = await presentation(other, w.did, nonce, [
      await legalPersonCredential(w.register, other.did, ORG),
      await applicationCredential(other, ORG, ['public-authority']),
    ]);
    await request(w.app).post('/api/v1/membership/applications').send({ presentation: vp }).expect(201);
    const replay = await request(w.app)
      .post('/api/v1/membership/applications')
      .send({ presentation: otherVp })
      .expect(400);
    assert.equal(replay.body.code, 'challenge_reused');
  });

  it('a challenge the service never gave: invalid_challenge', async () => {
    w = await world(await fresh());
    const vp = await presentation(w.applicant, w.did, 'made-up-challenge', [
      await legalPersonCredential(w.register, w.applicant.did, ORG),
      await applicationCredential(w.applicant, ORG, ['public-authority']),
    ]);
    const response = await request(w.app)
      .post('/api/v1/membership/applications')
      .send({ presentation: vp })
      .expect(400);
    assert.equal(response.body.code, 'invalid_challenge');
  });

  it('evidence from an untrusted issuer: untrusted_evidence', async () => {
    w = await world(await fresh());
    const forger = await newActor();
    const response = await expecting(apply(w, w.applicant, ORG, forger), 422);
    assert.equal(response.body.code, 'untrusted_evidence');
    assert.equal((await w.service.governance.engine.motions()).length, 0, 'no motion opened');
  });

  it('inconsistent evidence makes the application action_required without a motion', async () => {
    w = await world(await fresh());
    const evidence = await legalPersonCredential(w.register, w.applicant.did, {
      ...ORG,
      registrationNumber: 'HRB 99999',
    });
    const form = await applicationCredential(w.applicant, ORG, ['public-authority']);
    const vp = await presentation(w.applicant, w.did, await challenge(w), [evidence, form]);
    const response = await request(w.app)
      .post('/api/v1/membership/applications')
      .send({ presentation: vp })
      .expect(201);
    assert.equal(response.body.status, 'action_required');
    assert.equal(response.body.motionId, null);
    assert.ok(
      response.body.checks.some((c: { check: string; code?: string }) => c.code === 'inconsistent_evidence'),
    );
  });

  it('an applicant with an open application: application_open; a member: already_member', async () => {
    w = await world(await fresh());
    await expecting(apply(w), 201);
    assert.equal((await expecting(apply(w), 409)).body.code, 'application_open');
    const motionId = (await w.service.governance.engine.motions())[0]?.id as string;
    for (const member of w.board.slice(0, 2)) {
      await request(w.app)
        .post(`/api/v1/motions/${motionId}/votes`)
        .send({ vote: await vote(member, w.did, motionId, 'approve') });
    }
    assert.equal((await expecting(apply(w), 409)).body.code, 'already_member');
  });

  it('votes: non-member of the board, foreign aud, reused jti, second vote, closed motion, recused', async () => {
    w = await world(await fresh(), 4);
    const { body } = await expecting(apply(w), 201);
    const motionId = body.motionId as string;
    const app = w.app;
    const post = (token: string) =>
      request(app).post(`/api/v1/motions/${motionId}/votes`).send({ vote: token });
    const outsider = await newActor();
    assert.equal(
      (await post(await vote(outsider, w.did, motionId, 'approve')).expect(403)).body.code,
      'not_board_member',
    );
    const [a, b, c, d] = w.board as [Actor, Actor, Actor, Actor];
    assert.equal(
      (await post(await vote(a, 'did:web:other.example', motionId, 'approve')).expect(400)).body.code,
      'foreign_audience',
    );
    const jti = 'vote-jti-1';
    await post(await vote(a, w.did, motionId, 'reject', { jti })).expect(201);
    assert.equal(
      (await post(await vote(b, w.did, motionId, 'approve', { jti })).expect(409)).body.code,
      'jti_reused',
    );
    assert.equal(
      (await post(await vote(a, w.did, motionId, 'approve')).expect(409)).body.code,
      'already_voted',
    );
    await post(await vote(b, w.did, motionId, 'approve')).expect(201);
    await post(await vote(c, w.did, motionId, 'approve')).expect(201);
    const closed = await post(await vote(d, w.did, motionId, 'approve')).expect(409);
    assert.equal(closed.body.code, 'motion_closed');
    const motionView = await w.service.governance.engine.motion(motionId);
    assert.equal(motionView.status, 'approved');
    assert.equal(motionView.votes.length, 3, 'refused votes changed nothing');
  });

  it('a board member affiliated with the applicant is recused', async () => {
    w = await world(await fresh());
    const affiliated = await newActor();
    await w.service.governance.board.add({
      did: affiliated.did,
      name: 'Affiliated',
      affiliations: [w.applicant.did],
      by: 'operator',
    });
    const { body } = await expecting(apply(w), 201);
    const response = await request(w.app)
      .post(`/api/v1/motions/${body.motionId}/votes`)
      .send({ vote: await vote(affiliated, w.did, body.motionId, 'approve') })
      .expect(403);
    assert.equal(response.body.code, 'recused');
  });
});

describe('governance: 20 concurrent approvals on PostgreSQL take one decision and issue one credential', () => {
  describeEachDatabase('race', (fresh, kind) => {
    it(`[${kind}] one decision, one credential`, async function () {
      this.timeout(120_000);
      const w = await world(await fresh(), 20);
      try {
        const { body } = await expecting(apply(w), 201);
        const votes = await Promise.all(
          w.board.map((member) => vote(member, w.did, body.motionId, 'approve')),
        );
        const responses = await Promise.all(
          votes.map((token) =>
            request(w.app).post(`/api/v1/motions/${body.motionId}/votes`).send({ vote: token }),
          ),
        );
        const accepted = responses.filter((r) => r.status === 201).length;
        const closed = responses.filter((r) => r.status === 409 && r.body.code === 'motion_closed').length;
        assert.equal(accepted + closed, 20, JSON.stringify(responses.map((r) => [r.status, r.body.code])));
        assert.equal(
          accepted,
          2,
          'the decision is taken at the second approval; later votes find the motion closed',
        );
        const issued = await w.service.dataSource
          .getRepository(IssuanceEntity)
          .countBy({ type: 'MembershipCredential' });
        assert.equal(issued, 1);
        const decided = (await w.service.audit.page({ limit: 500 })).items.filter(
          (entry: { kind: string }) => entry.kind === 'governance.motion.decided',
        );
        assert.equal(decided.length, 1);
      } finally {
        await w.service.close();
      }
    });
  });
});
