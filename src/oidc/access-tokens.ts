/**
 * Local verification of the connector access tokens this provider issues: JWTs (RFC 9068,
 * `typ: at+jwt`) signed with the service's ES256 key, for the audience `PUBLIC_URL/api`. A
 * connector calls the consent or agreement check on every data exchange, so nothing here reads
 * the database or imports a key per request:
 *
 * - the public keys come from the service's DID document as the identity holds it in memory
 *   (one frozen object until the keys are reloaded), imported once per document object;
 * - a `kid` of the service DID that the loaded document lacks asks the identity to reload its
 *   keys (a rotation by another replica or the CLI), at most once a second across all callers
 *   (`ServiceIdentity.reloadForUnknownKey`), then it is looked up once more;
 * - a key the service no longer publishes (retired) does not verify, whoever signed with it.
 *
 * Checks (each failure is one reason, the token is `invalid_token`): a compact JWS of at most
 * MAX_TOKEN_LENGTH characters; `alg` ES256 only; `typ` `at+jwt` (RFC 9068 §2.1, so an ID token,
 * a credential or a request object signed by the same key is refused); a `kid` the service
 * publishes; the signature; `iss` = the provider's issuer; `aud` = exactly the API resource
 * (a string, RFC 9068 §4); `exp` in the future, `nbf` if present in the past (a small clock
 * tolerance between replicas); `iat`, `jti` present; `client_id` = `sub` and a DID (a member's
 * client: tokens of other clients never carry this audience); `scope` a string when present.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { parseDid } from '../did/index.js';
import type {
  AccessTokenVerification,
  AccessTokenVerifier,
  VerifiedAccessToken,
} from '../http/connector-token.js';
import { MAX_TOKEN_LENGTH } from '../http/connector-token.js';

/** A verification method of the service's DID document, as far as this module reads it. */
interface PublishedMethod {
  readonly id: string;
  readonly publicKeyJwk: {
    readonly kty?: string;
    readonly crv?: string;
    readonly x?: string;
    readonly y?: string;
  };
}

/** The service's keys as the identity holds them (ServiceIdentity fits). */
export interface ServiceKeys {
  readonly did: string;
  /** The DID document with every published key: the same object until the keys change. */
  document(): Promise<{ readonly verificationMethod: readonly PublishedMethod[] }>;
  /** Reloads the keys after an unknown kid of the service DID (bounded); true when it did. */
  reloadForUnknownKey(): Promise<boolean>;
}

export interface AccessTokenVerifierOptions {
  /** The provider's issuer (`PUBLIC_URL/oidc`). */
  readonly issuer: string;
  /** The API resource the tokens are for (`PUBLIC_URL/api`). */
  readonly audience: string;
  readonly keys: ServiceKeys;
  readonly now?: () => Date;
  /** Allowed clock difference between the replica that issued and the one that checks (default 5 s). */
  readonly clockToleranceSeconds?: number;
}

/** The algorithm the provider signs connector access tokens with (provider.ts). */
export const ACCESS_TOKEN_ALGORITHM = 'ES256';

/**
 * How many verified tokens a replica remembers. A connector sends the same token with every
 * request for up to its 10 minutes: its signature is checked once, not per request (an ES256
 * verification is most of this middleware's work). A remembered token is still refused once it
 * expires or its key is no longer published.
 */
const VERIFIED_TOKENS = 10_000;

const invalid = (reason: string): AccessTokenVerification => ({ valid: false, reason });

function reasonOf(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud':
        return 'the token is for another audience';
      case 'iss':
        return 'the token is from another issuer';
      case 'typ':
        return 'the token is not an access token (typ at+jwt)';
      case 'nbf':
        return 'the token is not valid yet';
      default:
        return `the token's ${error.claim} claim is missing or wrong`;
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (error instanceof errors.JOSEAlgNotAllowed)
    return `the token is not signed with ${ACCESS_TOKEN_ALGORITHM}`;
  return 'the token is not a well-formed signed JWT';
}

