/**
 * Evaluation (ODRL 2.2 §2.5.2 logical constraints, §2.6 permissions, prohibitions and duties,
 * §2.8 conflict: this profile fixes the strategy to `prohibit`). Single operands are in the
 * operator table; here: how rules and constraints combine, fail closed, and report.
 */
import assert from 'node:assert/strict';
import { evaluate, parsePolicy, USAGE_ACTIONS } from '../../../src/agreements/policy/index.js';
import { CITY, context, MOBILITY, OTHER, offer, offerJson, PARKING, profile, request } from './support.js';

const purposeEq = (term: string) => ({ leftOperand: 'purpose', operator: 'eq', rightOperand: term });
const spatialEq = (code: string) => ({ leftOperand: 'spatial', operator: 'eq', rightOperand: code });
const MOBILITY_PURPOSE = 'dpv:ImproveTransportMobility';
const RESEARCH = 'dpv:ScientificResearch';

describe('ODRL 2.2 §2.5.2 logical constraints', () => {
  describe('or: at least one operand satisfied', () => {
    const policy = offer([{ or: [purposeEq(MOBILITY_PURPOSE), purposeEq(RESEARCH)] }]);
    it('permits when the first is satisfied', () =>
      assert.equal(evaluate(policy, request({ purpose: MOBILITY_PURPOSE }), context()).permitted, true));
    it('permits when the second is satisfied', () =>
      assert.equal(evaluate(policy, request({ purpose: RESEARCH }), context()).permitted, true));
    it("refuses when none is, with the operands' common code", () => {
      const decision = evaluate(policy, request({ purpose: 'dpv:PublicBenefit' }), context());
      assert.equal(decision.code, 'purpose_not_permitted');
      const report = decision.rules[0]?.constraints[0];
      assert.equal(report?.operator, 'or');
      assert.deepEqual(
        report?.constraints?.map((c) => c.result),
        ['not_satisfied', 'not_satisfied'],
      );
    });
  });

  describe('xone: exactly one operand satisfied', () => {
    const policy = offer([{ xone: [purposeEq(MOBILITY_PURPOSE), spatialEq('DE300')] }]);
    it('permits when exactly one is satisfied', () =>
      assert.equal(
        evaluate(policy, request({ purpose: MOBILITY_PURPOSE, spatial: 'FR101' }), context()).permitted,
        true,
      ));
    it('refuses when both are satisfied', () => {
      const decision = evaluate(policy, request({ purpose: MOBILITY_PURPOSE, spatial: 'DE300' }), context());
      assert.equal(decision.permitted, false);
      assert.equal(decision.code, 'constraint_not_satisfied');
    });
    it('refuses when none is satisfied (operands of different codes: constraint_not_satisfied)', () => {
      const decision = evaluate(policy, request({ purpose: RESEARCH, spatial: 'FR101' }), context());
      assert.equal(decision.code, 'constraint_not_satisfied');
    });
    it('refuses when one operand is unknown (it might be a second satisfied one)', () => {
      const decision = evaluate(policy, request({ purpose: MOBILITY_PURPOSE }), context());
      assert.equal(decision.permitted, false);
      assert.equal(decision.rules[0]?.constraints[0]?.result, 'unknown');
    });
  });

  describe('and: every operand satisfied', () => {
    const policy = offer([{ and: [purposeEq(MOBILITY_PURPOSE), spatialEq('DE300')] }]);
    it('permits when both are satisfied', () =>
      assert.equal(
        evaluate(policy, request({ purpose: MOBILITY_PURPOSE, spatial: 'DE300' }), context()).permitted,
        true,
      ));
    it('refuses when one is not, with its code', () =>
      assert.equal(
        evaluate(policy, request({ purpose: MOBILITY_PURPOSE, spatial: 'FR101' }), context()).code,
        'spatial_not_permitted',
      ));
  });

  describe('nested: (purpose A and place P) or (purpose B and before 2027)', () => {
    const policy = offer([
      {
        or: [
          {
            and: [
              purposeEq(MOBILITY_PURPOSE),
              { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: 'DE3' },
            ],
          },
          {
            and: [
              purposeEq(RESEARCH),
              { leftOperand: 'dateTime', operator: 'lt', rightOperand: '2027-01-01T00:00:00Z' },
            ],
          },
        ],
      },
    ]);
    it('permits the first branch', () =>
      assert.equal(
        evaluate(policy, request({ purpose: MOBILITY_PURPOSE, spatial: 'DE300' }), context()).permitted,
        true,
      ));
    it('permits the second branch', () =>
      assert.equal(evaluate(policy, request({ purpose: RESEARCH }), context()).permitted, true));
    it('refuses the second branch after its period', () => {
      const decision = evaluate(
        policy,
        request({ purpose: RESEARCH }),
        context({ now: new Date('2027-01-01T00:00:00Z') }),
      );
      assert.equal(decision.permitted, false);
      assert.equal(decision.code, 'constraint_not_satisfied');
    });
    it('refuses the first purpose elsewhere', () =>
      assert.equal(
        evaluate(policy, request({ purpose: MOBILITY_PURPOSE, spatial: 'FR101' }), context()).permitted,
        false,
      ));
  });

  it("a rule's constraints all hold (an implicit and), and every one is reported", () => {
    const decision = evaluate(
      offer([purposeEq(MOBILITY_PURPOSE), spatialEq('DE300')]),
      request({ purpose: RESEARCH, spatial: 'FR101' }),
      context(),
    );
    assert.equal(decision.code, 'purpose_not_permitted');
    assert.deepEqual(
      decision.rules[0]?.constraints.map((c) => c.code),
      ['purpose_not_permitted', 'spatial_not_permitted'],
    );
  });
});

