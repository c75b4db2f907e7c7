/**
 * Members are OAuth clients without registration: the `client_id` of a member's connector is
 * the member's DID, and its client metadata is derived whenever oidc-provider looks the client
 * up (the adapter's `Client.find`, on every token request), so it follows the registry and the
 * DID document without anything to keep in step and without any shared secret.
 *
 * A DID is a client only while all of these hold (else there is no client: `invalid_client`):
 * 1. it is a DID (DID Core §3.1 syntax) of a method the rulebook in force allows for members;
 * 2. the member registry has it with status `active` (one primary-key read; no DID document is
 *    fetched for a DID that is not an active member);
 * 3. it resolves through the service's hardened resolver (the one verification uses: did:web
 *    with its address rules, timeout, size cap and cache; did:key and did:jwk locally);
 * 4. its document grants at least one usable key (Ed25519 or P-256) under `authentication`.
 *
 * Only `authentication` keys count, not `assertionMethod`: DID Core §5.3.1 makes
 * `authentication` the relationship for proving to be the DID subject (logging in, challenge-
 * response), which a client assertion is, while `assertionMethod` (§5.3.2) is for issuing
 * claims, such as credentials. A member may keep its credential-signing key apart (an issuing
 * service, an HSM) and that key then cannot obtain access to member APIs; the verification
 * pipeline keeps the same separation the other way round. did:key and did:jwk documents put
 * their one key under both relationships, so for them nothing changes.
 *
 * The metadata: grant `client_credentials`, and, once the member registered redirect URIs for
 * its app (redirect-uris.ts), also `authorization_code` with response type `code` for exactly
 * those URIs and the login scopes `openid` and `citizen` (a citizen gives consent through the
 * app: docs/consent.md); `private_key_jwt` with `jwks` = those keys (each with its DID URL as `kid`, so an assertion
 * whose `kid` is not one of them, or whose `alg` does not fit the key's curve, finds no key;
 * the algorithms are the provider's allow-list, ES256 and EdDSA), and every connector scope. Operator-registered clients cannot collide: their
 * ids may not contain a colon (clients.ts).
 */
import {
  DidResolutionError,
  type DidResolver,
  KeySelectionError,
  parseDid,
  selectVerificationKey,
} from '../did/index.js';
import type { AdapterPayload } from './adapter.js';
import { CONSENT_DETAILS_TYPE } from './consent-details.js';
import { CITIZEN_SCOPE, CONNECTOR_SCOPE_NAMES } from './scopes.js';

/**
 * The `sector_identifier_uri` of a member client. oidc-provider wants one for a pairwise client
 * without a single redirect host; the service's pairwise identifiers are keyed on the member DID
 * instead (src/consent/pairwise.ts), so this URI under the reserved `.invalid` domain (RFC 2606)
 * only satisfies the metadata check and is never fetched (provider.ts).
 */
export function memberSectorUri(did: string): string {
  return `https://member-sector.invalid/${encodeURIComponent(did)}`;
}

/** The member registry and the rulebook as member clients need them (wired by the composition root). */
export interface MemberClientPort {
  /** The registry status of the member with this DID now, or undefined when it is no member. */
  status(did: string): Promise<string | undefined>;
  /** Whether the rulebook in force lets members use this DID's method. */
  allowsDidMethod(did: string): Promise<boolean>;
}

export interface MemberClientOptions {
  readonly members: MemberClientPort;
  /** The service's hardened DID resolver (the verification pipeline's). */
  readonly resolver: DidResolver;
  /** The redirect URIs the member registered for its app (none: client credentials only). */
  readonly redirectUris?: (did: string) => Promise<readonly string[]>;
}

/** A client id that names a member: a DID. */
export function isMemberClientId(clientId: string): boolean {
  return clientId.startsWith('did:');
}

/** The public keys of the document's `authentication` relationship, as client JWKs. */
function authenticationKeys(
  document: Awaited<ReturnType<DidResolver['resolve']>>,
): Record<string, unknown>[] {
  const entries = Array.isArray(document.authentication) ? document.authentication : [];
  const keys = new Map<string, Record<string, unknown>>();
  for (const entry of entries) {
    const reference = typeof entry === 'string' ? entry : entry?.id;
    if (typeof reference !== 'string') continue;
    const id = reference.startsWith('#') ? `${document.id}${reference}` : reference;
    if (keys.has(id)) continue;
    try {
      // The same rules as every signature the service checks (controller, method type, JWK
      // members, curve), under the authentication relationship.
      const key = selectVerificationKey(document, { kid: id, relationship: 'authentication' });
      const { kty, crv, x, y } = key.publicKey.export({ format: 'jwk' });
      // No `alg`: the curve fixes it (P-256 → ES256; Ed25519 → EdDSA, or `Ed25519` as RFC 9864
      // names it), and oidc-provider would otherwise match the header's name exactly.
      keys.set(id, { kty, crv, x, ...(y !== undefined ? { y } : {}), kid: key.id, use: 'sig' });
    } catch (error) {
      // A key the service cannot use (another curve, a malformed method) is skipped, not fatal.
      if (!(error instanceof KeySelectionError)) throw error;
    }
  }
  return [...keys.values()];
}

/**
 * The client metadata of the member with DID `did`, or undefined when that DID is no client now
 * (see the module notes). Failures of the registry itself (an outage) are thrown, not hidden as
 * `invalid_client`.
 */
export async function memberClientMetadata(
  did: string,
  options: MemberClientOptions,
): Promise<AdapterPayload | undefined> {
  try {
    parseDid(did);
  } catch {
    return undefined;
  }
  if (!(await options.members.allowsDidMethod(did))) return undefined;
  if ((await options.members.status(did)) !== 'active') return undefined;
  let document: Awaited<ReturnType<DidResolver['resolve']>>;
  try {
    document = await options.resolver.resolve(did);
  } catch (error) {
    if (error instanceof DidResolutionError) return undefined;
    throw error;
  }
  const keys = authenticationKeys(document);
  if (keys.length === 0) return undefined;
  const redirectUris = [...((await options.redirectUris?.(did)) ?? [])];
  const app = redirectUris.length > 0;
  return {
    client_id: did,
    grant_types: app ? ['client_credentials', 'authorization_code'] : ['client_credentials'],
    response_types: app ? ['code'] : [],
    redirect_uris: redirectUris,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: [...(app ? ['openid', CITIZEN_SCOPE] : []), ...CONNECTOR_SCOPE_NAMES].join(' '),
    id_token_signed_response_alg: 'ES256',
    subject_type: 'pairwise',
    sector_identifier_uri: memberSectorUri(did),
    authorization_details_types: app ? [CONSENT_DETAILS_TYPE] : [],
    jwks: { keys },
  };
}
