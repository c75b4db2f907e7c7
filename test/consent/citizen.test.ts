/**
 * The citizen (issue 11 items 3 and 5): logs in with the holder wallet holding a
 * PersonIdentificationCredential from the development PID provider (a development-only trust
 * anchor); sees every consent with its history; keeps the receipt in the wallet and presents
 * it; exports everything in ISO/IEC TS 27560 form; erases the account as far as retention allows.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ConsentEventEntity, ConsentRecordEntity } from '../../src/consent/entities.js';
import type { Citizen } from '../../src/consent/index.js';
import { credentialView } from '../../src/credentials/verify/model.js';
import { createWallet, openWallet, type Wallet } from '../../src/wallet/index.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  type ConsentWorld,
  consentWorld,
  DEV_PID_PASSPHRASE,
  DEV_PID_WALLET,
  give,
  newCitizen,
  parkingNotice,
  publishParking,
  refusedWith,
} from './support.js';

const PASSPHRASE = 'a citizen wallet passphrase';

describeEachDatabase('the citizen', (fresh) => {
  let world: ConsentWorld;
  let pidProvider: Wallet;
  before(async function () {
    this.timeout(180_000);
    world = await consentWorld(await fresh());
    pidProvider = await openWallet({ dir: DEV_PID_WALLET, passphrase: DEV_PID_PASSPHRASE });
  });
  after(async () => world?.close());

  /** A holder wallet with a PID from the development provider for `identifier`. */
  async function citizenWallet(identifier: string): Promise<{ wallet: Wallet; pid: string }> {
    const wallet = await createWallet({
      dir: join(mkdtempSync(join(tmpdir(), 'dst-citizen-')), 'w'),
      passphrase: PASSPHRASE,
    });
    const pid = await pidProvider.issueCredential({
      type: 'PersonIdentificationCredential',
      format: 'jwt_vc_json',
      subject: {
        id: wallet.did,
        personalIdentifier: identifier,
        givenName: 'Erika',
        familyName: 'Mustermann',
      },
    });
    await wallet.addCredential(pid);
    return { wallet, pid };
  }

  /** The wallet login's verification, as the OpenID4VP flow runs it, then the register's Citizen. */
  async function login(wallet: Wallet): Promise<Citizen> {
    const audience = world.service.identity.did;
    const nonce = randomUUID();
    const [pid] = wallet.credentials({ type: 'PersonIdentificationCredential' });
    assert.ok(pid);
    const vp = await wallet.presentation({ audience, nonce, credentials: [pid] });
    const verified = await world.service.credentials.verifyPresentation(vp, {
      challenge: nonce,
      domain: audience,
    });
    assert.equal(verified.verified, true, JSON.stringify(verified));
    const [credential] = verified.credentials;
    const payload = JSON.parse(Buffer.from(pid.jwt.split('.')[1] as string, 'base64url').toString('utf8'));
    return world.consent.citizenFromLogin({
      issuer: credential?.issuer as string,
      types: credential?.types ?? [],
      document: credentialView('jwt_vc_json', payload).document,
      holder: verified.holder as string,
    });
  }

  describe('logging in with a PersonIdentificationCredential (rulebook consent.naturalPersons)', () => {
    it('trusts the development PID provider in development mode, and makes the citizen key from its identifier', async () => {
      const { wallet } = await citizenWallet('DEV-1001');
      const citizen = await login(wallet);
      assert.equal(citizen.wallet, wallet.did);
      assert.equal(citizen.key, `pid:${JSON.stringify([pidProvider.did, 'DEV-1001'])}`);
    });

    it('is the same citizen with a new wallet (same identifier), another with another identifier', async () => {
      const first = await login((await citizenWallet('DEV-1002')).wallet);
      const again = await login((await citizenWallet('DEV-1002')).wallet);
      const other = await login((await citizenWallet('DEV-1003')).wallet);
      assert.equal(again.key, first.key);
      assert.notEqual(again.wallet, first.wallet);
      assert.notEqual(other.key, first.key);
    });

    it('refuses a credential that is not the rulebook’s, or not about the wallet (invalid_request)', async () => {
      const { wallet, pid } = await citizenWallet('DEV-1004');
      const document = credentialView(
        'jwt_vc_json',
        JSON.parse(Buffer.from(pid.split('.')[1] as string, 'base64url').toString('utf8')),
      ).document;
      const presented = {
        issuer: pidProvider.did,
        types: ['VerifiableCredential', 'PersonIdentificationCredential'],
        document,
        holder: wallet.did,
      };
      await refusedWith(
        world.consent.citizenFromLogin({
          ...presented,
          types: ['VerifiableCredential', 'MembershipCredential'],
        }),
        'invalid_request',
      );
      await refusedWith(
        world.consent.citizenFromLogin({ ...presented, holder: pidProvider.did }),
        'invalid_request',
      );
      const subject = { ...(document.credentialSubject as object), personalIdentifier: '' };
      await refusedWith(
        world.consent.citizenFromLogin({
          ...presented,
          document: { ...document, credentialSubject: subject },
        }),
        'invalid_request',
      );
    });
  });

  describe('the receipt in the wallet', () => {
    it('is stored by the holder wallet (it is about the wallet’s DID) and verifies when the wallet presents it', async () => {
      const { wallet } = await citizenWallet('DEV-2001');
      const citizen = await login(wallet);
      const { receipt } = await give(world, await publishParking(world), citizen);
      const stored = await wallet.addCredential(receipt);
      assert.equal(stored.type, 'ConsentReceiptCredential');
      assert.equal(stored.issuer, world.service.identity.did);
      const nonce = randomUUID();
      const vp = await wallet.presentation({
        audience: 'did:web:verifier.example',
        nonce,
        credentials: [stored],
      });
      const verified = await world.service.credentials.verifyPresentation(vp, {
        challenge: nonce,
        domain: 'did:web:verifier.example',
      });
      assert.equal(verified.verified, true, JSON.stringify(verified.checks));
    });

    it('can be downloaded again from the record, only by its citizen', async () => {
      const citizen = await newCitizen();
      const { consent, receipt } = await give(world, await publishParking(world), citizen);
      assert.equal(await world.consent.receipt(consent.id, citizen), receipt);
      await refusedWith(world.consent.receipt(consent.id, await newCitizen()), 'forbidden');
      await refusedWith(world.consent.receipt('consent-nope', citizen), 'consent_not_found');
    });
  });

  describe('the dashboard’s list and export', () => {
    it('lists every consent of the citizen, newest first, with history, notice title and controller name', async () => {
      const citizen = await newCitizen();
      const first = await give(world, await publishParking(world), citizen, ['dpv:ServiceProvision']);
      world.clock.offsetMs += 1000;
      const second = await give(world, await publishParking(world), citizen);
      world.clock.offsetMs -= 1000;
      await world.consent.withdraw({ consentId: first.consent.id, citizen });
      const list = await world.consent.list(citizen);
      assert.deepEqual(
        list.map((c) => c.id),
        [second.consent.id, first.consent.id],
      );
      assert.equal(list[1]?.status, 'withdrawn');
      assert.deepEqual(
        list[1]?.history.map((e) => e.event),
        ['given', 'withdrawn'],
      );
      assert.equal(list[0]?.noticeTitle, 'Park & Ride app');
      assert.equal(list[0]?.controllerName, 'City of Example');
      assert.deepEqual(await world.consent.list(await newCitizen()), []);
      assert.equal((await world.consent.get(first.consent.id, citizen)).status, 'withdrawn');
      await refusedWith(world.consent.get(first.consent.id, await newCitizen()), 'forbidden');
    });

    it('exports every record with ISO/IEC TS 27560 field names and DPV terms', async () => {
      const citizen = await newCitizen();
      const notice = await publishParking(world);
      const { consent } = await give(world, notice, citizen, ['dpv:ServiceProvision']);
      await world.consent.withdraw({ consentId: consent.id, citizen });
      const exported = await world.consent.export(citizen);
      assert.match(exported.schema_version, /^ISO\/IEC TS 27560:2023/);
      assert.equal(exported.records.length, 1);
      const [record] = exported.records;
      assert.deepEqual(record, {
        schema_version: exported.schema_version,
        record_id: consent.id,
        pii_principal_id: consent.subject,
        privacy_notice: {
          notice_id: notice.id,
          version: 1,
          hash: notice.hash,
          url: `${world.service.config.publicUrl}/api/v1/notices/${notice.id}/versions/1`,
        },
        language: 'en',
        purposes: [
          {
            purpose: 'dpv:ServiceProvision',
            lawful_basis: 'dpv:Consent',
            pii_information: [{ pii_type: 'pd:Location' }, { pii_type: 'pd:VehicleUsage' }],
            pii_controllers: [world.city.did],
            collection_method: 'wallet-login',
            retention_period: 'P365D',
            jurisdiction: 'DE',
            recipient_third_parties: [world.transit.did],
            withdrawal_method: `${world.service.config.publicUrl}/consents`,
          },
        ],
        parties: [
          { party_id: world.city.did, party_name: 'City of Example', party_role: 'dpv:DataController' },
          { party_id: world.transit.did, party_name: 'Example Transit Ltd', party_role: 'dpv:Recipient' },
        ],
        events: [
          {
            event_time: consent.givenAt,
            validity_duration: 'P365D',
            entity_id: consent.subject,
            event_type: 'dpv:Consent',
            event_state: 'dpv:ConsentGiven',
          },
          {
            event_time: record?.events[1]?.event_time,
            entity_id: consent.subject,
            event_type: 'dpv:Consent',
            event_state: 'dpv:ConsentWithdrawn',
          },
        ],
      });
      assert.ok(!JSON.stringify(exported).includes(citizen.wallet), 'the export holds no wallet DID');
    });
  });

  describe('erasure', () => {
    it('withdraws what is active, unlinks what retention keeps, deletes what it no longer keeps', async () => {
      const citizen = await newCitizen();
      const active = await give(world, await publishParking(world), citizen);
      const old = await give(
        world,
        (
          await world.consent.notices.publishByConnector(world.city.did, {
            ...parkingNotice(),
            retentionDays: 1,
          })
        ).notice,
        citizen,
      );
      await world.consent.withdraw({ consentId: old.consent.id, citizen });
      // Move the clock past the old one's record retention (1,095 days after it ended) and erase.
      world.clock.offsetMs += 1096 * 86_400_000;
      let result: Awaited<ReturnType<typeof world.consent.erase>>;
      try {
        result = await world.consent.erase(citizen);
      } finally {
        world.clock.offsetMs -= 1096 * 86_400_000;
      }
      // The active one had lapsed meanwhile (365 days): it ended as expired, and its retention runs on.
      assert.deepEqual(result, { withdrawn: 0, unlinked: 1, deleted: 1 });
      const records = world.service.dataSource.getRepository(ConsentRecordEntity);
      assert.equal(await records.findOneBy({ id: old.consent.id }), null);
      assert.equal(
        await world.service.dataSource
          .getRepository(ConsentEventEntity)
          .countBy({ consentId: old.consent.id }),
        0,
      );
      const kept = await records.findOneByOrFail({ id: active.consent.id });
      assert.equal(kept.citizenHash, null);
      assert.equal(kept.receiptSealed, null);
      assert.equal(kept.status, 'expired');
      assert.deepEqual(await world.consent.list(citizen), [], 'nothing is linked to the citizen any more');
    });

    it('withdraws an active consent at once (receipt revoked, controller told) and records counts, not ids, in the audit log', async () => {
      const citizen = await newCitizen();
      const { consent, receipt } = await give(world, await publishParking(world), citizen);
      const result = await world.consent.erase(citizen);
      assert.deepEqual(result, { withdrawn: 1, unlinked: 1, deleted: 0 });
      const kept = await world.service.dataSource
        .getRepository(ConsentRecordEntity)
        .findOneByOrFail({ id: consent.id });
      assert.equal(kept.status, 'withdrawn');
      const history = await world.service.dataSource
        .getRepository(ConsentEventEntity)
        .find({ where: { consentId: consent.id }, order: { seq: 'ASC' } });
      assert.deepEqual(
        history.map((e) => e.event),
        ['given', 'withdrawn', 'erased'],
      );
      assert.equal((await world.events.of('consent.withdrawn', consent.id))[0]?.data.reason, 'erasure');
      const verified = await request(world.app)
        .post('/api/v1/credentials/verify')
        .send({ credential: receipt });
      assert.equal(verified.body.checks.find((c: { check: string }) => c.check === 'status').code, 'revoked');
      const page = await world.service.audit.page({ after: 0, limit: 1000 });
      const entry = page.items.filter((item) => item.kind === 'consent.erasure').at(-1);
      assert.deepEqual(entry?.data, { withdrawn: 1, unlinked: 1, deleted: 0 });
      assert.equal(entry?.subject, null);
      assert.ok(!page.items.some((item) => item.kind === 'consent.withdrawn' && item.subject === consent.id));
      const answer = await world.consent.check(world.city.did, {
        subject: consent.subject,
        purpose: 'dpv:ServiceProvision',
        dataCategory: 'pd:Location',
      });
      assert.deepEqual(answer.reasons, [{ code: 'withdrawn', consentId: consent.id }]);
    });

    it('erases nothing for a citizen without records', async () => {
      assert.deepEqual(await world.consent.erase(await newCitizen()), {
        withdrawn: 0,
        unlinked: 0,
        deleted: 0,
      });
    });
  });
});
