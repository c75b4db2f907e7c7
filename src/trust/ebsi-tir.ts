import { createHash } from 'node:crypto';
import { constraintsFor } from './claims.js';
import type { TrustedIssuer } from './types.js';

/**
 * The read side of the EBSI Trusted Issuers Registry API v4, in the shape FIWARE VCVerifier
 * consumes (tir/tirClient.go `TrustedIssuer`/`IssuerAttribute`, verifier/trustedissuer.go
 * `parseAttribute`) and FIWARE trusted-issuers-list serves (api/trusted-issuers-registry.yaml).
 */

/** `issuerType` values of EBSI TIR v4. */
export type EbsiIssuerType = 'RootTAO' | 'TAO' | 'TI' | 'Revoked' | 'Undefined';

/** One attribute of `GET /v4/issuers/{did}`. */
export interface EbsiIssuerAttribute {
  /**
   * Standard base64 of the SHA-256 of the attribute's JSON bytes (what `body` encodes), as
   * FIWARE trusted-issuers-list computes it (TIRMapper: `base64(sha256(json))`).
   */
  readonly hash: string;
  /** Standard base64 of the UTF-8 JSON of a {@link TilCredential}. */
  readonly body: string;
  readonly issuerType: EbsiIssuerType;
  /** The accreditation organisation that put the entry in: the service DID. */
  readonly tao: string;
  readonly rootTao: string;
}

/** `GET /v4/issuers/{did}`. */
export interface EbsiIssuer {
  readonly did: string;
  readonly attributes: readonly EbsiIssuerAttribute[];
}

/** `GET /v4/issuers`. */
export interface EbsiIssuerList {
  readonly self: string;
  readonly items: readonly { readonly did: string; readonly href: string }[];
  readonly total: number;
  readonly pageSize: number;
  readonly links: {
    readonly first: string;
    readonly prev: string;
    readonly next: string;
    readonly last: string;
  };
}

/**
 * The decoded attribute body: FIWARE's `Credentials` (trusted-issuers-list.yaml), which
 * VCVerifier unmarshals into `tir.Credential`. One per credential type of the issuer.
 */
export interface TilCredential {
  readonly validFor?: { readonly from?: string; readonly to?: string };
  readonly credentialsType: string;
  readonly claims: readonly TilClaim[];
}

/** `path` is a JSONPath over the credential subject, as VCVerifier evaluates it. */
export interface TilClaim {
  readonly name: string;
  readonly path: string;
  readonly allowedValues: readonly (string | number | boolean)[];
}

/** The TIL credential bodies of an entry: one per type, each with the constraints that apply to it. */
export function tilCredentials(entry: TrustedIssuer): TilCredential[] {
  const { from, until } = entry.validity;
  const validFor =
    from || until
      ? { ...(from ? { from: from.toISOString() } : {}), ...(until ? { to: until.toISOString() } : {}) }
      : undefined;
  return entry.credentialTypes.map((type) => ({
    ...(validFor ? { validFor } : {}),
    credentialsType: type,
    claims: constraintsFor(entry.claims, [type]).map((claim) => {
      const keys = claim.path.split('.').slice(1);
      return { name: keys.join('.'), path: jsonPath(keys), allowedValues: [...claim.allowedValues] };
    }),
  }));
}

/**
 * The v4 issuer document. The service's own entry is the RootTAO of the data space; every
 * other entry is a TI accredited by it, so `tao` and `rootTao` are always the service DID.
 */
export function ebsiIssuer(entry: TrustedIssuer, serviceDid: string): EbsiIssuer {
  const issuerType: EbsiIssuerType = entry.source === 'service' ? 'RootTAO' : 'TI';
  return {
    did: entry.did,
    attributes: tilCredentials(entry).map((credential) => {
      const json = Buffer.from(JSON.stringify(credential), 'utf8');
      const body = json.toString('base64');
      const hash = createHash('sha256').update(json).digest('base64');
      return { hash, body, issuerType, tao: serviceDid, rootTao: serviceDid };
    }),
  };
}

export interface PageRequest {
  /** Absolute base URL of the service, without a trailing slash. */
  readonly baseUrl: string;
  /** 1..100. */
  readonly size: number;
  /** 1-based page number (EBSI's `page[after]`). */
  readonly page: number;
}

/** The last page number for `total` items (1 when there are none). */
export function lastPage(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}

/**
 * One page of `GET /v4/issuers`, as EBSI paginates: `page[after]` is the 1-based page number,
 * `pageSize` the requested size, and all four links are always present, clamped to the
 * existing pages (on the last page `next` equals `self`). `items` are that page's entries
 * only, `total` the number of entries in all pages.
 */
export function ebsiIssuerPage(
  items: readonly TrustedIssuer[],
  total: number,
  request: PageRequest,
): EbsiIssuerList {
  const { baseUrl, size, page } = request;
  const last = lastPage(total, size);
  const link = (n: number) => `${baseUrl}/v4/issuers?page[after]=${n}&page[size]=${size}`;
  return {
    self: link(page),
    items: items.map((entry) => ({
      did: entry.did,
      href: `${baseUrl}/v4/issuers/${encodeURIComponent(entry.did)}`,
    })),
    total,
    pageSize: size,
    links: {
      first: link(1),
      prev: link(Math.max(1, page - 1)),
      next: link(Math.min(last, page + 1)),
      last: link(last),
    },
  };
}

/**
 * `a.b-c` → `$.a["b-c"]`: an RFC 9535 normalized-enough path. Dot notation where the key is an
 * ASCII identifier (§2.5.1.1 member-name-shorthand), otherwise a double-quoted name selector
 * (§2.3.1.1) with JSON string escaping. Double quotes, not single: FIWARE VCVerifier's JSONPath
 * library cannot parse single-quoted brackets and then treats the constraint as satisfied.
 */
export function jsonPath(keys: readonly string[]): string {
  return `$${keys.map((key) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`)).join('')}`;
}
