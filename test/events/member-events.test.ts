/**
 * Member lifecycle events (issue 11 item 7): a board decision or a member's own withdrawal
 * emits `member.*` in the decision's transaction, for every member, pushed to subscribed
 * connectors; a member that left has its subscriptions ended.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import {
  type Actor,
  admitMember,
  anchorsDir,
  motion,
  newActor,
  seatBoard,
  vote,
} from '../governance/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { eventOf, type Receiver, startReceiver, verifySet } from './support.js';

async function decide(service: Service, board: Actor[], kind: string, subject: string): Promise<string> {
  const app = service.app.callback();
  const did = service.identity.did;
  const opened = await request(app)
    .post('/api/v1/motions')
    .send({ motion: await motion(board[0] as Actor, did, kind, subject) })
    .expect(201);
  for (const member of board) {
    const voted = await request(app)
      .post(`/api/v1/motions/${opened.body.id}/votes`)
      .send({ vote: await vote(member, did, opened.body.id, 'approve') })
      .expect(201);
    if (voted.body.status !== 'open') break;
  }
  return opened.body.id as string;
}

describeEachDatabase('member lifecycle events', (fresh) => {
  let service: Service | undefined;
  let receiver: Receiver;
  let board: Actor[];
  let register: Actor;

  beforeEach(async function () {
    this.timeout(60_000);
    register = await newActor();
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await service?.close();
  });

  it('a suspension decided by the board emits member.suspended, pushed as a signed SET; reinstatement and revocation follow', async function () {
    this.timeout(120_000);
    service = await openTestService(await fresh(), { TRUST_ANCHORS_DIR: anchorsDir(register) });
    const s = service;
    board = await seatBoard(s);
    const { applicant: watcher } = await admitMember(s, board, register, ['data-consumer']);
    const { applicant: subject } = await admitMember(s, board, register, ['data-provider'], {
      legalName: 'City of Example',
      registrationNumber: 'GOV 1',
      country: 'DE',
    });
    await s.events.subscriptions.create(watcher.did, {
      url: receiver.url,
      types: ['member.suspended', 'member.reinstated', 'member.revoked'],
    });
    const suspension = await decide(s, board, 'suspend', subject.did);
    assert.equal(await s.events.worker.drain(), 1);
    const claims = await verifySet(s, receiver.received[0]?.body ?? '', watcher.did);
    assert.deepEqual(eventOf(receiver.received[0]?.body ?? ''), {
      type: 'member.suspended',
      data: { member: subject.did, motion: suspension },
    });
    assert.deepEqual(claims.sub_id, { format: 'did', url: subject.did });

    const reinstatement = await decide(s, board, 'reinstate', subject.did);
    const revocation = await decide(s, board, 'revoke', subject.did);
    await s.events.worker.drain();
    // Two deliveries due at once may be pushed in parallel: receivers order by `seq`.
    const seq = (body: string) => Number(decodeJwt(body).seq);
    assert.deepEqual(
      receiver.received
        .slice(1)
        .sort((a, b) => seq(a.body) - seq(b.body))
        .map((r) => eventOf(r.body)),
      [
        { type: 'member.reinstated', data: { member: subject.did, motion: reinstatement } },
        { type: 'member.revoked', data: { member: subject.did, motion: revocation } },
      ],
    );
    const feed = await s.events.feed.page(watcher.did, 0, 100);
    assert.deepEqual(
      feed.items.map((item) => item.type),
      ['member.suspended', 'member.reinstated', 'member.revoked'],
    );
    assert.equal(feed.items[0]?.id, claims.jti, 'the feed and the push carry the same event id');
  });

  it('a member’s withdrawal reaches a subscribed endpoint within 5 seconds; the leaver’s own subscriptions end', async function () {
    this.timeout(120_000);
    service = await openTestService(
      await fresh(),
      { TRUST_ANCHORS_DIR: anchorsDir(register) },
      { sweeper: true },
    );
    const s = service;
    board = await seatBoard(s);
    const { applicant: watcher } = await admitMember(s, board, register, ['data-consumer']);
    const { applicant: leaver } = await admitMember(s, board, register, ['data-provider']);
    await s.events.subscriptions.create(watcher.did, { url: receiver.url, types: ['member.withdrawn'] });
    const own = await s.events.subscriptions.create(leaver.did, {
      url: `${receiver.url}/leaver`,
      types: ['member.withdrawn', 'member.suspended'],
    });
    const started = Date.now();
    await request(s.app.callback())
      .post(`/api/v1/members/${encodeURIComponent(leaver.did)}/withdrawal`)
      .send({
        withdrawal: await leaver.sign({
          iss: leaver.did,
          aud: s.identity.did,
          action: 'withdraw',
          iat: Math.floor(Date.now() / 1000),
          jti: randomUUID(),
        }),
      })
      .expect(200);
    await receiver.waitFor(2, 5_000);
    const toWatcher = receiver.received.find((r) => r.path === '/events');
    assert.ok(toWatcher, 'the watcher got it');
    assert.ok(toWatcher.at - started < 5_000, `within 5 s (${toWatcher.at - started} ms)`);
    await verifySet(s, toWatcher.body, watcher.did);
    assert.deepEqual(eventOf(toWatcher.body), { type: 'member.withdrawn', data: { member: leaver.did } });
    assert.ok(
      receiver.received.some((r) => r.path === '/events/leaver'),
      'the leaver is told too, once',
    );
    assert.equal((await s.events.subscriptions.get(leaver.did, own.id)).status, 'ended');
  });
});
