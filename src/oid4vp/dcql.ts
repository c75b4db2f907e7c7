/**
 * DCQL (OpenID4VP 1.0 §6): the query the service puts in its request object, derived from the
 * scopes the relying party asked for, and the check that the credentials the pipeline verified
 * really satisfy it. The wallet's own claim of which credential answers which query is never
 * trusted: every credential query is matched against the verified credentials themselves.
 *
 * Credentials are W3C VCs as JWTs or SD-JWT VCs. A `jwt_vc_json` query accepts both JWT
 * encodings its pipeline verifies (VCDM 1.1 `jwt_vc_json`, VCDM 2.0 `vc+jwt`), since both are
 * the same credential secured the same way. Where the data space publishes an SD-JWT VC type
 * for the credential type, a `dc+sd-jwt` alternative and a credential set that accepts either
 * are added (dcql-sd-jwt.ts).
 */

import type { VctRegistry } from '../credentials/sd-jwt/vct.js';
import { OAuthError } from '../http/index.js';
import { CITIZEN_SCOPE, CREDENTIAL_SCOPES, isCredentialScope } from '../oidc/index.js';
import type { NaturalPersonLogin, Rulebook } from '../rulebook/index.js';
import {
  SD_JWT_FORMAT,
  sdJwtClaimsOf,
  sdJwtQueryId,
  sdJwtView,
  subjectClaimsOf,
  vctValuesOf,
} from './dcql-sd-jwt.js';

export interface DcqlClaimsQuery {
  readonly path: readonly string[];
}

export interface JwtVcCredentialQuery {
  readonly id: string;
  readonly format: 'jwt_vc_json';
  /** Appendix B.1.1: the credential's `type` must contain every type of one of these lists. */
  readonly meta: { readonly type_values: readonly (readonly string[])[] };
  readonly claims?: readonly DcqlClaimsQuery[];
}

export interface SdJwtCredentialQuery {
  readonly id: string;
  readonly format: 'dc+sd-jwt';
  /** Appendix B.3.5: the credential's `vct` must be one of these. */
  readonly meta: { readonly vct_values: readonly string[] };
  readonly claims?: readonly DcqlClaimsQuery[];
}

export type DcqlCredentialQuery = JwtVcCredentialQuery | SdJwtCredentialQuery;

/** §6.2: one of the options (lists of credential query ids) must be answered. */
export interface DcqlCredentialSet {
  readonly options: readonly (readonly string[])[];
}

export interface DcqlQuery {
  readonly credentials: readonly DcqlCredentialQuery[];
  readonly credential_sets?: readonly DcqlCredentialSet[];
}

/** The credential types that identify a person or organisation, for `openid` alone. */
export const IDENTIFYING_TYPES = [
  'MembershipCredential',
  'BoardMemberCredential',
  'LegalPersonCredential',
] as const;

/** The id of the natural-person credential query (the `citizen` scope). */
export const CITIZEN_QUERY_ID = 'citizen';

/**
 * The natural-person login of the rulebook in force, for the `citizen` scope. Throws OAuthError
 * `invalid_scope` when the rulebook has no consent terms (no natural person logs in then).
 */
export function naturalPersonLogin(rulebook: Rulebook): NaturalPersonLogin {
  const login = rulebook.consent?.naturalPersons;
  if (!login) {
    throw new OAuthError(
      400,
      'invalid_scope',
      'consent_not_enabled: the rulebook in force names no credential for natural persons',
    );
  }
  return login;
}

/**
 * The query for the scopes asked for: one credential query per credential scope (with the
 * claims the rulebook maps from that type), or, for `openid` alone, any identifying credential.
 * The `citizen` scope asks for the rulebook's natural-person credential with its required claims
 * only (no name, no birth date), and for nothing else: a citizen's login is never mixed with a
 * member's credentials.
 */
