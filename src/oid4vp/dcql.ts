/**
 * DCQL (OpenID4VP 1.0 §6): the query the service puts in its request object, derived from the
 * scopes the relying party asked for, and the check that the credentials the pipeline verified
 * really satisfy it. The wallet's own claim of which credential answers which query is never
 * trusted: every credential query is matched against the verified credentials themselves.
 *
 * Credentials are W3C VCs as JWTs. The query names the `jwt_vc_json` format; the service
 * accepts both JWT encodings its pipeline verifies (VCDM 1.1 `jwt_vc_json`, VCDM 2.0 `vc+jwt`)
 * as answers, since both are the same credential secured the same way.
 */
import { OAuthError } from '../http/index.js';
import { CITIZEN_SCOPE, CREDENTIAL_SCOPES, isCredentialScope } from '../oidc/index.js';
import type { NaturalPersonLogin, Rulebook } from '../rulebook/index.js';

export interface DcqlClaimsQuery {
  readonly path: readonly string[];
}

export interface DcqlCredentialQuery {
  readonly id: string;
  readonly format: 'jwt_vc_json';
  /** Appendix B.1.1: the credential's `type` must contain every type of one of these lists. */
  readonly meta: { readonly type_values: readonly (readonly string[])[] };
  readonly claims?: readonly DcqlClaimsQuery[];
}

export interface DcqlQuery {
  readonly credentials: readonly DcqlCredentialQuery[];
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
export function queryForScopes(scopes: readonly string[], rulebook: Rulebook): DcqlQuery {
  if (scopes.includes(CITIZEN_SCOPE)) {
    if (scopes.some(isCredentialScope)) {
      throw new OAuthError(
        400,
        'invalid_scope',
        `the ${CITIZEN_SCOPE} scope cannot be combined with ${scopes.filter(isCredentialScope).join(', ')}`,
      );
    }
    const login = naturalPersonLogin(rulebook);
    return {
      credentials: [
        {
          id: CITIZEN_QUERY_ID,
          format: 'jwt_vc_json',
          meta: { type_values: [[login.credentialType]] },
          claims: [...login.requiredClaims.map((path) => ({ path: path.split('.') }))],
        },
      ],
    };
  }
  const credentials: DcqlCredentialQuery[] = [];
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
  return { credentials };
}

/** A credential the pipeline verified, with its data-model document. */
export interface VerifiedCredential {
  readonly issuer: string;
  readonly subject: string;
  readonly types: readonly string[];
  readonly document: Readonly<Record<string, unknown>>;
  /** True when the trusted-issuer check passed because the holder issued it to itself. */
  readonly selfIssued: boolean;
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
  const typed = query.meta.type_values.some((set) => set.every((type) => credential.types.includes(type)));
  if (!typed) return false;
  // The data space's own credentials count only when the service issued them.
  const ownType = credential.types.some((type) =>
    (Object.values(CREDENTIAL_SCOPES) as string[]).includes(type),
  );
  if (ownType && credential.issuer !== policy.serviceDid) return false;
  return (query.claims ?? []).every((claim) => {
    const value = valueAt(credential.document, claim.path);
    return value !== undefined && value !== null && value !== '';
  });
}

/**
 * For each credential query, the first verified credential that answers it; `undefined` when
 * some query has no answer (the query is not satisfied).
 */
export function matchQuery(
  query: DcqlQuery,
  credentials: readonly VerifiedCredential[],
  policy: MatchPolicy,
): Map<string, VerifiedCredential> | undefined {
  const matches = new Map<string, VerifiedCredential>();
  for (const credentialQuery of query.credentials) {
    const match = credentials.find((credential) => answers(credentialQuery, credential, policy));
    if (!match) return undefined;
    matches.set(credentialQuery.id, match);
  }
  return matches;
}
