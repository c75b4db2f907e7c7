/**
 * The check's reason codes (issue 13 item 4; docs/agreements.md "Reason codes"): the policy's
 * refusal told as `prohibited`, `action_not_permitted`, `constraint_failed:<leftOperand>` or
 * `count_exhausted`, from the evaluator's report (ODRL 2.2 §2.5–2.8).
 */
import { strict as assert } from 'node:assert';
import { policyReasons } from '../../src/agreements/check/reasons.js';
import { evaluate } from '../../src/agreements/policy/index.js';
import { context, offer, request } from './policy/support.js';

const purposeEq = { leftOperand: 'purpose', operator: 'eq', rightOperand: 'dpv:ServiceProvision' };
const spatialEq = { leftOperand: 'spatial', operator: 'eq', rightOperand: 'DE300' };
const countAtMost2 = { leftOperand: 'count', operator: 'lteq', rightOperand: 2 };

function reasons(constraints: unknown[], change = {}, ctx = {}, extra = {}): string[] {
  const decision = evaluate(offer(constraints, extra), request(change), context(ctx));
  assert.equal(decision.permitted, false, 'the case must be a refusal');
  return policyReasons(decision);
}

describe('the check’s reason codes (issue 13 item 4)', () => {
  it('constraint_failed:<leftOperand> for each failing constraint of the closest permission', () => {
    assert.deepEqual(reasons([purposeEq, spatialEq], { purpose: 'dpv:Marketing', spatial: 'DE300' }), [
      'constraint_failed:purpose',
    ]);
    assert.deepEqual(reasons([purposeEq, spatialEq], { purpose: 'dpv:Marketing', spatial: 'FR101' }), [
      'constraint_failed:purpose',
      'constraint_failed:spatial',
    ]);
  });

  it('constraint_failed:<leftOperand> when the question does not give the operand (fail closed)', () => {
    assert.deepEqual(reasons([purposeEq, spatialEq], { purpose: 'dpv:ServiceProvision' }), [
      'constraint_failed:spatial',
    ]);
  });

  it('count_exhausted when a count constraint allows no further use', () => {
    assert.deepEqual(reasons([countAtMost2], {}, { usesSoFar: 2 }), ['count_exhausted']);
  });

  it('names the operands inside a logical constraint (or, xone)', () => {
    const either = { or: [purposeEq, spatialEq] };
    assert.deepEqual(reasons([either], { purpose: 'dpv:Marketing', spatial: 'FR101' }), [
      'constraint_failed:purpose',
      'constraint_failed:spatial',
    ]);
    const exactlyOne = { xone: [purposeEq, spatialEq] };
    assert.deepEqual(reasons([exactlyOne], { purpose: 'dpv:ServiceProvision', spatial: 'DE300' }), [
      'constraint_failed:purpose',
      'constraint_failed:spatial',
    ]);
  });

  it('action_not_permitted when no permission grants the action', () => {
    assert.deepEqual(reasons([], { action: 'transfer' }), ['action_not_permitted']);
  });

  it('prohibited when a prohibition applies, whatever the permissions say', () => {
    assert.deepEqual(reasons([], { action: 'distribute' }, {}, { prohibition: [{ action: 'distribute' }] }), [
      'prohibited',
    ]);
  });
});
