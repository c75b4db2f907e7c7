/**
 * Transaction data (OpenID4VP 1.0 §5.1 `transaction_data`, §8.4): data the verifier asks the
 * holder to sign into its presentation, e.g. a board member's vote. Each item travels as a
 * base64url-encoded JSON object with a `type` and the `credential_ids` (DCQL credential query
 * ids) whose presentations must cover it; the optional `transaction_data_hashes_alg` lists the
 * hash algorithms the verifier accepts (default `sha-256`).
 *
 * Representation in the presentation (§8.4 leaves it to the format): for SD-JWT VC, Appendix
 * B.3.3 puts `transaction_data_hashes` (the base64url hashes of each item string exactly as it
 * appeared in the request) and `transaction_data_hashes_alg` into the Key Binding JWT. This
 * service's presentations are JWT VPs signed by the holder, so the same two claims sit at the
 * top level of the VP JWT, which the holder signs with its nonce and audience.
 *
 * Codes (the start of `error_description`, with `error` `invalid_request` when the verifier
 * builds a request, `access_denied` when a presentation does not cover the data):
 * - `transaction_data_invalid`: an item without `type`, without `credential_ids`, or naming a
 *   credential query the request does not hold;
 * - `transaction_data_unanswered`: no presentation answers a credential query an item names;
 * - `transaction_data_hashes_missing`: a presentation that must cover items has no
 *   `transaction_data_hashes` array;
 * - `transaction_data_hash_alg_unsupported`: `transaction_data_hashes_alg` is not `sha-256` or
 *   is not one the item allows;
 * - `transaction_data_not_covered`: a requested item's hash is not in the presentation.
 */
import { createHash } from 'node:crypto';
import { parseCompactJws } from '../credentials/verify/compact-jws.js';
import { OAuthError } from '../http/index.js';
import type { DcqlQuery } from './dcql.js';
import { PresentationRefused } from './refusal.js';

export const DEFAULT_HASH_ALG = 'sha-256';
const MAX_ITEMS = 10;
const MAX_ITEM_CHARS = 8_192;

/** One transaction data object before encoding. */
export interface TransactionDataItem {
  readonly type: string;
  readonly credential_ids: readonly string[];
  readonly transaction_data_hashes_alg?: readonly string[];
  readonly [parameter: string]: unknown;
}

function invalid(message: string): never {
  throw new OAuthError(400, 'invalid_request', `transaction_data_invalid: ${message}`);
}

function denied(code: string, message: string): never {
  throw new PresentationRefused(code, message);
}

/** The base64url SHA-256 of an item string exactly as it was sent. */
export function transactionDataHash(encoded: string): string {
  return createHash('sha256').update(encoded, 'utf8').digest('base64url');
}

/** Decodes one item string; throws `transaction_data_invalid`. */
export function decodeTransactionData(encoded: string, query: DcqlQuery): TransactionDataItem {
  if (encoded.length === 0 || encoded.length > MAX_ITEM_CHARS || !/^[A-Za-z0-9_-]+$/.test(encoded))
    invalid('an item is not base64url text of at most 8192 characters');
  let item: unknown;
  try {
    item = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    invalid('an item is not base64url-encoded JSON');
  }
  if (item === null || typeof item !== 'object' || Array.isArray(item))
    invalid('an item is not a JSON object');
  const { type, credential_ids: ids, transaction_data_hashes_alg: algs } = item as Record<string, unknown>;
  if (typeof type !== 'string' || type.length === 0) invalid('an item has no type');
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string'))
    invalid('an item has no credential_ids');
  const known = new Set(query.credentials.map((c) => c.id));
  for (const id of ids as string[])
    if (!known.has(id))
      invalid(`credential_ids names ${JSON.stringify(id)}, which the DCQL query does not hold`);
  if (
    algs !== undefined &&
    (!Array.isArray(algs) || algs.length === 0 || !algs.every((a) => typeof a === 'string'))
  )
    invalid('transaction_data_hashes_alg must be a non-empty array of strings');
  return item as TransactionDataItem;
}

function payloadOf(token: string): Record<string, unknown> {
  try {
    return parseCompactJws(token).payload;
  } catch {
    return denied(
      'transaction_data_hashes_missing',
      'the presentation is not a JWT carrying transaction_data_hashes',
    );
  }
}

/** Encodes the items of a request, checking each against its DCQL query. */
export function encodeTransactionData(items: readonly TransactionDataItem[], query: DcqlQuery): string[] {
  if (items.length > MAX_ITEMS) invalid(`at most ${MAX_ITEMS} items`);
  return items.map((item) => {
    const encoded = Buffer.from(JSON.stringify(item), 'utf8').toString('base64url');
    decodeTransactionData(encoded, query);
    return encoded;
  });
}

/**
 * Every requested item is covered by every presentation answering a credential query it
 * names. Only the presentations' verification (before the answer is accepted) makes the hashes
 * the holder's; checking them first refuses an uncovered answer without spending its nonce.
 */
export function checkTransactionData(
  encodedItems: readonly string[],
  presentations: ReadonlyMap<string, readonly string[]>,
  query: DcqlQuery,
): void {
  for (const encoded of encodedItems) {
    const item = decodeTransactionData(encoded, query);
    const allowed = item.transaction_data_hashes_alg ?? [DEFAULT_HASH_ALG];
    const hash = transactionDataHash(encoded);
    for (const id of item.credential_ids) {
      const answering = presentations.get(id);
      if (!answering || answering.length === 0)
        denied('transaction_data_unanswered', `no presentation answers ${JSON.stringify(id)}`);
      for (const token of answering) {
        const payload = payloadOf(token);
        const hashes = payload.transaction_data_hashes;
        if (!Array.isArray(hashes) || !hashes.every((h) => typeof h === 'string'))
          denied('transaction_data_hashes_missing', 'the presentation carries no transaction_data_hashes');
        const alg = payload.transaction_data_hashes_alg ?? DEFAULT_HASH_ALG;
        if (alg !== DEFAULT_HASH_ALG || !allowed.includes(alg))
          denied(
            'transaction_data_hash_alg_unsupported',
            `transaction_data_hashes_alg ${JSON.stringify(alg)}`,
          );
        if (!hashes.includes(hash))
          denied('transaction_data_not_covered', `the presentation does not sign the ${item.type} item`);
      }
    }
  }
}
