/**
 * The profile comes from the adopted rulebook: its DPV purposes (consent vocabulary) and its
 * role ids. A term the rulebook does not ship is refused by name.
 */
import assert from 'node:assert/strict';
import { parsePolicy, policyProfileFromRulebook } from '../../../src/agreements/policy/index.js';
import { loadRulebook } from '../../../src/rulebook/index.js';
import { rulebookVersion } from '../../rulebook/helpers.js';
import { offerJson, policyErrorFor, SHIPPED_RULEBOOK_DIR } from './support.js';

describe('policyProfileFromRulebook', () => {
  const shipped = loadRulebook(SHIPPED_RULEBOOK_DIR);
  const profile = policyProfileFromRulebook(shipped);

  it("holds the rulebook's DPV purposes and role ids", () => {
    assert.deepEqual(
      [...profile.purposes],
      shipped.consent?.terms.purposes.map((term) => term.id),
    );
    assert.deepEqual(
      [...profile.roles],
      shipped.roles.map((role) => role.id),
    );
    assert.ok(profile.purposes.has('dpv:ImproveTransportMobility'));
    assert.ok(profile.roles.has('data-consumer'));
  });

  it('a rulebook without a consent section offers no purpose: a purpose constraint is refused by name', () => {
    const bare = policyProfileFromRulebook(rulebookVersion('9.0.0', (document) => delete document.consent));
    assert.equal(bare.purposes.size, 0);
    const input = offerJson([
      { leftOperand: 'purpose', operator: 'eq', rightOperand: 'dpv:ImproveTransportMobility' },
    ]);
    assert.doesNotThrow(() => parsePolicy(input, profile));
    const error = policyErrorFor(() => parsePolicy(input, bare));
    assert.equal(error.code, 'unsupported_policy_term');
    assert.equal(error.term, 'dpv:ImproveTransportMobility');
  });
});
