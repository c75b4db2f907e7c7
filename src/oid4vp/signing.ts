/**
 * Signing requests (OpenID4VP 1.0 with `transaction_data`): the portal asks a wallet to present
 * credentials and sign data into the presentation (a board member's vote, an application), then
 * reads the verified answer. The same request object, `direct_post` endpoint and checks as the
 * login serve it; only the outcome differs: no OpenID Connect interaction is completed, the
 * verified presentations are kept for the portal to read once.
 *
 * An answer the verifier refuses ends the request (`refused`, keeping only the refusal's code,
 * refusal.ts): the waiting page says why, and a fresh request asks again.
 *
 * Codes, besides those of the login and of `transaction-data.ts`:
 * - `holder_ambiguous` (`access_denied`): the presentations are signed by more than one DID;
 * - `transaction_data_invalid` (`invalid_request`): a requested item is malformed.
 */
import type { DataSource } from 'typeorm';
import { inTransaction } from '../db/index.js';
import { OAuthError } from '../http/index.js';
import type { DcqlQuery } from './dcql.js';
import type { Oid4vpTransactionRow } from './entities.js';
import type { VerifiedAnswer } from './presentation.js';
import { PresentationRefused } from './refusal.js';
import { verifierClientId } from './request-object.js';
import { REQUEST_PATH } from './routes.js';
import { encodeTransactionData, type TransactionDataItem } from './transaction-data.js';
import { type SigningOutcome, type TransactionStore, transactionDataOf } from './transactions.js';

export interface SigningDeps {
  readonly publicUrl: string;
  readonly identity: { readonly did: string };
  readonly dataSource: DataSource;
  readonly transactions: TransactionStore;
}

export interface SigningRequest {
  /** The `state` the portal polls with. */
  readonly state: string;
  /** `openid4vp://` link for a wallet on this device. */
  readonly sameDeviceUrl: string;
  /** `openid4vp://` link for the QR code (a wallet on another device). */
  readonly crossDeviceUrl: string;
}

export interface Signing {
  /** Opens a request for `query` whose presentations must sign `transactionData`. */
  request(input: {
    query: DcqlQuery;
    transactionData: readonly TransactionDataItem[];
  }): Promise<SigningRequest>;
  /**
   * The verified answer of `state` once presented, taken once (`finished` afterwards): undefined
   * while waiting; throws `invalid_request` when unknown, expired or taken already, and
   * PresentationRefused with the refusal's code when the verifier refused the wallet's answer.
   */
  take(state: string): Promise<SigningOutcome | undefined>;
  /** Whether the wallet has answered `state`, and how the verifier took it (for the browser's poll). */
  status(state: string): Promise<SigningStatus>;
  /**
   * A refused request: the refusal's code and the `transaction_data` items it asked to sign
   * (the caller's own, to ask again with a fresh request); undefined unless refused.
   */
  refusal(state: string): Promise<SigningRefusal | undefined>;
}

export type SigningStatus =
  | { readonly status: 'pending' | 'presented' | 'unknown' }
  | { readonly status: 'refused'; readonly code: string };

export interface SigningRefusal {
  readonly code: string;
  readonly transactionData: readonly string[];
}

function walletUrl(clientId: string, requestUri: string): string {
  return `openid4vp://?${new URLSearchParams({ client_id: clientId, request_uri: requestUri }).toString()}`;
}

export function openSigning(deps: SigningDeps): Signing {
  const clientId = verifierClientId(deps.identity.did);
  return {
    async request({ query, transactionData }) {
      const encoded = encodeTransactionData(transactionData, query);
      // A signing request completes no interaction: its own state stands in for the uid.
      const row = await deps.transactions.create({
        interactionUid: 'signing',
        clientId,
        query,
        transactionData: encoded,
        kind: 'signing',
      });
      const requestUri = (flow: string) => `${deps.publicUrl}${REQUEST_PATH}/${row.state}?flow=${flow}`;
      return {
        state: row.state,
        sameDeviceUrl: walletUrl(clientId, requestUri('same-device')),
        crossDeviceUrl: walletUrl(clientId, requestUri('cross-device')),
      };
    },
    async status(state) {
      const row = await deps.transactions.find(state);
      if (row?.kind !== 'signing') return { status: 'unknown' };
      if (row.status === 'refused') return { status: 'refused', code: row.refusal ?? 'refused' };
      return { status: row.status === 'pending' || row.status === 'presented' ? row.status : 'unknown' };
    },
    async refusal(state) {
      const row = await deps.transactions.find(state);
      if (row?.kind !== 'signing' || row.status !== 'refused') return undefined;
      return { code: row.refusal ?? 'refused', transactionData: transactionDataOf(row) };
    },
    async take(state) {
      const row = await deps.transactions.find(state);
      if (row?.kind !== 'signing' || row.status === 'finished')
        throw new OAuthError(400, 'invalid_request', 'the signing request is unknown, expired or used');
      if (row.status === 'refused')
        throw new PresentationRefused(row.refusal ?? 'refused', 'the verifier refused the wallet’s answer');
      if (row.status !== 'presented' || row.result === null) return undefined;
      if (!(await deps.transactions.finish(state)))
        throw new OAuthError(400, 'invalid_request', 'the signing request was used already');
      return JSON.parse(row.result) as SigningOutcome;
    },
  };
}

/** Keeps the verified answer of a signing request; the `direct_post` response body. */
export async function recordSigning(
  deps: SigningDeps,
  transaction: Oid4vpTransactionRow,
  presentations: ReadonlyMap<string, readonly string[]>,
  answer: VerifiedAnswer,
): Promise<Record<string, never>> {
  const holders = new Set(answer.holders);
  const [holder] = holders;
  if (holders.size !== 1 || holder === undefined)
    throw new PresentationRefused('holder_ambiguous', 'the presentations are signed by more than one DID');
  const outcome: SigningOutcome = {
    holder,
    nonce: transaction.nonce,
    vpToken: Object.fromEntries(presentations),
    transactionData: transaction.transactionData ? (JSON.parse(transaction.transactionData) as string[]) : [],
    matches: Object.fromEntries(
      [...answer.matches].map(([id, c]) => [id, { issuer: c.issuer, subject: c.subject, types: c.types }]),
    ),
  };
  const won = await inTransaction(
    deps.dataSource,
    undefined,
    async (manager) => (await deps.transactions.markPresented(manager, transaction.state, outcome)).won,
  );
  if (!won) throw new OAuthError(400, 'invalid_request', 'replayed: this request was answered already');
  return {};
}