/** Creates the verifier the connector-token middleware uses. */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const { issuer, audience, keys } = options;
  const now = options.now ?? (() => new Date());
  const clockTolerance = options.clockToleranceSeconds ?? 5;
  // Imported keys per document object: a reload brings a new object, and the old map goes with it.
  const imported = new WeakMap<object, Map<string, KeyObject>>();

  const keysOf = (document: Awaited<ReturnType<ServiceKeys['document']>>): Map<string, KeyObject> => {
    let map = imported.get(document);
    if (map) return map;
    map = new Map();
    for (const method of document.verificationMethod) {
      const { kty, crv, x, y } = method.publicKeyJwk;
      if (kty !== 'EC' || crv !== 'P-256' || !x || !y) continue;
      map.set(method.id, createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' }));
    }
    imported.set(document, map);
    return map;
  };

  const keyFor = async (kid: string): Promise<KeyObject | undefined> => {
    const key = keysOf(await keys.document()).get(kid);
    if (key !== undefined || !kid.startsWith(`${keys.did}#`)) return key;
    return (await keys.reloadForUnknownKey()) ? keysOf(await keys.document()).get(kid) : undefined;
  };

  const verified = new LRUCache<string, { readonly token: VerifiedAccessToken; readonly kid: string }>({
    max: VERIFIED_TOKENS,
  });

  const remembered = async (token: string): Promise<VerifiedAccessToken | undefined> => {
    const hit = verified.get(token);
    if (!hit) return undefined;
    const current = now().getTime() <= hit.token.expiresAt.getTime() + clockTolerance * 1000;
    if (current && keysOf(await keys.document()).has(hit.kid)) return hit.token;
    verified.delete(token);
    return undefined;
  };

  return {
    async verify(token) {
      if (typeof token === 'string') {
        const known = await remembered(token);
        if (known) return { valid: true, token: known };
      }
      const result = await verifyAnew(token);
      if (result.valid) {
        verified.set(token, { token: result.token, kid: decodeProtectedHeader(token).kid as string });
      }
      return result;
    },
  };

  async function verifyAnew(token: string): Promise<AccessTokenVerification> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      return invalid('the token is empty or too long');
    }
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return invalid('the token is not a signed JWT');
    }
    if (header.alg !== ACCESS_TOKEN_ALGORITHM) {
      return invalid(`the token is not signed with ${ACCESS_TOKEN_ALGORITHM}`);
    }
    if (typeof header.kid !== 'string') return invalid('the token names no key (kid)');
    const key = await keyFor(header.kid);
    if (!key) return invalid('the token is signed with a key the service does not publish');
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, key, {
        issuer,
        audience,
        typ: 'at+jwt',
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
        currentDate: now(),
        clockTolerance,
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError) return invalid(reasonOf(error));
      throw error;
    }
    // jose accepts an audience array that includes ours; RFC 9068 tokens of this provider have one.
    if (payload.aud !== audience) return invalid('the token is for another audience');
    const clientId = payload.client_id;
    if (typeof clientId !== 'string' || payload.sub !== clientId) {
      return invalid('the token is not a connector token (client_id and sub differ)');
    }
    try {
      parseDid(clientId);
    } catch {
      return invalid('the token is not a member connector token (client_id is not a DID)');
    }
    if (typeof payload.jti !== 'string' || payload.jti.length === 0) return invalid('the token has no jti');
    if (payload.scope !== undefined && typeof payload.scope !== 'string') {
      return invalid('the token scope is not a string');
    }
    return {
      valid: true,
      token: {
        clientId,
        scopes: (payload.scope ?? '').split(' ').filter((scope) => scope.length > 0),
        tokenId: payload.jti,
        expiresAt: new Date((payload.exp as number) * 1000),
      },
    };
  }
}
