/**
 * DPoP proofs (RFC 9449), as the OpenID4VC High Assurance Interoperability Profile asks of the
 * issuer's tokens. A proof is a compact JWS sent in one `DPoP` header:
 *
 * - `typ` `dpop+jwt`, `alg` from the allow-list (ES256, EdDSA; never `none`, never HMAC), the
 *   public key in `jwk` (a key holding private members is refused), the signature by that key
 *   (§4.2, §4.3 checks 1–7);
 * - `htm` the request's method and `htu` the endpoint's URL as published under PUBLIC_URL, both
 *   compared without query and fragment after syntax-based normalisation (§4.3 checks 8–9);
 * - `iat` within `DPOP_MAX_AGE_SECONDS` (60 s skew), a `jti` accepted once across replicas (the
 *   database's used-nonce table, keyed by the key's thumbprint and the jti, §11.1);
 * - at a resource (credential, notification endpoints) `ath`, the base64url SHA-256 of the
 *   access token, and the key the token is bound to (its `cnf.jkt`, RFC 7638 thumbprint, §7.1).
 *
 * Code: `invalid_dpop_proof` (400 at the token endpoint, 401 at a resource).
 */
import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { verifyRawSignature } from '../credentials/verify/checks/signature.js';
import { parseCompactJws } from '../credentials/verify/compact-jws.js';
import type { NonceStore } from '../credentials/verify/ports.js';
import { Oid4vciError } from './errors.js';

export const DPOP_TYP = 'dpop+jwt';
export const DPOP_ALGORITHMS = ['ES256', 'EdDSA'] as const;
export const DPOP_MAX_AGE_SECONDS = 120;
export const DPOP_CLOCK_SKEW_SECONDS = 60;
const REPLAY_SCOPE = 'oid4vci:dpop';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** What a verified proof establishes. */
export interface VerifiedDpop {
  /** The RFC 7638 SHA-256 thumbprint of the proof's key (`cnf.jkt`). */
  readonly jkt: string;
}

export interface DpopRequest {
  /** The `DPoP` header as received (undefined when absent). */
  readonly proof: string | undefined;
  readonly method: string;
  /** The endpoint's URL from PUBLIC_URL, never from the request's Host. */
  readonly url: string;
  /** At a resource: the access token the proof must name in `ath`. */
  readonly accessToken?: string;
  /** At a resource: the thumbprint the access token is bound to. */
  readonly boundJkt?: string;
  /** 400 at the token endpoint, 401 at a resource (RFC 9449 §5, §7.1). */
  readonly status: 400 | 401;
  readonly now: Date;
}

/** A refused DPoP proof, with the status its endpoint answers. */
export function dpopError(description: string, status: 400 | 401): Oid4vciError {
  return new Oid4vciError('invalid_dpop_proof', description, status, 'DPoP');
}

/** The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public EC P-256 or Ed25519 key. */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string {
  const members = jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['crv', 'kty', 'x'];
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(String(jwk[m]))}`).join(',')}}`;
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

/** base64url SHA-256 of an access token (`ath`, §4.2). */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

/**
 * `url` without query and fragment (§4.3), compared as RFC 3986 §6.2.2 syntax-based normalisation
 * allows: the scheme and host in any letter case, nothing else. The WHATWG parser would also
 * accept what is not the same string (dot segments, backslashes, surrounding spaces, a port
 * with leading zeros, the scheme's default port): such a `htu` is refused, by requiring it to be
 * already in the parser's form once scheme and host are lower case. Undefined when it is no URL.
 */
function htuOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const withoutQuery = url.replace(/[?#].*$/s, '');
  const origin = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(withoutQuery)?.[0];
  if (origin === undefined) return undefined;
  parsed.search = '';
  parsed.hash = '';
  const literal = `${origin.toLowerCase()}${withoutQuery.slice(origin.length) || '/'}`;
  return literal === parsed.href ? parsed.href : undefined;
}

function keyOf(header: Readonly<Record<string, unknown>>, alg: string, status: 400 | 401): KeyObject {
  const { jwk } = header;
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk))
    throw dpopError('the DPoP proof carries no public key in jwk', status);
  if (PRIVATE_MEMBERS.some((member) => (jwk as Record<string, unknown>)[member] !== undefined))
    throw dpopError('the DPoP proof jwk holds a private key: send the public key only', status);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw dpopError('the DPoP proof jwk is not a usable public key', status);
  }
  const fits =
    alg === 'EdDSA'
      ? key.asymmetricKeyType === 'ed25519'
      : key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  if (!fits) throw dpopError(`the DPoP proof jwk is not a key for ${alg}`, status);
  return key;
}

/**
 * Verifies the proof of `request` and spends its `jti` in `replays`; throws
 * `invalid_dpop_proof`. Nothing is spent unless every other check passed.
 */
export async function verifyDpopProof(request: DpopRequest, replays: NonceStore): Promise<VerifiedDpop> {
  const { proof, status } = request;
  if (proof === undefined || proof.length === 0)
    throw dpopError('a DPoP proof is required (the DPoP header)', status);
  // Node joins repeated headers with ", "; a compact JWS holds no comma (§4.3 check 1).
  if (proof.includes(',')) throw dpopError('exactly one DPoP header with one proof is accepted', status);
  let jws: ReturnType<typeof parseCompactJws>;
  try {
    jws = parseCompactJws(proof);
  } catch (error) {
    throw dpopError(`the DPoP proof is not a compact JWS: ${(error as Error).message}`, status);
  }
  const { header, payload } = jws;
  if (header.typ !== DPOP_TYP) throw dpopError(`the DPoP proof's typ must be ${DPOP_TYP}`, status);
  const alg = header.alg;
  if (alg !== 'ES256' && alg !== 'EdDSA')
    throw dpopError(`the DPoP proof's alg ${String(alg)} is not allowed (ES256, EdDSA)`, status);
  const key = keyOf(header, alg, status);
  if (!verifyRawSignature(alg, jws, key)) throw dpopError('the DPoP proof signature does not verify', status);
  if (payload.htm !== request.method)
    throw dpopError(`the DPoP proof's htm must be ${request.method}`, status);
  if (htuOf(payload.htu) !== htuOf(request.url))
    throw dpopError(`the DPoP proof's htu must be ${request.url}`, status);
  const now = request.now.getTime() / 1000;
  const iat = payload.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw dpopError('the DPoP proof has no iat', status);
  if (iat > now + DPOP_CLOCK_SKEW_SECONDS) throw dpopError('the DPoP proof was issued in the future', status);
  if (now - iat > DPOP_MAX_AGE_SECONDS) throw dpopError('the DPoP proof is stale: sign a fresh one', status);
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length < 16 || jti.length > 256)
    throw dpopError('the DPoP proof needs a unique jti (16 to 256 characters)', status);
  if (request.accessToken !== undefined) {
    if (payload.ath === undefined) throw dpopError('the DPoP proof has no ath for the access token', status);
    if (payload.ath !== accessTokenHash(request.accessToken))
      throw dpopError('the DPoP proof ath is not the hash of this access token', status);
  }
  const jkt = jwkThumbprint(header.jwk as Record<string, unknown>);
  if (request.boundJkt !== undefined && jkt !== request.boundJkt)
    throw dpopError('the DPoP proof is signed by another key than the one the token is bound to', status);
  const freshUntil = new Date((iat + DPOP_MAX_AGE_SECONDS + 2 * DPOP_CLOCK_SKEW_SECONDS) * 1000);
  if (!(await replays.consume(REPLAY_SCOPE, `${jkt}:${jti}`, freshUntil)))
    throw dpopError('this DPoP proof was used before: sign a new one with a fresh jti', status);
  return { jkt };
}
