/**
 * The connector check (issue 11 item 6; docs/consent.md "The check"): permitted only when a
 * consent of the subject passes every named check; otherwise each failing check's code. A member
 * asks only about consents it controls or receives (403 `not_a_party`). Never cached: a
 * withdrawal or an expiry counts at once.
 */
import { strict as assert } from 'node:assert';
import { ConsentRecordEntity } from '../../src/consent/entities.js';
import { CONSENT_CHECKS, parseQuestion } from '../../src/consent/index.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  type ConsentWorld,
  consentWorld,
  decide,
  give,
  newCitizen,
  parkingNotice,
  publishParking,
  refusedWith,
} from './support.js';

const codes = (answer: { reasons: readonly { code: string }[] }) =>
  answer.reasons.map((reason) => reason.code);

describeEachDatabase('the consent check', (fresh) => {
  let world: ConsentWorld;
  before(async function () {
    this.timeout(180_000);
    world = await consentWorld(await fresh());
  });
  after(async () => world?.close());

  const ask = (caller: string, question: Record<string, unknown>, now?: Date) =>
    world.consent.check(caller, parseQuestion(question), now);

  it('runs its checks in a fixed order: status, expiry, controller, purpose, category, recipient', () => {
    assert.deepEqual(
      CONSENT_CHECKS.map((check) => check.name),
      ['checkStatus', 'checkExpiry', 'checkController', 'checkPurpose', 'checkCategory', 'checkRecipient'],
    );
  });

  it('permits what the citizen consented to, for the controller, with the consent id and expiry', async () => {
    const notice = await publishParking(world);
    const { consent } = await give(world, notice, await newCitizen(), ['dpv:ServiceProvision']);
    const answer = await ask(world.city.did, {
      subject: consent.subject,
      purpose: 'dpv:ServiceProvision',
      dataCategory: 'pd:Location',
    });
    assert.equal(answer.permitted, true);
    assert.equal(answer.consentId, consent.id);
    assert.equal(answer.expiresAt, consent.expiresAt);
    assert.deepEqual(answer.reasons, []);
  });

  it('permits a named recipient asking for itself, and the controller asking about passing data to it', async () => {
    const notice = await publishParking(world);
    const { consent } = await give(world, notice, await newCitizen());
    const question = {
      subject: consent.subject,
      purpose: 'dpv:ImproveTransportMobility',
      dataCategory: 'pd:VehicleUsage',
    };
    assert.equal((await ask(world.transit.did, question)).permitted, true);
    assert.equal((await ask(world.city.did, { ...question, recipient: world.transit.did })).permitted, true);
  });

  it('no_consent: nothing is known about the subject', async () => {
    const answer = await ask(world.city.did, {
      subject: 'A'.repeat(43),
      purpose: 'dpv:ServiceProvision',
      dataCategory: 'pd:Location',
    });
    assert.equal(answer.permitted, false);
    assert.deepEqual(answer.reasons, [{ code: 'no_consent' }]);
  });

  it('purpose_not_covered: a purpose the citizen did not tick', async () => {
    const notice = await publishParking(world);
    const { consent } = await give(world, notice, await newCitizen(), ['dpv:ServiceProvision']);
    const answer = await ask(world.city.did, {
      subject: consent.subject,
      purpose: 'dpv:ImproveTransportMobility',
      dataCategory: 'pd:Location',
    });
    assert.equal(answer.permitted, false);
    assert.deepEqual(answer.reasons, [{ code: 'purpose_not_covered', consentId: consent.id }]);
  });

  it('category_not_covered: a category the notice did not name', async () => {
    const notice = await publishParking(world);
    const { consent } = await give(world, notice, await newCitizen());
    const answer = await ask(world.city.did, {
      subject: consent.subject,
      purpose: 'dpv:ServiceProvision',
      dataCategory: 'pd:Contact',
    });
    assert.deepEqual(codes(answer), ['category_not_covered']);
  });

  it('recipient_not_covered: a recipient the notice did not name', async () => {
    const notice = await publishParking(world, []);
    const { consent } = await give(world, notice, await newCitizen());
    const answer = await ask(world.city.did, {
      subject: consent.subject,
      purpose: 'dpv:ServiceProvision',
      dataCategory: 'pd:Location',
      recipient: world.utility.did,
    });
    assert.deepEqual(codes(answer), ['recipient_not_covered']);
  });

  it('withdrawn: from the withdrawal on, with nothing cached', async () => {
    const notice = await publishParking(world);
    const citizen = await newCitizen();
    const { consent } = await give(world, notice, citizen);
    const question = {
      subject: consent.subject,
      purpose: 'dpv:ServiceProvision',
      dataCategory: 'pd:Location',
    };
    assert.equal((await ask(world.city.did, question)).permitted, true);
    await world.consent.withdraw({ consentId: consent.id, citizen });
    const answer = await ask(world.city.did, question);
    assert.equal(answer.permitted, false);
    assert.deepEqual(answer.reasons, [{ code: 'withdrawn', consentId: consent.id }]);
    assert.deepEqual(codes(await ask(world.transit.did, question)), ['withdrawn']);
  });

  it('expired: at the expiry instant, before the expiry job has run', async () => {
    const notice = (
      await world.consent.notices.publishByConnector(world.city.did, { ...parkingNotice(), retentionDays: 1 })
    ).notice;
    const { consent } = await give(world, notice, await newCitizen());
    const question = {
      subject: consent.subject,
      purpose: 'dpv:ServiceProvision',
      dataCategory: 'pd:Location',
    };
    const expiry = new Date(consent.expiresAt);
    assert.equal((await ask(world.city.did, question, new Date(expiry.getTime() - 1))).permitted, true);
    const answer = await ask(world.city.did, question, expiry);
    assert.deepEqual(answer.reasons, [{ code: 'expired', consentId: consent.id }]);
    const record = await world.service.dataSource
      .getRepository(ConsentRecordEntity)
      .findOneByOrFail({ id: consent.id });
    assert.equal(record.status, 'given', 'the job has not recorded it yet');
  });

  it('lists every failing check of the consent', async () => {
    const notice = await publishParking(world, []);
    const citizen = await newCitizen();
    const { consent } = await give(world, notice, citizen, ['dpv:ServiceProvision']);
    await world.consent.withdraw({ consentId: consent.id, citizen });
    const answer = await ask(world.city.did, {
      subject: consent.subject,
      purpose: 'dpv:ScientificResearch',
      dataCategory: 'pd:Contact',
      recipient: world.utility.did,
    });
    assert.deepEqual(codes(answer), [
      'withdrawn',
      'purpose_not_covered',
      'category_not_covered',
      'recipient_not_covered',
    ]);
  });

  it('permitted when one of the subject’s consents covers the processing, though another does not', async () => {
    const citizen = await newCitizen();
    const narrow = await give(world, await publishParking(world), citizen, ['dpv:ServiceProvision']);
    const wide = await give(world, await publishParking(world), citizen, ['dpv:ImproveTransportMobility']);
    assert.equal(narrow.consent.subject, wide.consent.subject);
    const answer = await ask(world.city.did, {
      subject: wide.consent.subject,
      purpose: 'dpv:ImproveTransportMobility',
      dataCategory: 'pd:Location',
    });
    assert.equal(answer.permitted, true);
    assert.equal(answer.consentId, wide.consent.id);
  });

  it('refuses a member that is neither controller nor recipient (not_a_party, 403)', async () => {
    const notice = await publishParking(world, []);
    const { consent } = await give(world, notice, await newCitizen());
    const question = {
      subject: consent.subject,
      purpose: 'dpv:ServiceProvision',
      dataCategory: 'pd:Location',
    };
    await refusedWith(ask(world.transit.did, question), 'not_a_party');
    await refusedWith(ask(world.utility.did, question), 'not_a_party');
    const error = await ask(world.utility.did, question).catch((e) => e);
    assert.equal(error.status, 403);
  });

  it('controller_not_active: a recipient asking while the controller is suspended', async function () {
    this.timeout(60_000);
    const notice = (
      await world.consent.notices.publishByConnector(world.utility.did, {
        ...parkingNotice([world.transit.did]),
        title: 'Meter',
      })
    ).notice;
    const { consent } = await give(world, notice, await newCitizen());
    const question = {
      subject: consent.subject,
      purpose: 'dpv:ServiceProvision',
      dataCategory: 'pd:Location',
    };
    assert.equal((await ask(world.transit.did, question)).permitted, true);
    await decide(world, 'suspend', world.utility.did);
    try {
      const answer = await ask(world.transit.did, question);
      assert.deepEqual(answer.reasons, [{ code: 'controller_not_active', consentId: consent.id }]);
    } finally {
      await decide(world, 'reinstate', world.utility.did);
    }
    assert.equal((await ask(world.transit.did, question)).permitted, true);
  });

  it('recipient_not_active: the controller asking about passing data to a named recipient while it is suspended', async function () {
    this.timeout(60_000);
    const notice = (
      await world.consent.notices.publishByConnector(world.city.did, {
        ...parkingNotice([world.utility.did]),
        title: 'Street lighting',
      })
    ).notice;
    const { consent } = await give(world, notice, await newCitizen());
    const question = {
      subject: consent.subject,
      purpose: 'dpv:ServiceProvision',
      dataCategory: 'pd:Location',
      recipient: world.utility.did,
    };
    assert.equal((await ask(world.city.did, question)).permitted, true);
    await decide(world, 'suspend', world.utility.did);
    try {
      const answer = await ask(world.city.did, question);
      assert.equal(answer.permitted, false);
      assert.deepEqual(answer.reasons, [{ code: 'recipient_not_active', consentId: consent.id }]);
      // The controller itself stays a recipient of its own consents.
      const { recipient: _, ...forItself } = question;
      assert.equal((await ask(world.city.did, forItself)).permitted, true);
    } finally {
      await decide(world, 'reinstate', world.utility.did);
    }
    assert.equal((await ask(world.city.did, question)).permitted, true);
  });

  describe('malformed questions (invalid_request)', () => {
    const good = { subject: 'A'.repeat(43), purpose: 'dpv:ServiceProvision', dataCategory: 'pd:Location' };
    for (const [what, body] of [
      ['a subject that is not a pairwise identifier', { ...good, subject: 'did:key:z6Mk' }],
      ['a purpose that is not a DPV purpose', { ...good, purpose: 'marketing' }],
      ['a category from dpv:', { ...good, dataCategory: 'dpv:PersonalData' }],
      ['a recipient that is not a DID', { ...good, recipient: 'transit' }],
      ['an unknown field', { ...good, reason: 'why not' }],
      ['no body', null],
    ] as const) {
      it(`refuses ${what}`, async () => {
        assert.throws(
          () => parseQuestion(body),
          (error: { code?: string }) => error.code === 'invalid_request',
        );
      });
    }
  });
});
