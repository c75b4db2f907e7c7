import { EntitySchema } from 'typeorm';

/**
 * One wallet-login transaction (OpenID4VP 1.0): the request object's `state` and `nonce`, the
 * OpenID Connect interaction it completes, and, once the wallet has presented, the verified
 * result. `status`: `pending` → `presented` (verified, waiting for the browser) → `finished`;
 * a signing request's answer the verifier refused: `pending` → `refused`, with the refusal's code.
 */
export interface Oid4vpTransactionRow {
  state: string;
  interactionUid: string;
  nonce: string;
  clientId: string;
  /** The DCQL query (JSON). */
  query: string;
  /** `same-device` or `cross-device`, set when the wallet fetches the request object. */
  flow: string | null;
  status: string;
  /** The verified login (JSON: accountId, claims, amr), set when the wallet has presented. */
  result: string | null;
  /** SHA-256 (hex) of the one-time response code of a same-device flow. */
  responseCodeHash: string | null;
  createdAt: string;
  expiresAt: string;
  /** OpenID4VP §5.1 `transaction_data`: JSON array of the base64url item strings, or null. */
  transactionData: string | null;
  /** `login` (completes an OpenID Connect interaction) or `signing` (the portal reads the answer). */
  kind: string;
  /** A refused signing request: the refusal's code (one of the service's own, never the wallet's text). */
  refusal: string | null;
}

export const Oid4vpTransactionEntity = new EntitySchema<Oid4vpTransactionRow>({
  name: 'Oid4vpTransaction',
  tableName: 'oid4vp_transaction',
  columns: {
    state: { type: 'varchar', length: 64, primary: true },
    interactionUid: { name: 'interaction_uid', type: 'varchar', length: 255 },
    nonce: { type: 'varchar', length: 64 },
    clientId: { name: 'client_id', type: 'varchar', length: 600 },
    query: { type: 'text' },
    flow: { type: 'varchar', length: 16, nullable: true },
    status: { type: 'varchar', length: 16 },
    result: { type: 'text', nullable: true },
    responseCodeHash: { name: 'response_code_hash', type: 'varchar', length: 64, nullable: true },
    createdAt: { name: 'created_at', type: 'varchar', length: 32 },
    expiresAt: { name: 'expires_at', type: 'varchar', length: 32 },
    transactionData: { name: 'transaction_data', type: 'text', nullable: true },
    kind: { type: 'varchar', length: 16, default: 'login' },
    refusal: { name: 'refusal_code', type: 'varchar', length: 64, nullable: true },
  },
  indices: [{ name: 'ix_oid4vp_transaction_interaction', columns: ['interactionUid'] }],
});

export const OID4VP_ENTITIES = [Oid4vpTransactionEntity];
