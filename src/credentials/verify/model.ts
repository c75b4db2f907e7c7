/**
 * Reads a JWT-secured credential or presentation into one shape, whichever data model it
 * uses: VC Data Model 1.1 as JWT (`jwt_vc_json`: the credential in the `vc` claim, §6.3.1 of
 * VCDM 1.1) or VC Data Model 2.0 secured with JOSE (`vc+jwt`: the payload is the credential,
 * VC-JOSE-COSE §3.1.1). Conflicting duplicates (e.g. `iss` ≠ `vc.issuer`) are kept apart so
 * the signature check can refuse them.
 */
import type { CredentialFormat, PresentationFormat } from './result.js';

export const VCDM2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const VCDM1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';

export interface StatusEntry {
  readonly [key: string]: unknown;
}

export interface CredentialView {
  readonly format: CredentialFormat;
  /** The DID that must have signed: `iss` (1.1) or `issuer` (2.0). */
  readonly issuer: string | undefined;
  /** Every issuer claim found, to detect disagreement. */
  readonly issuerClaims: readonly string[];
  readonly subject: string | undefined;
  /** Every subject claim found (`sub`, `credentialSubject.id`). */
  readonly subjectClaims: readonly string[];
  readonly id: string | undefined;
  readonly types: readonly string[];
  /** The credential in data-model form, as schemas see it. */
  readonly document: Readonly<Record<string, unknown>>;
  /** Every `credentialStatus` entry as written: the status check refuses, never skips, a non-object. */
  readonly credentialStatus: readonly unknown[];
  /** Numeric JWT claims, when present. */
  readonly jwt: { readonly exp?: unknown; readonly nbf?: unknown; readonly iat?: unknown };
  /** Data-model dates, when present. */
  readonly dates: {
    readonly validFrom?: unknown;
    readonly validUntil?: unknown;
    readonly issuanceDate?: unknown;
    readonly expirationDate?: unknown;
  };
}

export interface PresentationView {
  readonly format: PresentationFormat;
  readonly holder: string | undefined;
  readonly holderClaims: readonly string[];
  readonly nonce: unknown;
  readonly audience: unknown;
  /** Embedded credentials as compact JWTs; `undefined` entries were not JWTs. */
  readonly credentials: readonly (string | undefined)[];
  readonly jwt: { readonly exp?: unknown; readonly nbf?: unknown; readonly iat?: unknown };
}

export class ModelError extends Error {
  constructor(
    readonly code: 'wrong_type' | 'malformed' | 'unsupported_format',
    message: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.id === 'string') return value.id;
  return undefined;
}

function stringTypes(value: unknown): string[] {
  const types = asArray(value);
  if (!types.every((t) => typeof t === 'string'))
    throw new ModelError('malformed', '`type` must hold strings');
  return types as string[];
}

function distinct(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))];
}

/**
 * A `typ` header as a media type, compared as RFC 7515 §4.1.9 says: case-insensitively, with
 * the `application/` prefix optional (`application/vc+jwt`, `VC+JWT` and `vc+jwt` are one type).
 * Undefined when `typ` is absent; a non-string `typ` becomes `''`, which no format has.
 */
