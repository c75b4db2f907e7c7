import { constraintsFor, satisfiesClaim } from './claims.js';
import { isDid } from './did-syntax.js';
import { TrustAnchorError } from './errors.js';
import { isHttpsIssuerId } from './https-issuer.js';
import type { MemberIssuer, MemberIssuerSource, TrustAnchor, TrustedIssuer } from './types.js';

/** The W3C base type every credential carries; it is never a trust-governed type of its own. */
export const BASE_CREDENTIAL_TYPE = 'VerifiableCredential';

/** Why an issuer is not trusted for a credential. */
export type TrustCheckCode =
  | 'untrusted_issuer'
  | 'type_not_allowed'
  | 'claim_not_allowed'
  | 'outside_validity';

export interface TrustCheckRequest {
  /** The credential's issuer DID, or https URL for an SD-JWT VC (already verified to be the signer). */
  readonly issuer: string;
  /**
   * The credential's format names issuers by https URL too (SD-JWT VC §3.2.2.2 `iss`). Only the
   * SD-JWT VC pipeline sets it; without it an https anchor is `untrusted_issuer`.
   */
  readonly httpsIssuerAllowed?: boolean;
  /** The credential's `type` values; the base `VerifiableCredential` is ignored. */
  readonly types: readonly string[];
  /** The credential in data-model form, for claim constraints on `credentialSubject`. */
  readonly credential: object;
  /** The instant trust is judged at: the verification time. */
  readonly at: Date;
}

export type TrustCheckResult =
  | { readonly trusted: true; readonly anchor: TrustedIssuer }
  | { readonly trusted: false; readonly code: TrustCheckCode; readonly detail: string };

/** Which issuer may issue which credential types in this data space. */
export interface TrustRegistry {
  /** The service's own DID (the root of the data space's trust). */
  readonly serviceDid: string;
  /**
   * Judges whether `issuer` is trusted for a credential, in this order: the DID (or https
   * issuer, only with `httpsIssuerAllowed`) matches an entry exactly (`untrusted_issuer`); the entry allows every specific type of the credential
   * (`type_not_allowed`); `at` lies in the entry's window (`outside_validity`); the subject
   * satisfies every claim constraint that applies (`claim_not_allowed`). Never throws for bad
   * input; rejects only when the member source fails.
   */
  check(request: TrustCheckRequest): Promise<TrustCheckResult>;
  /**
   * One page of entries in registry order: the service and the trust anchors by DID, then the
   * admitted members by DID. `after` is the last DID of the previous page; `next` is set when
   * more entries follow. Reads at most one page of members.
   */
  page(request: { readonly after?: string; readonly limit: number }): Promise<RegistryPage>;
  /**
   * One page of the DID entries trusted at `at` (within their window), in registry order, by
   * 1-based page number (EBSI TIR `page[after]`), with their total. Reads at most one page of
   * members and counts them once. Anchors of https issuers are left out: EBSI TIR v4 is a
   * registry of DIDs, and its consumers (FIWARE VCVerifier) verify JWT VCs, whose issuers are DIDs.
   */
  pageTrustedAt(request: { readonly at: Date; readonly page: number; readonly size: number }): Promise<{
    readonly items: readonly TrustedIssuer[];
    readonly total: number;
  }>;
  /** The entry for exactly this DID or https issuer, if any: one lookup by key. */
  get(did: string): Promise<TrustedIssuer | undefined>;
}

export interface RegistryPage {
  readonly items: readonly TrustedIssuer[];
  /** How many entries the registry holds. */
  readonly total: number;
  /** The `after` of the next page, when there is one. */
  readonly next?: string;
}

export interface TrustRegistryOptions {
  /** Trust anchors, as loadTrustAnchors returns them. */
  readonly anchors: readonly TrustAnchor[];
  /** The service's DID: trusted for serviceTypes. */
  readonly serviceDid: string;
  /** The data space's own types the service issues (e.g. MembershipCredential). */
  readonly serviceTypes: readonly string[];
  readonly serviceName?: string;
  /** Admitted members and the types the rulebook lets them issue; looked up by DID or by page. */
  readonly members?: MemberIssuerSource;
}

