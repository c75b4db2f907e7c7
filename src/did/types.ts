/**
 * The shapes of DID Core §5 documents as this service reads them. Only the members the
 * verification pipeline relies on are typed; everything else a document carries is kept
 * as `unknown` and never interpreted.
 */

/** A public JSON Web Key (RFC 7517) as found in `publicKeyJwk`. */
export interface PublicJwk {
  readonly kty: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly key_ops?: readonly string[];
  readonly kid?: string;
  readonly [member: string]: unknown;
}

/** A DID Core §5.2 verification method. */
export interface VerificationMethod {
  /** A DID URL: absolute (`did:...#frag`) or relative to the document (`#frag`). */
  readonly id: string;
  readonly type: string;
  readonly controller: string;
  readonly publicKeyJwk?: PublicJwk;
  readonly publicKeyMultibase?: string;
  readonly [member: string]: unknown;
}

/**
 * An entry of a verification relationship (DID Core §5.3): a reference to a method in
 * `verificationMethod` (absolute `did#frag` or relative `#frag`), or an embedded method.
 */
export type VerificationMethodEntry = string | VerificationMethod;

/** The verification relationships the verification pipeline selects keys from. */
export type VerificationRelationship = 'assertionMethod' | 'authentication';

/** Every verification relationship of DID Core §5.3 (the ones whose entries a document may embed). */
export const DID_CORE_RELATIONSHIPS = [
  'assertionMethod',
  'authentication',
  'keyAgreement',
  'capabilityInvocation',
  'capabilityDelegation',
] as const;

/** A DID document (DID Core §5). */
export interface DidDocument {
  readonly '@context'?: unknown;
  readonly id: string;
  readonly controller?: string | readonly string[];
  readonly verificationMethod?: readonly VerificationMethod[];
  readonly assertionMethod?: readonly VerificationMethodEntry[];
  readonly authentication?: readonly VerificationMethodEntry[];
  readonly keyAgreement?: readonly VerificationMethodEntry[];
  readonly capabilityInvocation?: readonly VerificationMethodEntry[];
  readonly capabilityDelegation?: readonly VerificationMethodEntry[];
  readonly [member: string]: unknown;
}