export function queryForScopes(scopes: readonly string[], rulebook: Rulebook, vcts?: VctRegistry): DcqlQuery {
  if (scopes.includes(CITIZEN_SCOPE)) {
    if (scopes.some(isCredentialScope)) {
      throw new OAuthError(
        400,
        'invalid_scope',
        `the ${CITIZEN_SCOPE} scope cannot be combined with ${scopes.filter(isCredentialScope).join(', ')}`,
      );
    }
    const login = naturalPersonLogin(rulebook);
    return withSdJwtAlternatives(
      [
        {
          id: CITIZEN_QUERY_ID,
          format: 'jwt_vc_json',
          meta: { type_values: [[login.credentialType]] },
          claims: [...login.requiredClaims.map((path) => ({ path: path.split('.') }))],
        },
      ],
      vcts,
    );
  }
  const credentials: JwtVcCredentialQuery[] = [];
  for (const scope of scopes) {
    if (!isCredentialScope(scope)) continue;
    const type = CREDENTIAL_SCOPES[scope];
    const paths = Object.values(rulebook.claimMapping)
      .filter((source) => source.credentialType === type && 'path' in source)
      .map((source) => ('path' in source ? source.path.split('.') : []));
    credentials.push({
      id: scope,
      format: 'jwt_vc_json',
      meta: { type_values: [[type]] },
      ...(paths.length > 0 ? { claims: paths.map((path) => ({ path })) } : {}),
    });
  }
  if (credentials.length === 0) {
    credentials.push({
      id: 'identity',
      format: 'jwt_vc_json',
      meta: { type_values: IDENTIFYING_TYPES.map((type) => [type]) },
    });
  }
  return withSdJwtAlternatives(credentials, vcts);
}

/**
 * Adds, for each query whose types have SD-JWT VC types, a `dc+sd-jwt` query with the same
 * claims and a credential set that accepts either; the query is unchanged when none has.
 */
function withSdJwtAlternatives(
  queries: readonly JwtVcCredentialQuery[],
  vcts: VctRegistry | undefined,
): DcqlQuery {
  const credentials: DcqlCredentialQuery[] = [...queries];
  const sets: DcqlCredentialSet[] = [];
  for (const query of queries) {
    const types = query.meta.type_values.flat();
    const vctValues = vctValuesOf(vcts, types);
    const claims = sdJwtClaimsOf(
      (query.claims ?? []).map((claim) => claim.path.join('.')),
      subjectClaimsOf(vcts, types),
    );
    if (vctValues.length === 0 || !claims) {
      sets.push({ options: [[query.id]] });
      continue;
    }
    const id = sdJwtQueryId(query.id);
    credentials.push({
      id,
      format: SD_JWT_FORMAT,
      meta: { vct_values: vctValues },
      ...(claims.length > 0 ? { claims } : {}),
    });
    sets.push({ options: [[query.id], [id]] });
  }
  return credentials.length === queries.length ? { credentials } : { credentials, credential_sets: sets };
}

/** A credential the pipeline verified, with its data-model document. */
export interface VerifiedCredential {
  readonly issuer: string;
  readonly subject: string;
  readonly types: readonly string[];
  readonly document: Readonly<Record<string, unknown>>;
  /** True when the trusted-issuer check passed because the holder issued it to itself. */
  readonly selfIssued: boolean;
  /** SD-JWT VC: its `vct` and its claims after disclosure (read only through sdJwtView). */
  readonly vct?: string;
  readonly claims?: Readonly<Record<string, unknown>>;
}

export interface MatchPolicy {
  /** The service DID: the data space's own credential types must be issued by it. */
  readonly serviceDid: string;
  /**
   * Credential query id → the only issuers whose credentials answer it (the rulebook's
   * natural-person issuers when it lists DIDs rather than `trust-anchors`). The pipeline's
   * trusted-issuer check has already passed for every credential.
   */
  readonly issuers?: Readonly<Record<string, readonly string[]>>;
  /** The data space's SD-JWT VC types: how a type's own claim names read as the rulebook's. */
  readonly vcts?: VctRegistry;
}

