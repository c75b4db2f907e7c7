/**
 * The JWT payloads the wallet signs, in exactly the shapes the trust service accepts
 * (docs: the membership and governance API). Pure: the clock and the random ids come in as
 * arguments, so a test can name every byte. Each builder refuses input that the service would
 * refuse anyway (`invalid_argument`), so a mistake is reported before anything is signed.
 */
import { createHash } from 'node:crypto';
import { VCDM1_CONTEXT, VCDM2_CONTEXT } from '../credentials/verify/model.js';
import type { CredentialFormat } from '../credentials/verify/result.js';
import { BOARD_MOTION_KINDS } from '../rulebook/types.js';
import type { StoredCredential } from './credential-record.js';
import { WalletError } from './errors.js';

export const PRESENTATION_LIFETIME_SECONDS = 300;
export const APPLICATION_CREDENTIAL_TYPE = 'MembershipApplicationCredential';

export const VOTE_DECISIONS = ['approve', 'reject'] as const;
export type VoteDecision = (typeof VOTE_DECISIONS)[number];

/** The motions a board member opens (every kind but `admit`, which an application opens). */
export const MOTION_KINDS = BOARD_MOTION_KINDS;
export type MotionKind = (typeof MOTION_KINDS)[number];

export interface PresentationInput {
  /** The verifier: for the trust service, its DID (the challenge's `audience`). */
  readonly audience: string;
  /** The verifier's challenge. */
  readonly nonce: string;
  /** Compact JWT credentials (or stored ones); may be empty when only control of the DID is proven. */
  readonly credentials: readonly (string | StoredCredential)[];
  /**
   * OpenID4VP 1.0 `transaction_data` item strings exactly as the request carried them: their
   * base64url SHA-256 hashes are signed into the presentation (`transaction_data_hashes`).
   */
  readonly transactionData?: readonly string[];
}

export interface ApplicationDetails {
  readonly legalName: string;
  readonly registrationNumber: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  /** `data-provider`, `data-consumer`, `service-provider`, `public-authority`. */
  readonly roles: readonly string[];
  readonly contact: { readonly email: string; readonly name?: string; readonly phone?: string };
  readonly sides?: readonly ('supply' | 'demand')[];
}

export interface IssueCredentialInput {
  /** The specific credential type, e.g. `LegalPersonCredential`. */
  readonly type: string;
  /** The subject claims; `id` is the subject's DID. */
  readonly subject: Readonly<Record<string, unknown>> & { readonly id: string };
  /** `vc+jwt` (VCDM 2.0, the default) or `jwt_vc_json` (VCDM 1.1). */
  readonly format?: CredentialFormat;
  /** Default: now. */
  readonly validFrom?: Date;
  readonly validUntil?: Date;
}

export interface VoteInput {
  /** The trust service's DID (the audience). */
  readonly service: string;
  readonly motion: string;
  readonly decision: VoteDecision;
  readonly reason?: string;
}

export interface MotionInput {
  readonly service: string;
  readonly kind: MotionKind;
  /** A member's DID, or the rulebook version for `amend-rulebook`. */
  readonly subject: string;
  readonly reason: string;
  /** The new board member's name (`add-board-member` only). */
  readonly name?: string;
}

export interface WithdrawalInput {
  readonly service: string;
  readonly reason?: string;
}

/** Who signs and when: the signer's DID, the instant, and a fresh `urn:uuid:` id. */
export interface SigningContext {
  readonly did: string;
  readonly now: Date;
  readonly jti: string;
}

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);
const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function invalid(message: string): never {
  throw new WalletError('invalid_argument', message);
}

function text(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0) invalid(`${name} must be a non-empty string`);
  return value;
}

function did(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^did:[a-z0-9]+:\S+$/.test(value)) invalid(`${name} must be a DID`);
  return value;
}

function optionalReason(value: unknown): { reason?: string } {
  return value === undefined ? {} : { reason: text('reason', value) };
}

function date(name: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) invalid(`${name} must be a valid Date`);
  return value;
}

/** `transaction_data_hashes` as OpenID4VP 1.0 Appendix B.3.3 defines them, for a JWT VP. */
function transactionDataClaims(items: readonly string[]): Record<string, unknown> {
  if (items.length === 0) return {};
  return {
    transaction_data_hashes: items.map((item) =>
      createHash('sha256').update(text('a transaction_data item', item), 'utf8').digest('base64url'),
    ),
    transaction_data_hashes_alg: 'sha-256',
  };
}

export function presentationPayload(
  context: SigningContext,
  input: PresentationInput,
): Record<string, unknown> {
  const iat = seconds(context.now);
  return {
    iss: context.did,
    aud: text('audience', input.audience),
    nonce: text('nonce', input.nonce),
    iat,
    exp: iat + PRESENTATION_LIFETIME_SECONDS,
    jti: context.jti,
    ...transactionDataClaims(input.transactionData ?? []),
    vp: {
      '@context': [VCDM1_CONTEXT],
      type: ['VerifiablePresentation'],
      holder: context.did,
      verifiableCredential: input.credentials.map((credential) =>
        typeof credential === 'string' ? text('a credential', credential).trim() : credential.jwt,
      ),
    },
  };
}

