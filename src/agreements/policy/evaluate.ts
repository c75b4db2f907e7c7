import type { EvaluationContext, ExchangeRequest, OdrlPolicy, PolicyDecision } from './types.js';

/** Whether `policy` permits `request` at `context` (ODRL 2.2 §2.6–2.8); never throws for a refusal. */
export function evaluate(
  _policy: OdrlPolicy,
  _request: ExchangeRequest,
  _context: EvaluationContext,
): PolicyDecision {
  throw new Error('not implemented yet');
}
