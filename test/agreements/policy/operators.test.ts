/**
 * ODRL 2.2 §2.5.1 Constraint: every left operand of the profile with every operator it takes,
 * permitted and refused, boundaries included. The rows are in operator-table.ts.
 */
import assert from 'node:assert/strict';
import { evaluate, OPERATORS } from '../../../src/agreements/policy/index.js';
import { TABLE } from './operator-table.js';
import { context, offer, request } from './support.js';

describe('ODRL 2.2 §2.5.1 constraints: the operator table', () => {
  for (const [leftOperand, rows] of Object.entries(TABLE)) {
    describe(`leftOperand ${leftOperand}`, () => {
      for (const row of rows) {
        it(`${row.title} → ${row.outcome}`, () => {
          const decision = evaluate(offer([row.constraint]), request(row.request), context(row.context));
          if (row.outcome === 'permit') {
            assert.equal(decision.permitted, true, JSON.stringify(decision.rules));
            assert.equal(decision.code, undefined);
          } else {
            assert.equal(decision.permitted, false);
            assert.equal(decision.code, row.outcome);
            const report = decision.rules[0]?.constraints[0];
            assert.equal(report?.leftOperand, leftOperand);
            assert.equal(report?.code, row.outcome);
          }
        });
      }
    });
  }

  it('covers every operator of the profile with a permitting and a refusing row', () => {
    const rows = Object.values(TABLE).flat();
    for (const operator of OPERATORS) {
      const of = rows.filter((row) => row.constraint.operator === operator);
      assert.ok(
        of.some((row) => row.outcome === 'permit'),
        `${operator} permits somewhere`,
      );
      assert.ok(
        of.some((row) => row.outcome !== 'permit'),
        `${operator} refuses somewhere`,
      );
    }
  });
});