/** The self-issued MembershipApplicationCredential (`jwt_vc_json`) about the signer. */
export function applicationCredentialPayload(
  context: SigningContext,
  details: ApplicationDetails,
): Record<string, unknown> {
  const contact = details.contact ?? invalid('contact must be given');
  const iat = seconds(context.now);
  return {
    iss: context.did,
    sub: context.did,
    jti: context.jti,
    iat,
    nbf: iat,
    vc: {
      '@context': [VCDM1_CONTEXT],
      type: ['VerifiableCredential', APPLICATION_CREDENTIAL_TYPE],
      issuanceDate: isoSeconds(context.now),
      credentialSubject: {
        id: context.did,
        legalName: details.legalName,
        registrationNumber: details.registrationNumber,
        country: details.country,
        roles: [...(details.roles ?? [])],
        ...(details.sides !== undefined ? { sides: [...details.sides] } : {}),
        contact: {
          email: contact.email,
          ...(contact.name !== undefined ? { name: contact.name } : {}),
          ...(contact.phone !== undefined ? { phone: contact.phone } : {}),
        },
      },
    },
  };
}

/** A credential the signer issues about `input.subject.id`, in either data model. */
export function issuedCredentialPayload(
  context: SigningContext,
  input: IssueCredentialInput,
): Record<string, unknown> {
  const type = text('type', input.type);
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(type) || type === 'VerifiableCredential') {
    invalid('type must be a specific credential type name such as LegalPersonCredential');
  }
  if (typeof input.subject !== 'object' || input.subject === null) invalid('subject must be an object');
  const subjectId = did('subject.id', input.subject.id);
  const format = input.format ?? 'vc+jwt';
  if (format !== 'vc+jwt' && format !== 'jwt_vc_json') invalid('format must be vc+jwt or jwt_vc_json');
  const validFrom = input.validFrom === undefined ? context.now : date('validFrom', input.validFrom);
  const validUntil = input.validUntil === undefined ? undefined : date('validUntil', input.validUntil);
  if (validUntil !== undefined && validUntil.getTime() <= validFrom.getTime())
    invalid('validUntil must be after validFrom');
  const jwtClaims = {
    iss: context.did,
    sub: subjectId,
    jti: context.jti,
    iat: seconds(context.now),
    nbf: seconds(validFrom),
    ...(validUntil ? { exp: seconds(validUntil) } : {}),
  };
  const types = ['VerifiableCredential', type];
  if (format === 'vc+jwt') {
    return {
      '@context': [VCDM2_CONTEXT],
      id: context.jti,
      type: types,
      issuer: context.did,
      validFrom: isoSeconds(validFrom),
      ...(validUntil ? { validUntil: isoSeconds(validUntil) } : {}),
      credentialSubject: { ...input.subject },
      ...jwtClaims,
    };
  }
  return {
    ...jwtClaims,
    vc: {
      '@context': [VCDM1_CONTEXT],
      type: types,
      issuanceDate: isoSeconds(validFrom),
      ...(validUntil ? { expirationDate: isoSeconds(validUntil) } : {}),
      credentialSubject: { ...input.subject },
    },
  };
}

export function votePayload(context: SigningContext, input: VoteInput): Record<string, unknown> {
  if (!VOTE_DECISIONS.includes(input.decision))
    invalid(`decision must be one of ${VOTE_DECISIONS.join(', ')}`);
  return {
    iss: context.did,
    aud: did('service', input.service),
    motion: text('motion', input.motion),
    decision: input.decision,
    ...optionalReason(input.reason),
    iat: seconds(context.now),
    jti: context.jti,
  };
}

export function motionPayload(context: SigningContext, input: MotionInput): Record<string, unknown> {
  if (!MOTION_KINDS.includes(input.kind)) invalid(`kind must be one of ${MOTION_KINDS.join(', ')}`);
  const subject =
    input.kind === 'amend-rulebook' ? text('subject', input.subject) : did('subject', input.subject);
  if (input.name !== undefined && input.kind !== 'add-board-member')
    invalid('name is only for add-board-member');
  return {
    iss: context.did,
    aud: did('service', input.service),
    kind: input.kind,
    subject,
    reason: text('reason', input.reason),
    iat: seconds(context.now),
    jti: context.jti,
    ...(input.name !== undefined ? { name: text('name', input.name) } : {}),
  };
}

export function withdrawalPayload(context: SigningContext, input: WithdrawalInput): Record<string, unknown> {
  return {
    iss: context.did,
    aud: did('service', input.service),
    action: 'withdraw',
    ...optionalReason(input.reason),
    iat: seconds(context.now),
    jti: context.jti,
  };
}

/** What a party signs about an agreement (docs/agreements.md "What is signed"). */
export const AGREEMENT_STATEMENT_ACTIONS = ['sign-agreement', 'terminate-agreement'] as const;
export type AgreementStatementAction = (typeof AGREEMENT_STATEMENT_ACTIONS)[number];

export interface AgreementStatementInput {
  readonly service: string;
  readonly action: AgreementStatementAction;
  readonly agreement: string;
  /** SHA-256 (hex) of the agreement's canonical terms. */
  readonly hash: string;
  /** Why (a termination must give one). */
  readonly reason?: string;
}

/** A party's signature on, or termination of, an agreement. */
export function agreementStatementPayload(
  context: SigningContext,
  input: AgreementStatementInput,
): Record<string, unknown> {
  if (!AGREEMENT_STATEMENT_ACTIONS.includes(input.action))
    invalid(`action must be one of ${AGREEMENT_STATEMENT_ACTIONS.join(', ')}`);
  if (typeof input.hash !== 'string' || !/^[0-9a-f]{64}$/.test(input.hash))
    invalid('hash must be a SHA-256 in lower-case hex');
  if (input.action === 'terminate-agreement' && input.reason === undefined)
    invalid('a termination gives a reason');
  if (input.action === 'sign-agreement' && input.reason !== undefined) invalid('a signature takes no reason');
  return {
    iss: context.did,
    aud: did('service', input.service),
    iat: seconds(context.now),
    jti: context.jti,
    action: input.action,
    agreement: text('agreement', input.agreement),
    hash: input.hash,
    ...optionalReason(input.reason),
  };
}
