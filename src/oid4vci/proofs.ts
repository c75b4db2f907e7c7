/**
 * `jwt` key proofs (OpenID4VCI 1.0 §8.2.1.1, Appendix F.1): each proof is a compact JWS
 *
 * - of type `openid4vci-proof+jwt` (`typ`), signed with an allow-listed algorithm (ES256,
 *   EdDSA; never `none`, never HMAC);
 * - naming its key by exactly one of `kid` (a DID URL: the key comes from that DID's document,
 *   under `authentication`) or `jwk` (a public key: one holding private parts is refused);
 *   `x5c`, `trust_chain` and key attestations are not accepted;
 * - addressed to this credential issuer (`aud`), issued now (`iat` within 300 s, 60 s skew),
 *   and carrying a fresh `c_nonce` of this issuer (`nonce`, checked in nonces.ts).
 *
 * Each proof is accepted once (its hash is spent beside the c_nonce).
 * Codes: `invalid_proof`, `invalid_nonce`.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { verifyRawSignature } from '../credentials/verify/checks/signature.js';
import { parseCompactJws } from '../credentials/verify/compact-jws.js';
import { type KeyLookup, KeyLookupError, type VerificationAlgorithm } from '../credentials/verify/ports.js';
import { Oid4vciError, proofError } from './errors.js';
import type { CNonces } from './nonces.js';

export const PROOF_TYP = 'openid4vci-proof+jwt';
export const PROOF_MAX_AGE_SECONDS = 300;
export const PROOF_CLOCK_SKEW_SECONDS = 60;

/** JWK members that only a private (or symmetric) key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export interface VerifiedProof {
  /** The proof JWT as sent (its hash is spent so it is accepted once). */
  readonly jwt: string;
  /** The DID of `kid`, when the key was named by one. */
  readonly did?: string;
  /** The holder's public key as a JWK (kty, crv, x[, y]). */
  readonly publicJwk: Record<string, string>;
  readonly nonce: string;
  readonly nonceExpiresAt: Date;
  /** When the proof stops being fresh: its replay record lives until then. */
  readonly freshUntil: Date;
}

export interface ProofContext {
  readonly credentialIssuer: string;
  readonly keys: KeyLookup;
  readonly nonces: CNonces;
  readonly now: Date;
}

function publicJwkOf(key: KeyObject): Record<string, string> {
  const jwk = key.export({ format: 'jwk' }) as Record<string, string>;
  return Object.fromEntries(
    ['kty', 'crv', 'x', 'y']
      .filter((name) => jwk[name] !== undefined)
      .map((name) => [name, jwk[name] as string]),
  );
}

function keyFitsAlgorithm(key: KeyObject, alg: VerificationAlgorithm): boolean {
  if (alg === 'EdDSA') return key.asymmetricKeyType === 'ed25519';
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

async function proofKey(
  header: Readonly<Record<string, unknown>>,
  alg: VerificationAlgorithm,
  keys: KeyLookup,
): Promise<{ key: KeyObject; did?: string }> {
  for (const refused of ['x5c', 'x5u', 'jku', 'trust_chain', 'key_attestation']) {
    if (header[refused] !== undefined) throw proofError(`key proofs with ${refused} are not accepted`);
  }
  const { kid, jwk } = header;
  if ((kid === undefined) === (jwk === undefined))
    throw proofError('a key proof names its key by exactly one of kid and jwk');
  if (jwk !== undefined) {
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk))
      throw proofError('the jwk header is not a JSON Web Key');
    if (PRIVATE_MEMBERS.some((member) => (jwk as Record<string, unknown>)[member] !== undefined))
      throw proofError('the jwk header holds a private key: send the public key only');
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      throw proofError('the jwk header is not a usable public key');
    }
    if (!keyFitsAlgorithm(key, alg)) throw proofError(`the jwk is not a key for ${alg}`);
    return { key };
  }
  if (typeof kid !== 'string' || !kid.startsWith('did:') || !kid.includes('#'))
    throw proofError('kid must be a DID URL naming a verification method');
  const did = kid.slice(0, kid.indexOf('#'));
  try {
    const found = await keys.verificationKey(did, kid, 'authentication');
    if (!found.algorithms.includes(alg)) throw proofError(`the key ${kid} is not a key for ${alg}`);
    return { key: found.publicKey, did };
  } catch (error) {
    if (error instanceof KeyLookupError) throw proofError(`the key ${kid} was not found: ${error.message}`);
    throw error;
  }
}

/** Verifies one `jwt` key proof; throws `invalid_proof` or `invalid_nonce`. */
export async function verifyJwtProof(proof: unknown, context: ProofContext): Promise<VerifiedProof> {
  if (typeof proof !== 'string') throw proofError('a jwt key proof is a compact JWS string');
  let jws: ReturnType<typeof parseCompactJws>;
  try {
    jws = parseCompactJws(proof);
  } catch (error) {
    throw proofError(`the key proof is not a compact JWS: ${(error as Error).message}`);
  }
  const { header, payload } = jws;
  if (header.typ !== PROOF_TYP) throw proofError(`the key proof's typ must be ${PROOF_TYP}`);
  const alg = header.alg;
  if (alg !== 'ES256' && alg !== 'EdDSA')
    throw proofError(`the key proof's alg ${String(alg)} is not allowed (ES256, EdDSA)`);
  const { key, did } = await proofKey(header, alg, context.keys);
  if (!verifyRawSignature(alg, jws, key)) throw proofError('the key proof signature does not verify');
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (audiences.length !== 1 || audiences[0] !== context.credentialIssuer)
    throw proofError(`the key proof's aud must be the credential issuer ${context.credentialIssuer}`);
  const now = context.now.getTime() / 1000;
  const iat = payload.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw proofError('the key proof has no iat');
  if (iat > now + PROOF_CLOCK_SKEW_SECONDS) throw proofError('the key proof was issued in the future');
  if (now - iat > PROOF_MAX_AGE_SECONDS + PROOF_CLOCK_SKEW_SECONDS)
    throw proofError('the key proof is stale: sign a fresh one');
  if (payload.nonce === undefined)
    throw new Oid4vciError(
      'invalid_nonce',
      'the key proof carries no c_nonce: fetch one at the nonce endpoint',
    );
  const nonceExpiresAt = context.nonces.check(payload.nonce);
  return {
    jwt: proof,
    ...(did ? { did } : {}),
    publicJwk: publicJwkOf(key),
    nonce: payload.nonce as string,
    nonceExpiresAt,
    freshUntil: new Date((iat + PROOF_MAX_AGE_SECONDS + 2 * PROOF_CLOCK_SKEW_SECONDS) * 1000),
  };
}
