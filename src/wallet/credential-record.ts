/**
 * What the wallet records about a stored credential, read from the JWT with the verification
 * pipeline's own parser (so the wallet and the service agree on format, issuer, subject and
 * types). Only the JWT is authoritative: the other members are derived again whenever the
 * store is read, except an SD-JWT VC's `credentialType`, which the token does not hold.
 */
import { createHash } from 'node:crypto';
import { TYPE_PATTERN } from '../credentials/schemas/schema-id.js';
import { JwsFormatError, parseCompactJws } from '../credentials/verify/compact-jws.js';
import { credentialView, ModelError, tokenKind } from '../credentials/verify/model.js';
import type { CredentialFormat, SdJwtFormat } from '../credentials/verify/result.js';
import { WalletError } from './errors.js';
import { parseStoredSdJwt } from './sd-jwt.js';

export interface StoredCredential {
  /** `jti` / `id`, when the credential has one; an SD-JWT VC without `jti`: its digest (`urn:sha256:…`). */
  readonly id?: string;
  readonly format: CredentialFormat | SdJwtFormat;
  /** Every type, `VerifiableCredential` first as issued; an SD-JWT VC's is its `vct`. */
  readonly types: readonly string[];
  /** The most specific type (the last one that is not `VerifiableCredential`), or the `vct`. */
  readonly type: string;
  /** An SD-JWT VC's `vct`. */
  readonly vct?: string;
  /**
   * The data-space credential type an SD-JWT VC's `vct` stands for (`MembershipCredential`),
   * recorded when the wallet received it from the credential issuer (sd-jwt-types.ts). Kept
   * beside the JWT in the store: it is not in the token.
   */
  readonly credentialType?: string;
  readonly issuer: string;
  /** The subject (`sub`); for an SD-JWT VC without `sub`, the issuer's empty string. */
  readonly subject: string;
  /** ISO 8601, when the credential states it. */
  readonly validFrom?: string;
  readonly validUntil?: string;
  /** When the wallet stored it. */
  readonly addedAt: string;
  readonly jwt: string;
}

function isoFromDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function isoFromSeconds(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isFinite(value)
    ? new Date(value * 1000).toISOString()
    : undefined;
}

/**
 * Whether a stored credential is of `type`: one of its types (a JWT VC's `type`, an SD-JWT VC's
 * `vct`), or the credential type an SD-JWT VC's vct stands for.
 */
export function isOfType(credential: StoredCredential, type: string): boolean {
  return credential.types.includes(type) || credential.credentialType === type;
}

/**
 * The id of an SD-JWT VC without `jti` (SD-JWT VCs rarely carry one: it would make every
 * presentation linkable): `urn:sha256:` and the base64url SHA-256 of its issuer-signed JWT, so
 * that two SD-JWT VCs of the same type can be told apart in `wallet list` and `wallet receive`'s
 * output. Derived from the token, like everything else in the record.
 */
function sdJwtDigestId(token: string): string {
  const [issuerSigned] = token.split('~', 1);
  return `urn:sha256:${createHash('sha256')
    .update(issuerSigned as string)
    .digest('base64url')}`;
}

/** An SD-JWT VC (`dc+sd-jwt`, without key binding JWT) for the store. */
function describeSdJwt(token: string, addedAt: string, credentialType: string | undefined): StoredCredential {
  const payload = parseStoredSdJwt(token).jws.payload;
  const vct = payload.vct as string;
  const validFrom = isoFromSeconds(payload.nbf) ?? isoFromSeconds(payload.iat);
  const validUntil = isoFromSeconds(payload.exp);
  return {
    id: typeof payload.jti === 'string' ? payload.jti : sdJwtDigestId(token),
    format: 'dc+sd-jwt',
    types: [vct],
    type: vct,
    vct,
    ...(credentialType !== undefined ? { credentialType } : {}),
    issuer: payload.iss as string,
    subject: typeof payload.sub === 'string' ? payload.sub : '',
    ...(validFrom !== undefined ? { validFrom } : {}),
    ...(validUntil !== undefined ? { validUntil } : {}),
    addedAt,
    jwt: token,
  };
}

/**
 * Parses a credential for the store: a JWT credential (`jwt_vc_json` or `vc+jwt`) or an SD-JWT
 * VC (`dc+sd-jwt`); `invalid_credential` otherwise. `credentialType`, as recorded for an SD-JWT
 * VC when it was received, is kept when it is a credential type name; a JWT VC names its own.
 */
export function describeCredential(jwt: string, addedAt: string, credentialType?: unknown): StoredCredential {
  const token = jwt.trim();
  if (token.includes('~'))
    return describeSdJwt(
      token,
      addedAt,
      typeof credentialType === 'string' && TYPE_PATTERN.test(credentialType) ? credentialType : undefined,
    );
  let view: ReturnType<typeof credentialView>;
  try {
    const jws = parseCompactJws(token);
    const kind = tokenKind(jws.header, jws.payload);
    if (kind !== 'jwt_vc_json' && kind !== 'vc+jwt') {
      throw new WalletError('invalid_credential', 'the token is not a JWT-secured verifiable credential');
    }
    view = credentialView(kind, jws.payload);
  } catch (error) {
    if (error instanceof JwsFormatError || error instanceof ModelError) {
      throw new WalletError('invalid_credential', `not a credential: ${error.message}`, [], { cause: error });
    }
    throw error;
  }
  if (view.issuer === undefined)
    throw new WalletError('invalid_credential', 'the credential names no issuer');
  if (view.subject === undefined)
    throw new WalletError('invalid_credential', 'the credential names no subject');
  const specific = view.types.filter((type) => type !== 'VerifiableCredential');
  const validFrom =
    isoFromDate(view.dates.validFrom) ??
    isoFromDate(view.dates.issuanceDate) ??
    isoFromSeconds(view.jwt.nbf) ??
    isoFromSeconds(view.jwt.iat);
  const validUntil =
    isoFromDate(view.dates.validUntil) ??
    isoFromDate(view.dates.expirationDate) ??
    isoFromSeconds(view.jwt.exp);
  return {
    ...(view.id !== undefined ? { id: view.id } : {}),
    format: view.format,
    types: view.types,
    type: specific.at(-1) ?? 'VerifiableCredential',
    issuer: view.issuer,
    subject: view.subject,
    ...(validFrom !== undefined ? { validFrom } : {}),
    ...(validUntil !== undefined ? { validUntil } : {}),
    addedAt,
    jwt: token,
  };
}