describe('ODRL 2.2 §2.6.2 permissions: action, target, assignee', () => {
  it('use includes every action of the profile but transfer (ODRL includedIn)', () => {
    const policy = offer([]);
    for (const action of USAGE_ACTIONS) {
      const decision = evaluate(policy, request({ action }), context());
      assert.equal(decision.permitted, action !== 'transfer', action);
      if (action === 'transfer') assert.equal(decision.code, 'action_not_permitted');
    }
  });
  it('a narrower action does not include a wider one: read does not permit use', () => {
    const policy = parsePolicy({ ...offerJson([]), permission: [{ action: 'read' }] }, profile);
    assert.equal(evaluate(policy, request({ action: 'read' }), context()).permitted, true);
    assert.equal(evaluate(policy, request({ action: 'use' }), context()).code, 'action_not_permitted');
    assert.equal(evaluate(policy, request({ action: 'distribute' }), context()).code, 'action_not_permitted');
  });
  it('reads the requested action in any spelling', () =>
    assert.equal(
      evaluate(offer([]), request({ action: 'http://www.w3.org/ns/odrl/2/read' }), context()).permitted,
      true,
    ));
  it('refuses an action outside the profile', () =>
    assert.equal(evaluate(offer([]), request({ action: 'print' }), context()).code, 'action_not_permitted'));
  it('refuses another target', () =>
    assert.equal(
      evaluate(offer([]), request({ target: 'https://city.example/datasets/other' }), context()).code,
      'target_mismatch',
    ));
  it('refuses another assignee when the rule names one', () => {
    const policy = parsePolicy({ ...offerJson([]), '@type': 'Agreement', assignee: MOBILITY }, profile);
    assert.equal(evaluate(policy, request(), context()).permitted, true);
    assert.equal(evaluate(policy, request({ assignee: OTHER }), context()).code, 'assignee_mismatch');
  });
  it('an Offer without assignee is open to any assignee', () =>
    assert.equal(evaluate(offer([]), request({ assignee: OTHER }), context()).permitted, true));
  it('permits when any permission applies, and refuses with the code of the one that came closest', () => {
    const policy = parsePolicy(
      {
        ...offerJson([]),
        permission: [
          { action: 'read', target: 'https://city.example/datasets/other' },
          { action: 'read', constraint: [purposeEq(RESEARCH)] },
          { action: 'display', constraint: [purposeEq(MOBILITY_PURPOSE)] },
        ],
      },
      profile,
    );
    assert.equal(evaluate(policy, request({ action: 'read', purpose: RESEARCH }), context()).permitted, true);
    assert.equal(
      evaluate(policy, request({ action: 'read', purpose: MOBILITY_PURPOSE }), context()).code,
      'purpose_not_permitted',
    );
    assert.equal(
      evaluate(policy, request({ action: 'read', target: 'https://city.example/datasets/third' }), context())
        .code,
      'target_mismatch',
    );
  });
});

