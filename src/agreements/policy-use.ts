/**
 * The register's one use of the ODRL module (src/agreements/policy): parsing offers and
 * agreements for this register's parties, their canonical form and hash, and the refusals of
 * the module as problem+json (`unsupported_policy_term` naming the term, `invalid_policy` naming
 * the JSON Pointer). Nothing of a policy is ignored: the module refuses what it does not know.
 */
import type { Rulebook } from '../rulebook/index.js';
import { MAX_POLICY_CHARS, sha256Hex } from './deps.js';
import { AgreementError } from './errors.js';
import {
  canonicalPolicy,
  narrows,
  type OdrlPolicy,
  PolicyError,
  type PolicyProfile,
  parsePolicy,
  policyProfileFromRulebook,
  policyToJsonLd,
} from './policy/index.js';

export type { OdrlPolicy } from './policy/index.js';

/** The profile of the rulebook in force: its DPV purposes and role ids (built once per rulebook). */
export function profileOf(rulebook: Rulebook): PolicyProfile {
  let profile = profiles.get(rulebook);
  if (!profile) {
    profile = policyProfileFromRulebook(rulebook);
    profiles.set(rulebook, profile);
  }
  return profile;
}

// The connector check asks for it on every request that names a purpose.
const profiles = new WeakMap<Rulebook, PolicyProfile>();

/** A policy parsed and checked, with its canonical JSON and that JSON's SHA-256. */
export interface CheckedPolicy {
  readonly policy: OdrlPolicy;
  /** RFC 8785 JSON of the policy's compact ODRL JSON-LD: what is published, hashed and signed. */
  readonly canonical: string;
  readonly hash: string;
  /** The normalised model as JSON, stored beside it: evaluated without parsing again. */
  readonly model: string;
}

function parse(input: unknown, profile: PolicyProfile): OdrlPolicy {
  try {
    return parsePolicy(input, profile);
  } catch (error) {
    if (error instanceof PolicyError) {
      throw new AgreementError(error.code, error.message, {
        path: error.path,
        ...(error.term === undefined ? {} : { term: error.term }),
      });
    }
    throw error;
  }
}

function checked(policy: OdrlPolicy): CheckedPolicy {
  const canonical = canonicalPolicy(policy);
  if (canonical.length > MAX_POLICY_CHARS) {
    throw new AgreementError(
      'policy_too_large',
      `the policy's canonical form has ${canonical.length} characters; at most ${MAX_POLICY_CHARS}`,
    );
  }
  return { policy, canonical, hash: sha256Hex(canonical), model: JSON.stringify(policy) };
}

/** The longest target IRI kept (the register's column); the profile allows longer strings. */
export const MAX_TARGET_LENGTH = 500;

