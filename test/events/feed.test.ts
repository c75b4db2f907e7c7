/**
 * The feed (docs/events.md "The feed"): a member reads, in sequence order, the events for every
 * member and those naming it, each as a SET signed for it, and resumes from `next`.
 */
import { strict as assert } from 'node:assert';
import { inTransaction } from '../../src/db/index.js';
import type { Events, NewEvent } from '../../src/events/index.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { Clock, eventsFor, verifySet } from './support.js';

const A = 'did:web:a.example';
const B = 'did:web:b.example';

const consent = (audience: string[], id: string): NewEvent => ({
  type: 'consent.given',
  subject: id,
  audience,
  data: {
    consentId: id,
    subject: `pairwise-${id}`,
    noticeId: 'n-1',
    noticeVersion: 1,
    purposes: ['dpv:ServiceProvision'],
  },
});
const lifecycle = (member: string): NewEvent => ({
  type: 'member.suspended',
  subject: member,
  audience: 'members',
  data: { member, motion: 'motion-1' },
});

describeEachDatabase('event feed', (fresh) => {
  let service: Service;
  let events: Events;
  const clock = new Clock();
  const append = (event: NewEvent) =>
    inTransaction(service.dataSource, undefined, (manager) => events.outbox.append(manager, event));

  before(async function () {
    this.timeout(60_000);
    service = await openTestService(await fresh());
    events = eventsFor(service, clock);
  });
  after(async () => {
    await service?.close();
  });

  it('lists the events for every member and those naming the caller, in order, each as a SET signed for it', async () => {
    const toA = await append(consent([A], 'c-a'));
    const toB = await append(consent([B], 'c-b'));
    const toAll = await append(lifecycle('did:web:x.example'));
    const toBoth = await append(consent([A, B], 'c-ab'));
    const page = await events.feed.page(A, 0, 100);
    assert.deepEqual(
      page.items.map((item) => item.id),
      [toA.id, toAll.id, toBoth.id],
    );
    assert.equal(events.feed.position(page.next, A), toBoth.sequence);
    for (const item of page.items) {
      const claims = await verifySet(service, item.set, A, clock.now());
      assert.equal(claims.jti, item.id);
      assert.equal(claims.seq, item.sequence);
    }
    const first = page.items[0];
    assert.equal(first?.type, 'consent.given');
    assert.deepEqual(first?.data, {
      consentId: 'c-a',
      subject: 'pairwise-c-a',
      noticeId: 'n-1',
      noticeVersion: 1,
      purposes: ['dpv:ServiceProvision'],
    });
    assert.deepEqual(
      (await events.feed.page(B, 0, 100)).items.map((item) => item.id),
      [toB.id, toAll.id, toBoth.id],
    );
    await assert.rejects(verifySet(service, first?.set ?? '', B, clock.now()), /aud/, 'signed for A only');
  });

  it('pages by `limit` and resumes from `next`: a connector that was down catches up, missing nothing', async () => {
    const start = events.feed.position((await events.feed.page(A, 0, 100)).next, A) as number;
    const appended = [];
    let last = 0;
    for (let i = 0; i < 7; i++) {
      appended.push(
        await append(i % 2 === 0 ? consent([A], `page-${i}`) : lifecycle(`did:web:m${i}.example`)),
      );
      last = (await append(consent([B], `not-for-a-${i}`))).sequence;
    }
    const seen: string[] = [];
    let after = start;
    for (;;) {
      const page = await events.feed.page(A, after, 3);
      seen.push(...page.items.map((item) => item.id));
      const next = events.feed.position(page.next, A) as number;
      if (page.items.length === 3) assert.equal(next, page.items.at(-1)?.sequence);
      else {
        assert.equal(next, last, 'a short page moves next to the head: nothing more for A up to it');
        after = next;
        break;
      }
      after = next;
    }
    assert.deepEqual(
      seen,
      appended.map((event) => event.id),
    );
    const empty = await events.feed.page(A, after, 3);
    assert.deepEqual(empty.items, []);
    assert.equal(events.feed.position(empty.next, A), after);
    const later = await append(consent([A], 'later'));
    assert.deepEqual(
      (await events.feed.page(A, after, 3)).items.map((item) => item.id),
      [later.id],
    );
  });

  it('`next` is an opaque cursor for the caller alone: it shows nothing of other members’ events, and opens for no one else', async () => {
    const before = await events.feed.page(A, 0, 100);
    for (let i = 0; i < 5; i++) await append(consent([B], `only-b-${i}`));
    const after = await events.feed.page(A, events.feed.position(before.next, A) as number, 100);
    assert.deepEqual(after.items, [], 'nothing new for A');
    for (const cursor of [before.next, after.next]) {
      assert.match(cursor, /^[A-Za-z0-9_-]{48}$/);
      assert.doesNotMatch(cursor, /^[0-9]+$/, 'not the sequence in clear');
    }
    assert.notEqual(after.next, before.next, 'a fresh nonce each time: cursors cannot be compared');
    const again = await events.feed.page(A, events.feed.position(after.next, A) as number, 100);
    assert.notEqual(again.next, after.next, 'the same position does not look the same twice');
    assert.equal(events.feed.position(after.next, B), undefined, 'another member’s cursor does not open');
    const tampered = `${after.next.slice(0, 20)}${after.next[20] === 'A' ? 'B' : 'A'}${after.next.slice(21)}`;
    assert.equal(events.feed.position(tampered, A), undefined, 'an altered cursor does not open');
  });
});