export function mediaTypeOf(typ: unknown): string | undefined {
  if (typ === undefined) return undefined;
  if (typeof typ !== 'string') return '';
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** Media types of formats this service recognises but does not verify here (SD-JWT VC). */
const SD_JWT_MEDIA_TYPES: readonly string[] = ['dc+sd-jwt', 'vc+sd-jwt', 'vp+sd-jwt', 'kb+jwt'];

/**
 * Whether a token is an SD-JWT (RFC 9901 §4: `<issuer JWS>~<disclosure>~…~[<KB-JWT>]`) or
 * says so in its `typ`: such a token is reported as `unsupported_format`, not as a broken JWS.
 */
export const SD_JWT_DETAIL =
  'an SD-JWT (dc+sd-jwt) is not verified here: SD-JWT VC verification is not configured, or the token is not a well-formed SD-JWT';

export function isSdJwt(token: string, header?: Readonly<Record<string, unknown>>): boolean {
  if (token.includes('~')) return true;
  const typ = header === undefined ? undefined : mediaTypeOf(header.typ);
  return typ !== undefined && SD_JWT_MEDIA_TYPES.includes(typ);
}

/**
 * Which kind of token this is. `vc+jwt` / `vp+jwt` by `typ` (RFC 7515 §4.1.9 media-type
 * comparison); VCDM 1.1 JWTs carry `typ: JWT` or none and are told apart by the `vc` / `vp`
 * claim. A token without `typ` and without those claims whose payload is a VCDM 2.0 document
 * (`@context` starting with the v2 context) is classified by its `type` (VC-JOSE-COSE §3.1.1
 * makes `typ` a SHOULD, not a MUST). An ID token or any other JWT is neither.
 */
export function tokenKind(
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
): CredentialFormat | PresentationFormat | undefined {
  const typ = mediaTypeOf(header.typ);
  if (typ === 'vc+jwt') return 'vc+jwt';
  if (typ === 'vp+jwt') return 'vp+jwt';
  if (typ !== undefined && typ !== 'jwt') return undefined;
  const hasVc = isObject(payload.vc);
  const hasVp = isObject(payload.vp);
  if (hasVc && !hasVp) return 'jwt_vc_json';
  if (hasVp && !hasVc) return 'jwt_vp_json';
  if (typ === undefined && !hasVc && !hasVp && asArray(payload['@context'])[0] === VCDM2_CONTEXT) {
    const types = asArray(payload.type);
    const credential = types.includes('VerifiableCredential');
    const presentation = types.includes('VerifiablePresentation');
    if (credential && !presentation) return 'vc+jwt';
    if (presentation && !credential) return 'vp+jwt';
  }
  return undefined;
}

/**
 * VC-JOSE-COSE §3.1.1/§3.1.2: the payload of a `vc+jwt` / `vp+jwt` is the document itself and
 * MUST NOT carry the VCDM 1.1 `vc` or `vp` claims (the W3C test suite's negative case).
 */
function refuseLegacyClaims(format: 'vc+jwt' | 'vp+jwt', payload: Readonly<Record<string, unknown>>): void {
  for (const claim of ['vc', 'vp'] as const) {
    if (payload[claim] !== undefined)
      throw new ModelError('malformed', `a ${format} payload must not carry a ${claim} claim`);
  }
}

export function credentialView(
  format: CredentialFormat,
  payload: Readonly<Record<string, unknown>>,
): CredentialView {
  if (format === 'vc+jwt') {
    refuseLegacyClaims(format, payload);
    const context = asArray(payload['@context']);
    if (context[0] !== VCDM2_CONTEXT)
      throw new ModelError('malformed', `a vc+jwt credential starts its @context with ${VCDM2_CONTEXT}`);
    const types = stringTypes(payload.type);
    if (!types.includes('VerifiableCredential'))
      throw new ModelError('wrong_type', 'the payload is not a VerifiableCredential');
    const subjects = asArray(payload.credentialSubject);
    if (subjects.length === 0 || !subjects.every(isObject))
      throw new ModelError('malformed', 'credentialSubject must be an object');
    const issuer = idOf(payload.issuer);
    return {
      format,
      issuer,
      issuerClaims: distinct([issuer, typeof payload.iss === 'string' ? payload.iss : undefined]),
      subject: idOf(subjects[0]),
      subjectClaims: distinct([
        ...subjects.map(idOf),
        typeof payload.sub === 'string' ? payload.sub : undefined,
      ]),
      id:
        typeof payload.id === 'string'
          ? payload.id
          : typeof payload.jti === 'string'
            ? payload.jti
            : undefined,
      types,
      document: payload,
      credentialStatus: asArray(payload.credentialStatus),
      jwt: { exp: payload.exp, nbf: payload.nbf, iat: payload.iat },
      dates: { validFrom: payload.validFrom, validUntil: payload.validUntil },
    };
  }
  const vc = payload.vc as Record<string, unknown>;
  const context = asArray(vc['@context']);
  if (context.length > 0 && context[0] !== VCDM1_CONTEXT && context[0] !== VCDM2_CONTEXT) {
    throw new ModelError('malformed', 'unknown @context for a JWT credential');
  }
  const types = stringTypes(vc.type);
  if (!types.includes('VerifiableCredential'))
    throw new ModelError('wrong_type', 'the vc claim is not a VerifiableCredential');
  const subjects = asArray(vc.credentialSubject);
  if (subjects.length === 0 || !subjects.every(isObject))
    throw new ModelError('malformed', 'credentialSubject must be an object');
  const iss = typeof payload.iss === 'string' ? payload.iss : undefined;
  const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
  const subjectIds = subjects.map(idOf);
  const subject = sub ?? subjectIds[0];
  const id = typeof payload.jti === 'string' ? payload.jti : typeof vc.id === 'string' ? vc.id : undefined;
  // The data-model form per VCDM 1.1 §6.3.1 "JWT decoding": registered claims fill the gaps.
  const firstSubject = subjects[0] as Record<string, unknown>;
  const document: Record<string, unknown> = {
    ...vc,
    issuer: vc.issuer ?? iss,
    credentialSubject:
      subject !== undefined && firstSubject.id === undefined
        ? { ...firstSubject, id: subject }
        : vc.credentialSubject,
    ...(id !== undefined ? { id } : {}),
  };
  return {
    format,
    issuer: iss,
    issuerClaims: distinct([iss, idOf(vc.issuer)]),
    subject,
    subjectClaims: distinct([sub, ...subjectIds]),
    id,
    types,
    document,
    credentialStatus: asArray(vc.credentialStatus),
    jwt: { exp: payload.exp, nbf: payload.nbf, iat: payload.iat },
    dates: {
      validFrom: vc.validFrom,
      validUntil: vc.validUntil,
      issuanceDate: vc.issuanceDate,
      expirationDate: vc.expirationDate,
    },
  };
}

const ENVELOPED_PREFIXES = ['data:application/vc+jwt,', 'data:application/vc+sd-jwt,'];

export function presentationView(
  format: PresentationFormat,
  payload: Readonly<Record<string, unknown>>,
): PresentationView {
  const jwt = { exp: payload.exp, nbf: payload.nbf, iat: payload.iat };
  if (format === 'vp+jwt') {
    refuseLegacyClaims(format, payload);
    const types = stringTypes(payload.type);
    if (!types.includes('VerifiablePresentation'))
      throw new ModelError('wrong_type', 'the payload is not a VerifiablePresentation');
    const holder = idOf(payload.holder);
    const credentials = asArray(payload.verifiableCredential).map((entry) => {
      // VCDM 2.0 §4.13: a JWT credential travels as an EnvelopedVerifiableCredential data: URL.
      const id = isObject(entry) && entry.type === 'EnvelopedVerifiableCredential' ? idOf(entry) : undefined;
      const prefix = id === undefined ? undefined : ENVELOPED_PREFIXES.find((p) => id.startsWith(p));
      return prefix === 'data:application/vc+jwt,' ? (id as string).slice(prefix.length) : undefined;
    });
    return {
      format,
      holder,
      holderClaims: distinct([holder, typeof payload.iss === 'string' ? payload.iss : undefined]),
      nonce: payload.nonce,
      audience: payload.aud,
      credentials,
      jwt,
    };
  }
  const vp = payload.vp as Record<string, unknown>;
  const types = stringTypes(vp.type);
  if (!types.includes('VerifiablePresentation'))
    throw new ModelError('wrong_type', 'the vp claim is not a VerifiablePresentation');
  const iss = typeof payload.iss === 'string' ? payload.iss : undefined;
  return {
    format,
    holder: iss,
    holderClaims: distinct([iss, idOf(vp.holder)]),
    nonce: payload.nonce,
    audience: payload.aud,
    credentials: asArray(vp.verifiableCredential).map((entry) =>
      typeof entry === 'string' ? entry : undefined,
    ),
    jwt,
  };
}
