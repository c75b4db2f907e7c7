/**
 * Bounded lists (issue 13 review item 2; docs/agreements.md "Limits" and "Paging"): a member's
 * open proposals and its offers' versions are bounded by AGREEMENT_MAX_OPEN_PROPOSALS and
 * AGREEMENT_MAX_OFFER_VERSIONS (here 2 and 3), refused past the bound with a code and nothing
 * written, exactly also when the writes race; an offer's versions page with a cursor and a
 * bounded `limit`.
 */
import { strict as assert } from 'node:assert';
import { AgreementEntity, OfferVersionEntity } from '../../src/agreements/entities.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  type AgreementWorld,
  agreementWorld,
  as,
  PARKING,
  parkingOffer,
  publishOffer,
  sign,
} from './support.js';

describeEachDatabase('limits and paging of the agreement register', (fresh) => {
  let world: AgreementWorld;
  before(async function () {
    this.timeout(240_000);
    world = await agreementWorld(await fresh(), {
      env: { AGREEMENT_MAX_OPEN_PROPOSALS: '2', AGREEMENT_MAX_OFFER_VERSIONS: '3' },
    });
  });
  after(async () => world?.close());

  const openProposals = () =>
    world.service.dataSource
      .getRepository(AgreementEntity)
      .countBy({ proposedBy: world.transit.did, status: 'proposed' });

  it('open proposals: racing proposals past the bound are refused with too_many_open_proposals; a signed one frees room', async function () {
    this.timeout(60_000);
    const offer = await publishOffer(world, world.city, parkingOffer({ target: `${PARKING}/limited` }));
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        as(world, world.transit).post('/api/v1/agreements', { offer: offer.id, version: offer.version }),
      ),
    );
    const accepted = answers.filter((answer) => answer.status === 201);
    const refused = answers.filter((answer) => answer.status !== 201);
    assert.equal(accepted.length, 2, answers.map((answer) => answer.text).join('\n'));
    for (const answer of refused) {
      assert.equal(answer.status, 409, answer.text);
      assert.equal(answer.body.code, 'too_many_open_proposals');
      assert.equal(answer.body.limit, 2);
    }
    assert.equal(await openProposals(), 2);
    // Both parties sign one: it is no longer open, and there is room for one more.
    const first = accepted[0]?.body as { id: string; hash: string };
    for (const member of [world.transit, world.city])
      assert.equal((await sign(world, member, first)).status, 200);
    const next = await as(world, world.transit).post('/api/v1/agreements', {
      offer: offer.id,
      version: offer.version,
    });
    assert.equal(next.status, 201, next.text);
    assert.equal(await openProposals(), 2);
  });

  it('offer versions: the fourth version of a member’s offers (all together) is refused with too_many_offer_versions, nothing written', async () => {
    const provider = world.utility;
    const offer = await publishOffer(world, provider, parkingOffer({ target: `${PARKING}/versions` }));
    for (let i = 0; i < 2; i++) {
      const version = await as(world, provider).post(`/api/v1/offers/${offer.id}/versions`, {
        policy: parkingOffer({ target: `${PARKING}/versions` }),
      });
      assert.equal(version.status, 201, version.text);
    }
    const refused = await as(world, provider).post(`/api/v1/offers/${offer.id}/versions`, {
      policy: parkingOffer({ target: `${PARKING}/versions` }),
    });
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.code, 'too_many_offer_versions');
    const another = await as(world, provider).post('/api/v1/offers', {
      policy: parkingOffer({ target: `${PARKING}/another` }),
    });
    assert.equal(another.status, 409, another.text);
    assert.equal(another.body.code, 'too_many_offer_versions');
    assert.equal(
      await world.service.dataSource.getRepository(OfferVersionEntity).countBy({ offerId: offer.id }),
      3,
    );

    // The versions page with a cursor; the offer lists its latest ones.
    const page = await as(world, provider).get(`/api/v1/offers/${offer.id}/versions?limit=2`);
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(
      page.body.items.map((item: { version: number }) => item.version),
      [1, 2],
    );
    assert.equal(page.body.next, 2);
    const rest = await as(world, provider).get(`/api/v1/offers/${offer.id}/versions?after=2&limit=2`);
    assert.deepEqual(
      rest.body.items.map((item: { version: number }) => item.version),
      [3],
    );
    assert.equal(rest.body.next, undefined);
    const tooMany = await as(world, provider).get(`/api/v1/offers/${offer.id}/versions?limit=101`);
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.code, 'invalid_page_size');
    const badCursor = await as(world, provider).get(`/api/v1/offers/${offer.id}/versions?after=x`);
    assert.equal(badCursor.status, 400);
    assert.equal(badCursor.body.code, 'invalid_request');
    const unknown = await as(world, provider).get('/api/v1/offers/offer-none/versions');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'offer_not_found');
  });
});
