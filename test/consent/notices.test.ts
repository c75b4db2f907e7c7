/**
 * Notices (issue 11 item 1; docs/consent.md "Notices"): an active member whose role the
 * rulebook allows publishes a versioned notice, signed with its DID or through its connector;
 * only the rulebook's vocabulary; every version kept with its canonical hash; public reads.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { NoticeVersionEntity } from '../../src/consent/entities.js';
import { canonicalJson } from '../../src/json/canonical.js';
import { sha256Hex } from '../../src/rulebook/index.js';
import { newActor } from '../governance/support.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  type ConsentWorld,
  consentWorld,
  decide,
  noticeStatement,
  parkingNotice,
  publishParking,
  refusedWith,
} from './support.js';

describeEachDatabase('consent notices', (fresh) => {
  let world: ConsentWorld;
  let did: string;
  before(async function () {
    this.timeout(180_000);
    world = await consentWorld(await fresh());
    did = world.service.identity.did;
  });
  after(async () => world?.close());

  const signed = (notice: unknown, extra: Record<string, unknown> = {}) =>
    noticeStatement(world.city, did, notice, extra);

  describe('publishing by a statement signed with the member’s DID', () => {
    it('publishes version 1 with the hash of its canonical JSON, keeping the statement', async () => {
      const published = await world.consent.notices.publishSigned(
        await signed(parkingNotice([world.transit.did])),
      );
      assert.equal(published.replayed, false);
      const { notice } = published;
      assert.match(notice.id, /^notice-[0-9a-f-]{36}$/);
      assert.equal(notice.version, 1);
      assert.equal(notice.controller, world.city.did);
      assert.equal(notice.rulebookVersion, '1.1.0');
      assert.equal(notice.publishedVia, 'statement');
      assert.deepEqual(notice.recipients, [world.transit.did]);
      const { hash, publishedVia: _via, ...content } = notice;
      assert.equal(hash, sha256Hex(canonicalJson(content)));
      const row = await world.service.dataSource
        .getRepository(NoticeVersionEntity)
        .findOneByOrFail({ noticeId: notice.id, version: 1 });
      assert.match(row.statement ?? '', /^ey/);
    });

    it('records the publication in the audit log (ids and hashes)', async () => {
      const { notice } = await world.consent.notices.publishSigned(await signed(parkingNotice()));
      const page = await world.service.audit.page({ after: 0, limit: 1000 });
      const entry = page.items.find(
        (item) => item.kind === 'consent.notice.published' && item.subject === notice.id,
      );
      assert.deepEqual(entry?.data, { version: 1, hash: notice.hash, via: 'statement' });
      assert.equal(entry?.actor, world.city.did);
    });

    it('publishes a new version when the statement names the notice; both versions stay readable', async () => {
      const first = await publishParking(world);
      const changed = { ...parkingNotice([world.transit.did]), retentionDays: 180 };
      const second = await world.consent.notices.publishVersionSigned(
        first.id,
        await signed(changed, { noticeId: first.id }),
      );
      assert.equal(second.notice.version, 2);
      assert.notEqual(second.notice.hash, first.hash);
      const latest = await world.consent.notices.get(first.id);
      assert.equal(latest.version, 2);
      assert.deepEqual(
        latest.versions?.map((v) => [v.version, v.hash]),
        [
          [1, first.hash],
          [2, second.notice.hash],
        ],
      );
      assert.equal((await world.consent.notices.version(first.id, 1)).retentionDays, 365);
    });

    it('answers a replayed statement with the same version (same jti: no second notice)', async () => {
      const token = await signed(parkingNotice());
      const first = await world.consent.notices.publishSigned(token);
      const again = await world.consent.notices.publishSigned(token);
      assert.equal(again.replayed, true);
      assert.equal(again.notice.id, first.notice.id);
    });

    it('refuses a statement by someone else than the controller for a new version (not_notice_controller)', async () => {
      const notice = await publishParking(world);
      const token = await noticeStatement(world.utility, did, parkingNotice(), { noticeId: notice.id });
      await refusedWith(
        world.consent.notices.publishVersionSigned(notice.id, token),
        'not_notice_controller',
      );
    });

    it('refuses a statement for another action, or naming another notice (statement_mismatch)', async () => {
      await refusedWith(
        world.consent.notices.publishSigned(await signed(parkingNotice(), { action: 'withdraw' })),
        'statement_mismatch',
      );
      await refusedWith(
        world.consent.notices.publishSigned(await signed(parkingNotice(), { noticeId: 'notice-x' })),
        'statement_mismatch',
      );
      const notice = await publishParking(world);
      await refusedWith(
        world.consent.notices.publishVersionSigned(notice.id, await signed(parkingNotice())),
        'statement_mismatch',
      );
    });

    it('refuses a statement for another audience, or badly signed (the verifier’s codes)', async () => {
      await refusedWith(
        world.consent.notices.publishSigned(
          await noticeStatement(world.city, 'did:web:other.example', parkingNotice()),
        ),
        'foreign_audience',
      );
      const token = await signed(parkingNotice());
      const [header, payload] = token.split('.');
      const forged = `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
      await refusedWith(world.consent.notices.publishSigned(forged), 'invalid_signature');
      await refusedWith(world.consent.notices.publishSigned('not a jws'), 'invalid_statement');
    });
  });

  describe('publishing by the member’s connector', () => {
    it('publishes for the connector’s member, idempotent under the Idempotency-Key', async () => {
      const key = randomUUID();
      const first = await world.consent.notices.publishByConnector(world.city.did, parkingNotice(), key);
      assert.equal(first.notice.publishedVia, 'connector');
      const again = await world.consent.notices.publishByConnector(world.city.did, parkingNotice(), key);
      assert.equal(again.replayed, true);
      assert.equal(again.notice.id, first.notice.id);
      await refusedWith(
        world.consent.notices.publishByConnector(world.city.did, { ...parkingNotice(), title: 'Other' }, key),
        'idempotency_conflict',
      );
    });

    it('publishes a new version of the member’s own notice only', async () => {
      const notice = (await world.consent.notices.publishByConnector(world.city.did, parkingNotice())).notice;
      const next = await world.consent.notices.publishVersionByConnector(world.city.did, notice.id, {
        ...parkingNotice(),
        text: 'Shorter text.',
      });
      assert.equal(next.notice.version, 2);
      await refusedWith(
        world.consent.notices.publishVersionByConnector(world.utility.did, notice.id, parkingNotice()),
        'not_notice_controller',
      );
      await refusedWith(
        world.consent.notices.publishVersionByConnector(world.city.did, 'notice-unknown', parkingNotice()),
        'notice_not_found',
      );
    });
  });

  describe('who may publish (rulebook consent.noticePublishers, member status)', () => {
    it('refuses a data consumer (role_may_not_publish)', async () => {
      await refusedWith(
        world.consent.notices.publishByConnector(world.transit.did, parkingNotice()),
        'role_may_not_publish',
      );
    });

    it('refuses a DID that is not a member (not_a_member)', async () => {
      const stranger = await newActor();
      await refusedWith(
        world.consent.notices.publishSigned(await noticeStatement(stranger, did, parkingNotice())),
        'not_a_member',
      );
    });
  });

  describe('what a notice may say', () => {
    const refusals: [string, (n: ReturnType<typeof parkingNotice>) => unknown, string][] = [
      ['an unknown purpose', (n) => ({ ...n, purposes: ['dpv:Marketing'] }), 'unknown_purpose'],
      [
        'an unknown data category',
        (n) => ({ ...n, dataCategories: ['pd:Religion'] }),
        'unknown_data_category',
      ],
      [
        'a legal basis outside the vocabulary',
        (n) => ({ ...n, legalBasis: 'dpv:LegitimateInterest' }),
        'unknown_legal_basis',
      ],
      [
        'health data on plain consent',
        (n) => ({ ...n, dataCategories: ['pd:Health'], legalBasis: 'dpv:Consent' }),
        'explicit_consent_required',
      ],
      [
        'a retention beyond the rulebook’s 730 days',
        (n) => ({ ...n, retentionDays: 731 }),
        'retention_too_long',
      ],
      ['a text of more than 10,000 characters', (n) => ({ ...n, text: 'x'.repeat(10_001) }), 'text_too_long'],
      ['no purpose', (n) => ({ ...n, purposes: [] }), 'invalid_notice'],
      [
        'a purpose twice',
        (n) => ({ ...n, purposes: ['dpv:ServiceProvision', 'dpv:ServiceProvision'] }),
        'invalid_notice',
      ],
      ['an unknown field', (n) => ({ ...n, colour: 'blue' }), 'invalid_notice'],
      ['a retention that is not whole days', (n) => ({ ...n, retentionDays: 1.5 }), 'invalid_notice'],
      [
        'a jurisdiction that is not a country code',
        (n) => ({ ...n, jurisdiction: 'Germany' }),
        'invalid_notice',
      ],
      ['a language that is not a language tag', (n) => ({ ...n, language: 'English' }), 'invalid_notice'],
      ['a blank title', (n) => ({ ...n, title: '  ' }), 'invalid_notice'],
      ['a recipient that is not a DID', (n) => ({ ...n, recipients: ['transit'] }), 'invalid_notice'],
      [
        'a recipient that is not a member',
        (n) => ({ ...n, recipients: ['did:web:nobody.example'] }),
        'recipient_not_member',
      ],
      ['no notice at all', () => undefined, 'invalid_notice'],
    ];
    for (const [what, change, code] of refusals) {
      it(`refuses ${what} (${code}) and writes nothing`, async () => {
        const before = await world.service.dataSource.getRepository(NoticeVersionEntity).count();
        await refusedWith(
          world.consent.notices.publishByConnector(world.city.did, change(parkingNotice())),
          code,
        );
        assert.equal(await world.service.dataSource.getRepository(NoticeVersionEntity).count(), before);
      });
    }

    it('names the unknown term in the refusal', async () => {
      const error = await world.consent.notices
        .publishByConnector(world.city.did, {
          ...parkingNotice(),
          dataCategories: ['pd:Location', 'pd:Religion'],
        })
        .catch((e) => e);
      assert.equal(error.code, 'unknown_data_category');
      assert.equal(error.extensions.term, 'pd:Religion');
      assert.match(error.detail, /pd:Religion/);
    });

    it('accepts health data on explicitly expressed consent', async () => {
      const { notice } = await world.consent.notices.publishByConnector(world.city.did, {
        ...parkingNotice(),
        title: 'Care at home',
        purposes: ['dpv:ServiceProvision'],
        dataCategories: ['pd:Health'],
        legalBasis: 'dpv:ExplicitlyExpressedConsent',
      });
      assert.deepEqual(notice.dataCategories, ['pd:Health']);
    });
  });

  describe('reading notices (public)', () => {
    it('lists notices by controller in pages, without the text', async () => {
      const mine = await world.consent.notices.list({ controller: world.city.did, limit: 2 });
      assert.equal(mine.items.length, 2);
      assert.ok(mine.next);
      assert.ok(mine.items.every((item) => item.controller === world.city.did && !('text' in item)));
      const rest = await world.consent.notices.list({
        controller: world.city.did,
        limit: 100,
        after: mine.next,
      });
      const ids = [...mine.items, ...rest.items].map((item) => item.id);
      assert.equal(new Set(ids).size, ids.length, 'no notice twice');
      assert.deepEqual([...ids].sort(), ids, 'in id order');
      assert.deepEqual((await world.consent.notices.list({ controller: world.transit.did })).items, []);
      await refusedWith(world.consent.notices.list({ limit: 0 }), 'invalid_page_size');
    });

    it('answers notice_not_found and notice_version_not_found', async () => {
      const notice = await publishParking(world);
      await refusedWith(world.consent.notices.get('notice-nothing'), 'notice_not_found');
      await refusedWith(world.consent.notices.version(notice.id, 2), 'notice_version_not_found');
      await refusedWith(world.consent.notices.version(notice.id, 0), 'notice_version_not_found');
    });

    it('keeps versions immutable: the database refuses to change or delete one', async () => {
      const notice = await publishParking(world);
      const repository = world.service.dataSource.getRepository(NoticeVersionEntity);
      await assert.rejects(
        repository.update({ noticeId: notice.id, version: 1 }, { hash: '0'.repeat(64) }),
        /append-only/,
      );
      await assert.rejects(repository.delete({ noticeId: notice.id, version: 1 }), /append-only/);
    });

    it('describes a notice in plain language, in the citizen’s language or English', async () => {
      const notice = await publishParking(world);
      const english = await world.consent.describe(notice);
      assert.deepEqual(
        english.purposes.map((p) => p.label),
        ['Providing the service you use', 'Improving traffic and public transport'],
      );
      const german = await world.consent.describe(notice, 'de-DE');
      assert.equal(german.dataCategories[0]?.label, 'Wo Sie sich aufhalten');
      assert.equal(german.legalBasis.label, 'Ihre Einwilligung');
      assert.equal((await world.consent.describe(notice, 'fr')).legalBasis.label, 'Your consent');
    });
  });

  describe('a member that is not active', () => {
    it('may not publish while suspended (controller_not_active), nor be named as recipient (recipient_not_active)', async function () {
      this.timeout(60_000);
      await decide(world, 'suspend', world.utility.did);
      await refusedWith(
        world.consent.notices.publishByConnector(world.utility.did, parkingNotice()),
        'controller_not_active',
      );
      await refusedWith(
        world.consent.notices.publishByConnector(world.city.did, parkingNotice([world.utility.did])),
        'recipient_not_active',
      );
      await decide(world, 'reinstate', world.utility.did);
      await world.consent.notices.publishByConnector(world.utility.did, parkingNotice());
    });
  });
});
