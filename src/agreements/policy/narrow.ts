import type { NarrowingResult, OdrlPolicy } from './types.js';

/** Whether `proposed` permits nothing that `offer` does not (conservative: unproven is refused). */
export function narrows(_offer: OdrlPolicy, _proposed: OdrlPolicy): NarrowingResult {
  throw new Error('not implemented yet');
}
