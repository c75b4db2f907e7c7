/**
 * Fixtures of the policy tests: the profile of the shipped rulebook, the parties of a city's
 * parking-data offer, a frozen clock, and builders for one-constraint policies.
 */
import assert from 'node:assert/strict';
import {
  type EvaluationContext,
  type ExchangeRequest,
  type OdrlPolicy,
  PolicyError,
  type PolicyErrorCode,
  parsePolicy,
  policyProfileFromRulebook,
} from '../../../src/agreements/policy/index.js';
import { loadRulebook } from '../../../src/rulebook/index.js';

export const SHIPPED_RULEBOOK_DIR = new URL('../../../rulebook', import.meta.url).pathname;

/** The purposes and roles of the shipped rulebook. */
export const profile = policyProfileFromRulebook(loadRulebook(SHIPPED_RULEBOOK_DIR));

export const CITY = 'did:web:city.example';
export const MOBILITY = 'did:web:mobility.example';
export const OTHER = 'did:web:other.example';
export const PARKING = 'https://city.example/datasets/parking-occupancy';

/** Frozen clock: 2026-06-01 12:00 UTC. */
export const NOW = new Date('2026-06-01T12:00:00.000Z');

/**
 * Roles of the active members in the tests: MOBILITY is a data consumer, OTHER a service
 * provider, CITY a public authority; any other DID is no active member.
 */
export function roleOf(did: string): readonly string[] | undefined {
  if (did === MOBILITY) return ['data-consumer'];
  if (did === OTHER) return ['service-provider'];
  if (did === CITY) return ['public-authority'];
  return undefined;
}

export function context(change: Partial<EvaluationContext> = {}): EvaluationContext {
  return { now: NOW, usesSoFar: 0, roleOf, ...change };
}

export function request(change: Partial<ExchangeRequest> = {}): ExchangeRequest {
  return { action: 'use', target: PARKING, assignee: MOBILITY, ...change };
}

/** An Offer from CITY on PARKING: one `use` permission with `constraints`. */
export function offerJson(
  constraints: readonly unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    '@context': 'http://www.w3.org/ns/odrl.jsonld',
    '@type': 'Offer',
    uid: 'urn:uuid:5d1c2f5e-8a0e-4d4e-9d51-0a6f2a1b7c01',
    assigner: CITY,
    target: PARKING,
    permission: [{ action: 'use', constraint: constraints }],
    ...extra,
  };
}

export function offer(constraints: readonly unknown[], extra: Record<string, unknown> = {}): OdrlPolicy {
  return parsePolicy(offerJson(constraints, extra), profile);
}

/** The PolicyError that `run` throws; fails the test when it throws none. */
export function policyErrorFor(run: () => unknown): PolicyError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof PolicyError, `not a PolicyError: ${String(error)}`);
    return error;
  }
  assert.fail('the policy was accepted');
}

/** The PolicyError that parsing `input` with the shipped profile throws. */
export function refusal(input: unknown): PolicyError {
  return policyErrorFor(() => parsePolicy(input, profile));
}

/** Asserts that parsing `input` is refused with `code`, at `path`, naming `term` (when given). */
export function refused(input: unknown, code: PolicyErrorCode, path: string, term?: string): void {
  const error = refusal(input);
  assert.equal(error.code, code, error.message);
  assert.equal(error.path, path, error.message);
  if (term !== undefined) assert.equal(error.term, term, error.message);
}
