/**
 * Giving consent (issue 11 item 3, the domain part; ISO/IEC TS 27560 consent record; GDPR
 * Art. 7(1)): the record, its history, its receipt (a ConsentReceiptCredential anyone can verify),
 * the audit entry without personal data, the `consent.given` event in the same transaction,
 * pairwise identifiers, idempotency, and every refusal with its code.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { ConsentEventEntity, ConsentRecordEntity } from '../../src/consent/entities.js';
import { ConsentRegister } from '../../src/consent/index.js';
import { IssuanceEntity } from '../../src/credentials/entities.js';
import { EventEntity } from '../../src/events/entities.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  type ConsentWorld,
  consentWorld,
  decide,
  give,
  newCitizen,
  noticeStatement,
  parkingNotice,
  publishParking,
  refusedWith,
} from './support.js';

describeEachDatabase('giving consent', (fresh) => {
  let world: ConsentWorld;
  before(async function () {
    this.timeout(180_000);
    world = await consentWorld(await fresh());
  });
  after(async () => world?.close());

  describe('the record (ISO/IEC TS 27560)', () => {
    it('records notice id, version and hash, the chosen purposes, categories, recipients, legal basis, method, times and expiry', async () => {
      const notice = await publishParking(world);
      const citizen = await newCitizen();
      const before = Date.now();
      const { consent, receipt, replayed } = await give(world, notice, citizen, ['dpv:ServiceProvision']);
      assert.equal(replayed, false);
      assert.match(consent.id, /^consent-[0-9a-f-]{36}$/);
      assert.deepEqual(consent.notice, { id: notice.id, version: 1, hash: notice.hash });
      assert.equal(consent.controller, world.city.did);
      assert.deepEqual(consent.purposes, ['dpv:ServiceProvision']);
      assert.deepEqual(consent.dataCategories, ['pd:Location', 'pd:VehicleUsage']);
      assert.deepEqual(consent.recipients, [world.transit.did]);
      assert.equal(consent.legalBasis, 'dpv:Consent');
      assert.deepEqual(consent.collectionMethod, { method: 'wallet-login', clientId: 'city-app' });
      assert.equal(consent.status, 'given');
      const given = Date.parse(consent.givenAt);
      assert.ok(given >= before - 5 && given <= Date.now() + 5);
      assert.equal(
        Date.parse(consent.expiresAt) - given,
        365 * 86_400_000,
        'expiry = now + the notice’s retention',
      );
      assert.deepEqual(
        consent.history.map((event) => [event.seq, event.event, event.actor]),
        [[1, 'given', 'citizen']],
      );
      assert.match(consent.recordHash, /^[0-9a-f]{64}$/);
      assert.match(receipt, /^ey/);
    });

    it('stores no wallet DID and no citizen key in clear, anywhere in the consent tables or the issuance record', async () => {
      const notice = await publishParking(world);
      const citizen = await newCitizen();
      const { consent } = await give(world, notice, citizen);
      const row = await world.service.dataSource
        .getRepository(ConsentRecordEntity)
        .findOneByOrFail({ id: consent.id });
      const events = await world.service.dataSource
        .getRepository(ConsentEventEntity)
        .findBy({ consentId: consent.id });
      const issuance = await world.service.dataSource
        .getRepository(IssuanceEntity)
        .findOneByOrFail({ id: consent.receiptId });
      const stored = JSON.stringify([row, events, issuance]);
      assert.ok(!stored.includes(citizen.wallet), 'no wallet DID');
      assert.ok(!stored.includes(citizen.key), 'no citizen key');
      assert.ok(!stored.includes('DEV-'), 'no personal identifier');
      assert.equal(issuance.subject, consent.id, 'the issuance record names the consent, not the wallet');
      assert.match(row.citizenHash ?? '', /^[0-9a-f]{64}$/);
    });

    it('writes an audit entry with ids and hashes only', async () => {
      const notice = await publishParking(world);
      const citizen = await newCitizen();
      const { consent } = await give(world, notice, citizen);
      const page = await world.service.audit.page({ after: 0, limit: 1000 });
      const entry = page.items.find((item) => item.kind === 'consent.given' && item.subject === consent.id);
      assert.ok(entry);
      assert.equal(entry.actor, 'service');
      const data = entry.data as Record<string, unknown>;
      assert.deepEqual(Object.keys(data).sort(), [
        'by',
        'controller',
        'eventHash',
        'notice',
        'recordHash',
        'version',
      ]);
      assert.equal(data.recordHash, consent.recordHash);
      assert.equal(data.eventHash, consent.history[0]?.hash);
      const text = JSON.stringify(entry);
      assert.ok(
        !text.includes(consent.subject) && !text.includes(citizen.wallet),
        'no pseudonym, no wallet DID',
      );
    });

    it('appends consent.given to the outbox for the controller and recipients', async () => {
      const notice = await publishParking(world);
      const { consent } = await give(world, notice, await newCitizen(), ['dpv:ImproveTransportMobility']);
      const events = await world.events.of('consent.given', consent.id);
      assert.equal(events.length, 1);
      const [event] = events;
      assert.deepEqual(event?.audience, [world.city.did, world.transit.did].sort());
      assert.deepEqual(event?.data, {
        consentId: consent.id,
        subject: consent.subject,
        noticeId: notice.id,
        noticeVersion: 1,
        purposes: ['dpv:ImproveTransportMobility'],
        givenAt: consent.givenAt,
        expiresAt: consent.expiresAt,
      });
    });

    it('writes nothing when the outbox refuses the event: record, receipt and audit roll back together', async () => {
      const notice = await publishParking(world);
      const outbox = world.deps.events;
      // The composition root's outbox, refusing this once (as it refuses an invalid event).
      const refusing = new ConsentRegister({
        ...world.deps,
        events: {
          emit: async (manager, event) => {
            await outbox.emit(manager, event);
            throw new Error('outbox refused');
          },
        },
      });
      const records = () => world.service.dataSource.getRepository(ConsentRecordEntity).count();
      const issuances = () => world.service.dataSource.getRepository(IssuanceEntity).count();
      const outboxRows = () => world.service.dataSource.getRepository(EventEntity).count();
      const before = [
        await records(),
        await issuances(),
        (await world.service.audit.head()).size,
        await outboxRows(),
      ];
      await assert.rejects(
        refusing.give({
          noticeId: notice.id,
          version: notice.version,
          noticeHash: notice.hash,
          citizen: await newCitizen(),
          purposes: notice.purposes,
          collectedVia: { method: 'wallet-login' },
          idempotencyKey: randomUUID(),
        }),
        /outbox refused/,
      );
      assert.deepEqual(
        [await records(), await issuances(), (await world.service.audit.head()).size, await outboxRows()],
        before,
      );
    });
  });

  describe('the receipt (ConsentReceiptCredential)', () => {
    it('is a jwt_vc_json credential about the citizen’s wallet, issued by the service, that anyone verifies', async () => {
      const notice = await publishParking(world);
      const citizen = await newCitizen();
      const { consent, receipt } = await give(world, notice, citizen, ['dpv:ServiceProvision']);
      const payload = decodeJwt(receipt) as {
        iss: string;
        sub: string;
        jti: string;
        vc: { type: string[]; credentialSubject: Record<string, unknown>; credentialStatus: unknown[] };
      };
      assert.equal(payload.iss, world.service.identity.did);
      assert.equal(payload.sub, citizen.wallet);
      assert.equal(payload.jti, consent.receiptId);
      assert.deepEqual(payload.vc.type, ['VerifiableCredential', 'ConsentReceiptCredential']);
      assert.equal(payload.vc.credentialStatus.length, 2);
      assert.deepEqual(payload.vc.credentialSubject, {
        id: citizen.wallet,
        consentId: consent.id,
        noticeId: notice.id,
        noticeVersion: 1,
        noticeHash: notice.hash,
        controller: world.city.did,
        controllerName: 'City of Example',
        dataSubject: consent.subject,
        purposes: ['dpv:ServiceProvision'],
        dataCategories: ['pd:Location', 'pd:VehicleUsage'],
        recipients: [world.transit.did],
        legalBasis: 'dpv:Consent',
        jurisdiction: 'DE',
        givenAt: consent.givenAt.replace(/\.\d{3}Z$/, 'Z'),
        expiresAt: consent.expiresAt.replace(/\.\d{3}Z$/, 'Z'),
      });
      const verified = await request(world.app)
        .post('/api/v1/credentials/verify')
        .send({ credential: receipt })
        .expect(200);
      assert.equal(verified.body.verified, true, JSON.stringify(verified.body.checks));
      const check = (name: string) => verified.body.checks.find((c: { check: string }) => c.check === name);
      assert.equal(check('trusted_issuer').result, 'passed');
      assert.equal(check('status').result, 'passed');
      assert.equal(check('schema').result, 'passed');
    });
  });

  describe('pairwise identifiers', () => {
    it('is stable for a controller across notices, and differs between controllers', async () => {
      const citizen = await newCitizen();
      const first = await give(world, await publishParking(world), citizen);
      const second = await give(world, await publishParking(world), citizen);
      assert.equal(first.consent.subject, second.consent.subject);
      const utilityNotice = (
        await world.consent.notices.publishByConnector(world.utility.did, {
          ...parkingNotice(),
          title: 'Smart meter',
          dataCategories: ['pd:ServiceConsumptionBehavior'],
        })
      ).notice;
      const third = await give(world, utilityNotice, citizen);
      assert.notEqual(third.consent.subject, first.consent.subject);
      assert.match(third.consent.subject, /^[A-Za-z0-9_-]{43}$/);
      const other = await give(world, await publishParking(world), await newCitizen());
      assert.notEqual(other.consent.subject, first.consent.subject, 'another citizen, another pseudonym');
    });
  });

  describe('idempotency and replacement', () => {
    it('answers a double-submitted form (same idempotency key) with the same record and receipt', async () => {
      const notice = await publishParking(world);
      const citizen = await newCitizen();
      const form = {
        noticeId: notice.id,
        version: notice.version,
        noticeHash: notice.hash,
        citizen,
        purposes: ['dpv:ServiceProvision'],
        collectedVia: { method: 'wallet-login' as const },
        idempotencyKey: randomUUID(),
      };
      const [first, second] = await Promise.all([world.consent.give(form), world.consent.give(form)]);
      assert.equal(first.consent.id, second.consent.id);
      assert.equal(first.receipt, second.receipt);
      assert.equal([first.replayed, second.replayed].filter(Boolean).length, 1);
      const rows = await world.service.dataSource
        .getRepository(ConsentRecordEntity)
        .countBy({ noticeId: notice.id });
      assert.equal(rows, 1);
      await refusedWith(world.consent.give({ ...form, purposes: notice.purposes }), 'idempotency_conflict');
    });

    it('replaces the citizen’s earlier consent to the same notice: the old one ends as superseded, its receipt revoked', async () => {
      const notice = await publishParking(world);
      const citizen = await newCitizen();
      const old = await give(world, notice, citizen, ['dpv:ServiceProvision']);
      const renewed = await give(world, notice, citizen, notice.purposes);
      const list = await world.consent.list(citizen);
      const previous = list.find((c) => c.id === old.consent.id);
      assert.equal(previous?.status, 'superseded');
      assert.deepEqual(
        previous?.history.map((e) => e.event),
        ['given', 'superseded'],
      );
      assert.deepEqual(previous?.history[1]?.data, { supersededBy: renewed.consent.id });
      assert.deepEqual(renewed.consent.history[0]?.data, { supersedes: old.consent.id });
      const status = await request(world.app)
        .post('/api/v1/credentials/verify')
        .send({ credential: old.receipt });
      assert.equal(status.body.checks.find((c: { check: string }) => c.check === 'status').code, 'revoked');
      const [withdrawn] = await world.events.of('consent.withdrawn', old.consent.id);
      assert.equal(withdrawn?.data.reason, 'superseded');
    });

    it('takes concurrent consents of one citizen to one notice in turns (two tabs, six logins): each answered, one active, the rest superseded in a chain', async function () {
      this.timeout(60_000);
      const notice = await publishParking(world);
      const citizen = await newCitizen();
      await give(world, notice, citizen, ['dpv:ServiceProvision']);
      const given = await Promise.all(Array.from({ length: 6 }, () => give(world, notice, citizen)));
      assert.equal(new Set(given.map((g) => g.consent.id)).size, 6);
      const rows = await world.service.dataSource
        .getRepository(ConsentRecordEntity)
        .findBy({ noticeId: notice.id });
      assert.equal(rows.length, 7);
      assert.deepEqual(rows.map((row) => row.status).sort(), ['given', ...Array(6).fill('superseded')]);
      const active = rows.find((row) => row.status === 'given');
      assert.ok(active && given.some((g) => g.consent.id === active.id));
    });
  });

  describe('a withdrawal racing a new consent to the same notice', () => {
    it('ends the old consent once: either withdrawn (and the new one stands alone) or superseded (and the withdrawal refused with its code)', async function () {
      this.timeout(60_000);
      for (let round = 0; round < 4; round++) {
        const notice = await publishParking(world);
        const citizen = await newCitizen();
        const old = await give(world, notice, citizen, ['dpv:ServiceProvision']);
        const [withdrawal, renewal] = await Promise.allSettled([
          world.consent.withdraw({ consentId: old.consent.id, citizen }),
          give(world, notice, citizen),
        ]);
        assert.equal(renewal.status, 'fulfilled', String((renewal as PromiseRejectedResult).reason));
        if (withdrawal.status === 'rejected')
          assert.equal((withdrawal.reason as { code?: string }).code, 'consent_superseded');
        const ended = await world.service.dataSource
          .getRepository(ConsentRecordEntity)
          .findOneByOrFail({ id: old.consent.id });
        assert.equal(ended.status, withdrawal.status === 'fulfilled' ? 'withdrawn' : 'superseded');
      }
    });
  });

  describe('refusals', () => {
    it('refuses an unknown notice (notice_not_found) and a version it never had (notice_version_not_found)', async () => {
      const notice = await publishParking(world);
      const citizen = await newCitizen();
      await refusedWith(
        world.consent.give({ ...form(notice, citizen), noticeId: 'notice-nope' }),
        'notice_not_found',
      );
      await refusedWith(
        world.consent.give({ ...form(notice, citizen), version: 2 }),
        'notice_version_not_found',
      );
    });

    it('refuses a superseded version (notice_version_superseded) and a hash that is not the version’s (notice_hash_mismatch)', async () => {
      const notice = await publishParking(world);
      await world.consent.notices.publishVersionSigned(
        notice.id,
        await noticeStatement(
          world.city,
          world.service.identity.did,
          { ...parkingNotice(), text: 'v2' },
          { noticeId: notice.id },
        ),
      );
      const citizen = await newCitizen();
      await refusedWith(world.consent.give(form(notice, citizen)), 'notice_version_superseded');
      const latest = await world.consent.notices.get(notice.id);
      await refusedWith(
        world.consent.give({ ...form(latest, citizen), noticeHash: notice.hash }),
        'notice_hash_mismatch',
      );
      await world.consent.give(form(latest, citizen));
    });

    it('refuses no purpose (no_purpose) and a purpose the notice does not ask for (purpose_not_in_notice)', async () => {
      const notice = await publishParking(world);
      const citizen = await newCitizen();
      await refusedWith(world.consent.give({ ...form(notice, citizen), purposes: [] }), 'no_purpose');
      await refusedWith(
        world.consent.give({
          ...form(notice, citizen),
          purposes: ['dpv:ServiceProvision', 'dpv:ScientificResearch'],
        }),
        'purpose_not_in_notice',
      );
    });

    it('refuses malformed input (invalid_request), naming what is wrong', async () => {
      const notice = await publishParking(world);
      const citizen = await newCitizen();
      for (const bad of [
        { noticeHash: 'abc' },
        { version: 0 },
        { citizen: { key: citizen.key, wallet: 'not a did' } },
        { citizen: { key: '', wallet: citizen.wallet } },
        { collectedVia: { method: 'paper-form' } },
        { idempotencyKey: '' },
      ]) {
        const malformed = { ...form(notice, citizen), ...bad } as unknown as Parameters<
          typeof world.consent.give
        >[0];
        await refusedWith(world.consent.give(malformed), 'invalid_request');
      }
    });

    it('gathers no consent for a suspended controller (controller_not_active)', async function () {
      this.timeout(60_000);
      const notice = (await world.consent.notices.publishByConnector(world.utility.did, parkingNotice()))
        .notice;
      await decide(world, 'suspend', world.utility.did);
      try {
        await refusedWith(world.consent.give(form(notice, await newCitizen())), 'controller_not_active');
      } finally {
        await decide(world, 'reinstate', world.utility.did);
      }
      await world.consent.give(form(notice, await newCitizen()));
    });

    it('writes nothing for a refusal', async () => {
      const notice = await publishParking(world);
      const before = await world.service.dataSource.getRepository(ConsentRecordEntity).count();
      await refusedWith(
        world.consent.give({ ...form(notice, await newCitizen()), noticeHash: 'f'.repeat(64) }),
        'notice_hash_mismatch',
      );
      assert.equal(await world.service.dataSource.getRepository(ConsentRecordEntity).count(), before);
    });
  });
});

function form(
  notice: { id: string; version: number; hash: string; purposes: readonly string[] },
  citizen: { key: string; wallet: string },
) {
  return {
    noticeId: notice.id,
    version: notice.version,
    noticeHash: notice.hash,
    citizen,
    purposes: [...notice.purposes],
    collectedVia: { method: 'wallet-login' as const },
    idempotencyKey: randomUUID(),
  };
}
