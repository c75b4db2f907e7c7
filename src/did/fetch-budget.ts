/**
 * A per-request allowance of outbound fetches (did:web documents, status lists). One budget
 * is made for each verification request and handed down the pipeline, so that no single
 * request, however many DIDs or status lists it names, makes the service fetch more than a
 * fixed number of documents. Cache hits and documents this service holds cost nothing.
 */
export interface FetchBudget {
  /** Takes one fetch from the allowance: true when one was left, false when it is spent. */
  spend(): boolean;
  /** Fetches left. */
  readonly remaining: number;
}

/** The default allowance of one verification request. */
export const DEFAULT_FETCH_BUDGET = 8;

export function fetchBudget(limit: number = DEFAULT_FETCH_BUDGET): FetchBudget {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError('a fetch budget is an integer >= 0');
  let left = limit;
  return {
    spend() {
      if (left <= 0) return false;
      left -= 1;
      return true;
    },
    get remaining() {
      return left;
    },
  };
}
