/**
 * The policy profile of the adopted rulebook: the DPV purposes of its consent vocabulary
 * (`consent.purposes`) and its role ids. The one place the policy code reads the rulebook.
 */
import type { Rulebook } from '../../rulebook/index.js';
import type { PolicyProfile } from './types.js';

/** The purposes and roles a policy may name under `rulebook`. A rulebook without a consent section offers no purpose. */
export function policyProfileFromRulebook(rulebook: Rulebook): PolicyProfile {
  const purposes = new Set((rulebook.consent?.terms.purposes ?? []).map((term) => term.id));
  const roles = new Set(rulebook.roles.map((role) => role.id));
  return Object.freeze({ purposes, roles });
}