function oneTarget(targets: ReadonlySet<string>, what: string): string {
  const target = [...targets][0];
  if (targets.size !== 1 || target === undefined) {
    throw new AgreementError('invalid_policy', `${what} names exactly one target (dataset or service IRI)`, {
      path: '/target',
    });
  }
  if (target.length > MAX_TARGET_LENGTH) {
    throw new AgreementError(
      'invalid_policy',
      `the target IRI is longer than ${MAX_TARGET_LENGTH} characters`,
      {
        path: '/target',
      },
    );
  }
  return target;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every rule of a policy (permissions, then prohibitions) with its place, for the party checks. */
function rules(policy: OdrlPolicy) {
  return [
    ...policy.permissions.map((rule, index) => ({ rule, path: `/permission/${index}` })),
    ...policy.prohibitions.map((rule, index) => ({ rule, path: `/prohibition/${index}` })),
  ];
}

/**
 * An ODRL Offer of `provider`: `@type` Offer, every rule's target the one target, the assigner
 * the provider (set at the policy level when the input names none; `uid` likewise). Answers
 * the target too.
 */
export function parseOffer(
  input: unknown,
  profile: PolicyProfile,
  provider: string,
  uid: string,
): CheckedPolicy & { readonly target: string } {
  if (!isObject(input)) throw new AgreementError('invalid_policy', 'the policy must be a JSON object');
  const policy = parse({ uid, assigner: provider, ...input }, profile);
  if (policy.type !== 'Offer') {
    throw new AgreementError('invalid_policy', `an offer is an ODRL Offer, not ${policy.type}`, {
      path: '/@type',
    });
  }
  if (policy.permissions.length === 0) {
    throw new AgreementError('invalid_policy', 'an offer grants at least one permission', {
      path: '/permission',
    });
  }
  const target = oneTarget(new Set(rules(policy).map(({ rule }) => rule.target)), 'an offer');
  for (const { rule, path } of rules(policy)) {
    if (rule.assigner !== provider) {
      throw new AgreementError('invalid_policy', `the assigner of an offer is its provider ${provider}`, {
        path: `${path}/assigner`,
      });
    }
  }
  return { ...checked(policy), target };
}

/**
 * An ODRL Agreement between `provider` (assigner) and `consumer` (assignee) over `target`, with
 * the uid given (`uid` of the input wins for a registered agreement). The parties are set at the
 * policy level when the input names none; a rule naming anyone else is refused.
 */
export function parseAgreement(
  input: unknown,
  profile: PolicyProfile,
  parties: {
    readonly provider: string;
    readonly consumer: string;
    readonly target?: string;
    readonly uid: string;
  },
): CheckedPolicy & { readonly target: string } {
  if (!isObject(input)) throw new AgreementError('invalid_policy', 'the agreement must be a JSON object');
  const policy = parse(
    { uid: parties.uid, assigner: parties.provider, assignee: parties.consumer, ...input },
    profile,
  );
  if (policy.type !== 'Agreement') {
    throw new AgreementError('invalid_policy', `an agreement is an ODRL Agreement, not ${policy.type}`, {
      path: '/@type',
    });
  }
  if (policy.permissions.length === 0) {
    throw new AgreementError('invalid_policy', 'an agreement grants at least one permission', {
      path: '/permission',
    });
  }
  const target = oneTarget(new Set(rules(policy).map(({ rule }) => rule.target)), 'an agreement');
  if (parties.target !== undefined && target !== parties.target) {
    throw new AgreementError(
      'invalid_policy',
      `the agreement's target must be the offer's, ${parties.target}`,
      {
        path: '/target',
      },
    );
  }
  for (const { rule, path } of rules(policy)) {
    if (rule.assigner !== parties.provider) {
      throw new AgreementError('invalid_policy', `the assigner must be the provider ${parties.provider}`, {
        path: `${path}/assigner`,
      });
    }
    if (rule.assignee !== parties.consumer) {
      throw new AgreementError('invalid_policy', `the assignee must be the consumer ${parties.consumer}`, {
        path: `${path}/assignee`,
      });
    }
  }
  return { ...checked(policy), target };
}

/** The offer's own terms as an Agreement for `consumer` (an acceptance without narrowing). */
export function agreementFromOffer(
  offer: OdrlPolicy,
  uid: string,
  consumer: string,
): Record<string, unknown> {
  const document = policyToJsonLd(offer) as Record<string, unknown>;
  return { ...document, '@type': 'Agreement', uid, assignee: consumer };
}

/** `not_within_offer` naming the first term that widens the offer, with every problem. */
export function requireWithinOffer(offer: OdrlPolicy, proposed: OdrlPolicy): void {
  const result = narrows(offer, proposed);
  if (result.within) return;
  const first = result.problems[0];
  throw new AgreementError(
    'not_within_offer',
    first ? `${first.rule}: ${first.reason}` : 'the agreement is not within the offer',
    { ...(first ? { term: first.term } : {}), problems: result.problems },
  );
}

/**
 * The stored normalised model, read back. Not parsed again: it was accepted under the profile in
 * force when it was published or proposed, and a later amendment does not change signed terms.
 *
 * The agreement check reads it on every request, and keeps no cache of parsed models on purpose:
 * a cache by model text (tried) saved a JSON.parse of a few kilobytes on a hit, but with many
 * distinct agreements its entries lived just long enough to be promoted to V8's old generation,
 * and the old-generation collections this caused paused every request in flight. In
 * `bench:agreements` (100,000 agreements) pauses of 3 ms or more went from 185 to 55 in a run
 * and the check's p99 from 8.8–11.0 ms to 7.3–8.1 ms once the cache was gone. A parse per check
 * is young-generation garbage only.
 */
export function storedPolicy(model: string): OdrlPolicy {
  return JSON.parse(model) as OdrlPolicy;
}