describe('ODRL 2.2 §2.6.3 prohibitions and §2.8 conflict (prohibit)', () => {
  it('a prohibition that applies wins over a permission that applies', () => {
    const policy = offer([], { prohibition: [{ action: 'distribute' }] });
    const decision = evaluate(policy, request({ action: 'distribute' }), context());
    assert.equal(decision.permitted, false);
    assert.equal(decision.code, 'prohibited');
    assert.deepEqual(
      decision.rules.map((r) => [r.rule, r.result]),
      [
        ['permission', 'applies'],
        ['prohibition', 'applies'],
      ],
    );
    assert.deepEqual(decision.duties, []);
  });
  it('a prohibition of a narrower action does not stop another narrow action', () =>
    assert.equal(
      evaluate(offer([], { prohibition: [{ action: 'distribute' }] }), request({ action: 'read' }), context())
        .permitted,
      true,
    ));
  it('a prohibition of a narrower action stops a request for the wider one (they overlap)', () =>
    assert.equal(
      evaluate(offer([], { prohibition: [{ action: 'distribute' }] }), request({ action: 'use' }), context())
        .code,
      'prohibited',
    ));
  it('a prohibition of use stops every action it includes', () =>
    assert.equal(
      evaluate(offer([], { prohibition: [{ action: 'use' }] }), request({ action: 'read' }), context()).code,
      'prohibited',
    ));
  it('a constrained prohibition applies only when its constraints hold', () => {
    const policy = offer([], { prohibition: [{ action: 'use', constraint: [purposeEq(RESEARCH)] }] });
    assert.equal(evaluate(policy, request({ purpose: RESEARCH }), context()).code, 'prohibited');
    assert.equal(evaluate(policy, request({ purpose: MOBILITY_PURPOSE }), context()).permitted, true);
  });
  it('a prohibition in a place applies to a request in any region containing it (part of the region is that place)', () => {
    const policy = offer([{ leftOperand: 'spatial', operator: 'isPartOf', rightOperand: ['DE'] }], {
      prohibition: [{ action: 'use', constraint: [spatialEq('DE212')] }],
    });
    for (const asked of ['DE212', 'DE21', 'DE2', 'DE'])
      assert.equal(evaluate(policy, request({ spatial: asked }), context()).code, 'prohibited', asked);
    for (const asked of ['DE211', 'DE3', 'DE300'])
      assert.equal(evaluate(policy, request({ spatial: asked }), context()).permitted, true, asked);
  });
  it('a prohibition outside a place (neq) applies to a region that reaches beyond it, not to one inside it', () => {
    const policy = offer([], {
      prohibition: [
        { action: 'use', constraint: [{ leftOperand: 'spatial', operator: 'neq', rightOperand: 'DE21' }] },
      ],
    });
    for (const asked of ['DE2', 'DE', 'FR101'])
      assert.equal(evaluate(policy, request({ spatial: asked }), context()).code, 'prohibited', asked);
    for (const asked of ['DE21', 'DE212'])
      assert.equal(evaluate(policy, request({ spatial: asked }), context()).permitted, true, asked);
  });
  it('a prohibition in a place applies to any code whose relation to it cannot be known: other systems, other spellings', () => {
    const policy = offer([], { prohibition: [{ action: 'use', constraint: [spatialEq('DE212')] }] });
    for (const asked of [
      'DE212.',
      'DE-212',
      'DE_212',
      'NUTS:DE212',
      'DE-BY',
      'DEU',
      '276',
      'EU',
      'EU27_2020',
      'DE_09162000',
    ])
      assert.equal(evaluate(policy, request({ spatial: asked }), context()).code, 'prohibited', asked);
    for (const asked of ['DE211', 'FR101', 'EL30'])
      assert.equal(evaluate(policy, request({ spatial: asked }), context()).permitted, true, asked);
  });
  it('an exclusion of a place refuses a code whose relation to it cannot be known; the same code is still itself', () => {
    const excluding = offer([{ leftOperand: 'spatial', operator: 'isNoneOf', rightOperand: ['DE212'] }]);
    for (const asked of ['DE-BY', 'DEU', '09162000'])
      assert.equal(
        evaluate(excluding, request({ spatial: asked }), context()).code,
        'spatial_not_permitted',
        asked,
      );
    const lau = offer([spatialEq('DE_09162000')]);
    assert.equal(evaluate(lau, request({ spatial: 'de_09162000' }), context()).permitted, true);
    assert.equal(evaluate(lau, request({ spatial: 'DE_09162001' }), context()).code, 'spatial_not_permitted');
  });
  it('a prohibition naming a recipient applies to any recipient that is no active member: another spelling of it, a stranger', () => {
    const policy = offer([], {
      prohibition: [
        { action: 'use', constraint: [{ leftOperand: 'recipient', operator: 'eq', rightOperand: OTHER }] },
      ],
    });
    for (const recipient of [OTHER, `${OTHER}%3A443`, 'did:web:stranger.example'])
      assert.equal(evaluate(policy, request({ recipient }), context()).code, 'prohibited', recipient);
    assert.equal(evaluate(policy, request({ recipient: MOBILITY }), context()).permitted, true);
  });
  it('a constrained prohibition applies when the request leaves its operand unknown (fail closed)', () => {
    const policy = offer([], { prohibition: [{ action: 'use', constraint: [spatialEq('FR101')] }] });
    const decision = evaluate(policy, request(), context());
    assert.equal(decision.code, 'prohibited');
    assert.equal(decision.rules[1]?.constraints[0]?.result, 'unknown');
  });
  it('a prohibition for another assignee or target does not apply', () => {
    const policy = offer([], {
      prohibition: [
        { action: 'use', assignee: OTHER },
        { action: 'use', target: 'https://city.example/datasets/other' },
      ],
    });
    assert.equal(evaluate(policy, request(), context()).permitted, true);
    assert.equal(evaluate(policy, request({ assignee: OTHER }), context()).code, 'prohibited');
  });
});