/**
 * Builds the registry from three sources. When a DID appears in more than one, the first of
 * service, anchor, member wins, so each DID has exactly one entry: an operator's anchor
 * is never widened or narrowed by a member record. An anchor for the service DID is a
 * configuration error (TrustAnchorError `trust_anchor_conflict`).
 */
export function createTrustRegistry(options: TrustRegistryOptions): TrustRegistry {
  const service = serviceEntry(options);
  const fixed = new Map<string, TrustedIssuer>([[service.did, service]]);
  for (const anchor of options.anchors) {
    if (anchor.did === service.did) {
      throw new TrustAnchorError(
        'trust_anchor_conflict',
        `did ${anchor.did} is the service's own DID, which is trusted for its own types by configuration`,
        anchor.file,
      );
    }
    if (fixed.has(anchor.did)) {
      throw new TrustAnchorError(
        'trust_anchor_duplicate_did',
        `did ${anchor.did} is declared twice`,
        anchor.file,
      );
    }
    fixed.set(anchor.did, anchor);
  }

  const members = options.members;
  const ordered = [...fixed.values()].sort((a, b) => (a.did < b.did ? -1 : a.did > b.did ? 1 : 0));
  const exclude = ordered.map((entry) => entry.did);
  const entries = (listed: readonly MemberIssuer[]) =>
    listed.flatMap((member) => {
      const entry = memberEntry(member);
      return entry && !fixed.has(entry.did) ? [entry] : [];
    });

  async function get(did: string): Promise<TrustedIssuer | undefined> {
    if (typeof did !== 'string') return undefined;
    const known = fixed.get(did);
    if (known || !members) return known;
    const member = await members.get(did);
    return member ? entries([member])[0] : undefined;
  }

  return {
    serviceDid: service.did,
    get,
    async page({ after, limit }) {
      // The fixed entries come first; a cursor naming one of them continues among them.
      const position = after === undefined ? 0 : exclude.indexOf(after) + 1;
      const items: TrustedIssuer[] =
        after === undefined || position > 0 ? ordered.slice(position, position + limit + 1) : [];
      if (items.length <= limit && members) {
        const memberAfter = after === undefined || position > 0 ? undefined : after;
        items.push(
          ...entries(
            await members.page({
              exclude,
              ...(memberAfter !== undefined ? { after: memberAfter } : {}),
              limit: limit + 1 - items.length,
            }),
          ),
        );
      }
      const total = ordered.length + (members ? await members.count({ exclude }) : 0);
      const page = items.slice(0, limit);
      return { items: page, total, ...(items.length > limit ? { next: page.at(-1)?.did as string } : {}) };
    },
    async pageTrustedAt({ at, page, size }) {
      const trusted = ordered.filter((entry) => isDid(entry.did) && trustedAt(entry, at));
      const offset = (page - 1) * size;
      const items = trusted.slice(offset, offset + size);
      if (items.length < size && members) {
        items.push(
          ...entries(
            await members.page({
              exclude,
              offset: Math.max(0, offset - trusted.length),
              limit: size - items.length,
            }),
          ).filter((entry) => trustedAt(entry, at)),
        );
      }
      return { items, total: trusted.length + (members ? await members.count({ exclude }) : 0) };
    },
    async check(request) {
      const entry = await get(request.issuer);
      if (!entry)
        return fail(
          'untrusted_issuer',
          `${String(request.issuer)} is not a trusted issuer of this data space`,
        );
      // JWT VC formats (jwt_vc_json, vc+jwt) name their issuer by a DID: an https anchor is for
      // SD-JWT VCs only (their signature check refuses such an issuer first: unsupported_issuer).
      if (isHttpsIssuerId(entry.did) && request.httpsIssuerAllowed !== true)
        return fail(
          'untrusted_issuer',
          `${entry.did} is trusted for SD-JWT VCs only: this credential format names its issuer by a DID`,
        );
      return judge(entry, request);
    },
  };
}

