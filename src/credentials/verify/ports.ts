/**
 * What the verification pipeline needs from the rest of the service, as narrow interfaces:
 * keys from DID documents, the trusted-issuer registry, the data space's schemas, status
 * lists and a one-time nonce store. The pipeline itself fetches nothing.
 */
import type { KeyObject } from 'node:crypto';
import type { FetchBudget } from '../../did/index.js';
import type { StatusEntry } from './model.js';

export type { FetchBudget };

export type VerificationAlgorithm = 'EdDSA' | 'ES256';
export type KeyRelationship = 'assertionMethod' | 'authentication';

export interface VerificationKey {
  readonly id: string;
  readonly publicKey: KeyObject;
  readonly algorithms: readonly VerificationAlgorithm[];
}

/**
 * A key could not be found: `unresolvable_did`, `unknown_key` or `unsupported_key`, or
 * `fetch_budget_exhausted` when its DID document would have needed one fetch too many.
 */
export class KeyLookupError extends Error {
  constructor(
    readonly code: 'unresolvable_did' | 'unknown_key' | 'unsupported_key' | 'fetch_budget_exhausted',
    message: string,
  ) {
    super(message);
    this.name = 'KeyLookupError';
  }
}

export interface KeyLookup {
  /**
   * The key of `did` named by `kid` (or the only one) under `relationship`; throws
   * KeyLookupError. A document fetched over the network takes one fetch from `budget`.
   */
  verificationKey(
    did: string,
    kid: string | undefined,
    relationship: KeyRelationship,
    budget?: FetchBudget,
  ): Promise<VerificationKey>;
}

export type TrustDecision =
  | { readonly trusted: true }
  | { readonly trusted: false; readonly code: string; readonly detail?: string };

export interface IssuerTrust {
  check(args: {
    readonly issuer: string;
    /** Set by the SD-JWT VC pipeline only: its `iss` may be an https URL (trust anchors naming one). */
    readonly httpsIssuerAllowed?: boolean;
    readonly types: readonly string[];
    readonly credential: Readonly<Record<string, unknown>>;
    readonly at: Date;
  }): Promise<TrustDecision>;
}

export interface SchemaValidation {
  /** The data-space types among `types` that have a schema. */
  typesWithSchema(types: readonly string[]): readonly string[];
  validate(
    type: string,
    credential: Readonly<Record<string, unknown>>,
  ): { valid: boolean; errors: readonly string[] };
}

/** A status entry's bit could not be read: `status_unavailable`, `status_invalid`, … */
export class StatusLookupError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StatusLookupError';
  }
}

export interface StatusLookup {
  /**
   * Reads the bit for one `credentialStatus` entry of a credential from `issuer`. The status
   * list credential must verify and come from the same issuer. A list (or its signer's DID
   * document) fetched over the network takes one fetch from `budget`. Throws StatusLookupError.
   */
  isSet(
    entry: StatusEntry,
    issuer: string,
    budget?: FetchBudget,
  ): Promise<{ readonly purpose: string; readonly set: boolean }>;
}

export interface NonceStore {
  /** True the first time a nonce is consumed in its scope, false on every later attempt. */
  consume(scope: string, nonce: string, expiresAt: Date): Promise<boolean>;
}