describe('ODRL 2.2 §2.6.4 duties: returned, not performed', () => {
  const policy = parsePolicy(
    {
      ...offerJson([]),
      permission: [
        { action: 'use', duty: [{ action: 'attribute' }] },
        { action: 'read', duty: [{ action: 'compensate' }] },
      ],
      obligation: [
        {
          action: 'delete',
          constraint: [{ leftOperand: 'elapsedTime', operator: 'lteq', rightOperand: 'P90D' }],
        },
      ],
    },
    profile,
  );
  it('returns the duties of every permission that applies, then the obligations', () => {
    const decision = evaluate(policy, request({ action: 'read' }), context());
    assert.equal(decision.permitted, true);
    assert.deepEqual(
      decision.duties.map((d) => d.action),
      ['attribute', 'compensate', 'delete'],
    );
    assert.equal(decision.duties[2]?.assigner, CITY);
    assert.equal(decision.duties[2]?.target, PARKING);
  });
  it('returns only the duties of the permissions that apply', () =>
    assert.deepEqual(
      evaluate(policy, request({ action: 'display' }), context()).duties.map((d) => d.action),
      ['attribute', 'delete'],
    ));
  it('returns no duty when refused', () =>
    assert.deepEqual(evaluate(policy, request({ action: 'transfer' }), context()).duties, []));
});

describe('a policy with no applicable permission denies', () => {
  it('a policy of prohibitions only refuses everything', () => {
    const policy = parsePolicy(
      { ...offerJson([]), permission: undefined, prohibition: [{ action: 'distribute' }] },
      profile,
    );
    assert.equal(evaluate(policy, request({ action: 'read' }), context()).code, 'action_not_permitted');
  });
  it('never throws for a strange request: it is a refusal', () => {
    const decision = evaluate(offer([]), request({ action: '' }), context());
    assert.equal(decision.permitted, false);
    assert.equal(decision.code, 'action_not_permitted');
  });
});