/**
 * The rules after the DID matched. Every specific type must be allowed, not just one: a
 * credential typed [LegalPersonCredential, MembershipCredential] is read as a
 * MembershipCredential by anyone who looks for one, so an issuer trusted only for the first
 * could otherwise mint the second. FIWARE VCVerifier applies the same rule.
 */
function judge(entry: TrustedIssuer, request: TrustCheckRequest): TrustCheckResult {
  const types = specificTypes(request.types);
  if (types.length === 0) {
    return fail('type_not_allowed', 'the credential has no type besides VerifiableCredential');
  }
  const missing = types.filter((type) => !entry.credentialTypes.includes(type));
  if (missing.length > 0) {
    return fail('type_not_allowed', `${entry.did} is not trusted for ${missing.join(', ')}`);
  }
  const at = request.at instanceof Date ? request.at.getTime() : Number.NaN;
  const { from, until } = entry.validity;
  if (Number.isNaN(at) || (from && at < from.getTime()) || (until && at >= until.getTime())) {
    return fail('outside_validity', `${entry.did} is trusted ${window(entry)}, not at ${String(request.at)}`);
  }
  const credential =
    typeof request.credential === 'object' && request.credential !== null ? request.credential : {};
  const broken = constraintsFor(entry.claims, types).find((claim) => !satisfiesClaim(credential, claim));
  if (broken) {
    return fail('claim_not_allowed', `${broken.path} is not one of the values ${entry.did} is trusted for`);
  }
  return { trusted: true, anchor: entry };
}

/** Whether `at` lies in the entry's window (`from` inclusive, `until` exclusive). */
export function trustedAt(entry: TrustedIssuer, at: Date): boolean {
  const { from, until } = entry.validity;
  return !(from && at < from) && !(until && at >= until);
}

function specificTypes(types: readonly string[]): string[] {
  if (!Array.isArray(types)) return [];
  return [...new Set(types.filter((type) => typeof type === 'string' && type !== BASE_CREDENTIAL_TYPE))];
}

function window(entry: TrustedIssuer): string {
  const { from, until } = entry.validity;
  return `from ${from?.toISOString() ?? 'the beginning'} until ${until?.toISOString() ?? 'further notice'}`;
}

function fail(code: TrustCheckCode, detail: string): TrustCheckResult {
  return { trusted: false, code, detail };
}

function serviceEntry(options: TrustRegistryOptions): TrustedIssuer {
  if (!isDid(options.serviceDid)) {
    throw new TrustAnchorError(
      'invalid_service_issuer',
      `the service DID ${options.serviceDid} is not a valid DID`,
    );
  }
  const types = options.serviceTypes;
  if (
    types.length === 0 ||
    types.some((type) => typeof type !== 'string' || type === '' || type === BASE_CREDENTIAL_TYPE)
  ) {
    throw new TrustAnchorError(
      'invalid_service_issuer',
      'serviceTypes must list at least one specific credential type (not VerifiableCredential)',
    );
  }
  return Object.freeze({
    did: options.serviceDid,
    name: options.serviceName ?? 'Data space trust service (governance authority)',
    credentialTypes: Object.freeze([...new Set(types)]),
    claims: Object.freeze([]),
    validity: Object.freeze({}),
    source: 'service' as const,
  });
}

/** A member record as an entry; records that could never match a credential are left out. */
function memberEntry(member: MemberIssuer): TrustedIssuer | undefined {
  if (!isDid(member.did)) return undefined;
  const credentialTypes = specificTypes(member.credentialTypes);
  if (credentialTypes.length === 0) return undefined;
  return Object.freeze({
    did: member.did,
    name: member.name,
    credentialTypes: Object.freeze(credentialTypes),
    claims: Object.freeze([...(member.claims ?? [])]),
    validity: Object.freeze({ ...(member.validity ?? {}) }),
    source: 'member' as const,
    ...(member.description ? { description: member.description } : {}),
    ...(member.homepage ? { homepage: member.homepage } : {}),
  });
}
