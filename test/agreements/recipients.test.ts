/**
 * The recipient of an exchange (docs/agreements.md "The check"): a `recipient` constraint speaks
 * of active members only. A recipient that is not one (a suspended member, a stranger, another
 * spelling of a member's DID) satisfies no recipient constraint, not even an exclusion: the
 * check fails closed with `constraint_failed:recipient` (attack review: a percent-encoded
 * spelling of an excluded DID, and a suspended member holding an excluded role, were permitted).
 */
import { strict as assert } from 'node:assert';
import { describeEachDatabase } from '../support/databases.js';
import {
  type AgreementWorld,
  agreementWorld,
  check,
  concluded,
  decide,
  PARKING,
  parkingOffer,
} from './support.js';

/** The same DID with the first character of its method-specific id percent-encoded. */
function otherSpelling(did: string): string {
  const at = did.indexOf(':', 4) + 1;
  const code = (did.codePointAt(at) as number).toString(16).toUpperCase().padStart(2, '0');
  return `${did.slice(0, at)}%${code}${did.slice(at + 1)}`;
}

describeEachDatabase('the recipient of an exchange', (fresh) => {
  let world: AgreementWorld;
  before(async function () {
    this.timeout(240_000);
    world = await agreementWorld(await fresh());
  });
  after(async () => world?.close());

  /** An agreement city → transit over its own target, with `constraint` on its one permission. */
  async function agreementWith(name: string, constraint: Record<string, unknown>) {
    const target = `${PARKING}/${name}`;
    const policy = parkingOffer({
      target,
      permission: [{ action: 'use', constraint: [constraint] }],
    });
    await concluded(world, world.city, world.transit, { policy });
    return (recipient: string) =>
      check(world, world.transit, { provider: world.city.did, target, action: 'read', recipient });
  }

  it('an excluded DID, and any other spelling of it, is refused; an active member that is not excluded is permitted', async () => {
    const ask = await agreementWith('neq', {
      leftOperand: 'recipient',
      operator: 'neq',
      rightOperand: world.institute.did,
    });
    const permitted = await ask(world.city.did);
    assert.equal(permitted.status, 200, permitted.text);
    assert.equal(permitted.body.permitted, true, permitted.text);
    for (const recipient of [world.institute.did, otherSpelling(world.institute.did)]) {
      const refused = await ask(recipient);
      assert.equal(refused.status, 200, refused.text);
      assert.equal(refused.body.permitted, false, recipient);
      assert.deepEqual(refused.body.reasons, ['constraint_failed:recipient'], recipient);
    }
  });

  it('a prohibition naming a DID is not lifted by another spelling of it or by a stranger', async () => {
    const target = `${PARKING}/prohibited-recipient`;
    const policy = parkingOffer({
      target,
      permission: [{ action: 'use' }],
      prohibition: [
        {
          action: 'use',
          constraint: [{ leftOperand: 'recipient', operator: 'eq', rightOperand: world.institute.did }],
        },
      ],
    });
    await concluded(world, world.city, world.transit, { policy });
    const ask = (recipient: string) =>
      check(world, world.transit, { provider: world.city.did, target, action: 'read', recipient });
    for (const recipient of [
      world.institute.did,
      otherSpelling(world.institute.did),
      'did:web:stranger.example',
    ]) {
      const refused = await ask(recipient);
      assert.equal(refused.status, 200, refused.text);
      assert.equal(refused.body.code, 'prohibited', recipient);
    }
    assert.equal((await ask(world.city.did)).body.permitted, true);
  });

  it('a DID that is no member satisfies not even an exclusion', async () => {
    const ask = await agreementWith('stranger', {
      leftOperand: 'recipient',
      operator: 'isNoneOf',
      rightOperand: ['public-authority'],
    });
    const refused = await ask('did:web:stranger.example');
    assert.equal(refused.body.permitted, false);
    assert.deepEqual(refused.body.reasons, ['constraint_failed:recipient']);
  });

  it('a suspended member does not escape an excluded role: refused while suspended, permitted again once reinstated', async function () {
    this.timeout(60_000);
    const ask = await agreementWith('suspended', {
      leftOperand: 'recipient',
      operator: 'isNoneOf',
      rightOperand: ['public-authority'],
    });
    assert.equal((await ask(world.institute.did)).body.permitted, true);
    await decide(world, 'suspend', world.institute.did);
    const refused = await ask(world.institute.did);
    assert.equal(refused.body.permitted, false);
    assert.deepEqual(refused.body.reasons, ['constraint_failed:recipient']);
    await decide(world, 'reinstate', world.institute.did);
    assert.equal((await ask(world.institute.did)).body.permitted, true);
  });
});