/** The value at a DCQL claims path (§7), or undefined. Only object keys and array indices. */
export function valueAt(document: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = document;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      const index =
        typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : Number.NaN;
      current = Number.isInteger(index) ? current[index] : undefined;
    } else {
      current = Object.hasOwn(current, segment)
        ? (current as Record<string, unknown>)[segment as string]
        : undefined;
    }
  }
  return current;
}

function answers(query: DcqlCredentialQuery, credential: VerifiedCredential, policy: MatchPolicy): boolean {
  if (credential.selfIssued) return false;
  const issuers = policy.issuers?.[query.id];
  if (issuers && !issuers.includes(credential.issuer)) return false;
  if (query.format === SD_JWT_FORMAT) {
    // Only an SD-JWT VC answers a dc+sd-jwt query, by its vct (§B.3.5), and its claims are
    // read where the holder disclosed them (payload after disclosure).
    if (credential.vct === undefined || !query.meta.vct_values.includes(credential.vct)) return false;
  } else {
    if (credential.vct !== undefined) return false;
    const typed = query.meta.type_values.some((set) => set.every((type) => credential.types.includes(type)));
    if (!typed) return false;
  }
  // The data space's own credentials count only when the service issued them.
  const ownType = credential.types.some((type) =>
    (Object.values(CREDENTIAL_SCOPES) as string[]).includes(type),
  );
  if (ownType && credential.issuer !== policy.serviceDid) return false;
  const document = query.format === SD_JWT_FORMAT ? credential.claims : credential.document;
  return (query.claims ?? []).every((claim) => {
    const value = valueAt(document, claim.path);
    return value !== undefined && value !== null && value !== '';
  });
}

/** The credential as the login reads it for this query: an SD-JWT VC shows only what was asked. */
function asAnswer(
  query: DcqlCredentialQuery,
  credential: VerifiedCredential,
  vcts: VctRegistry | undefined,
): VerifiedCredential {
  if (query.format !== SD_JWT_FORMAT || credential.claims === undefined) return credential;
  const subjectClaims = credential.vct !== undefined ? vcts?.byVct(credential.vct)?.subjectClaims : undefined;
  return {
    ...credential,
    document: sdJwtView(
      credential.claims,
      (query.claims ?? []).map((claim) => claim.path),
      { subject: credential.subject, ...(subjectClaims ? { subjectClaims } : {}) },
    ),
  };
}

/**
 * For each credential query the login relies on, the first verified credential that answers
 * it; `undefined` when the query is not satisfied. Without credential sets every credential
 * query must be answered; with them (§6.2, all of ours are required), each set by the first of
 * its options whose every query is answered. The map holds the answered queries in the order
 * of the sets (the first is the account's credential).
 */
export function matchQuery(
  query: DcqlQuery,
  credentials: readonly VerifiedCredential[],
  policy: MatchPolicy,
): Map<string, VerifiedCredential> | undefined {
  const answerOf = (id: string): VerifiedCredential | undefined => {
    const credentialQuery = query.credentials.find((c) => c.id === id);
    if (!credentialQuery) return undefined;
    const match = credentials.find((credential) => answers(credentialQuery, credential, policy));
    return match ? asAnswer(credentialQuery, match, policy.vcts) : undefined;
  };
  const sets = query.credential_sets ?? query.credentials.map((c) => ({ options: [[c.id]] }));
  const matches = new Map<string, VerifiedCredential>();
  for (const set of sets) {
    let satisfied = false;
    for (const option of set.options) {
      const found = option.map((id) => [id, answerOf(id)] as const);
      if (found.length === 0 || found.some(([, match]) => match === undefined)) continue;
      for (const [id, match] of found) matches.set(id, match as VerifiedCredential);
      satisfied = true;
      break;
    }
    if (!satisfied) return undefined;
  }
  return matches;
}
