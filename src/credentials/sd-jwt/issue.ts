/**
 * Builds and signs an SD-JWT VC (`dc+sd-jwt`) of a data-space credential type (RFC 9901 §4;
 * SD-JWT VC §3). Which claims are selectively disclosable comes from the type's
 * `credential-schemas/{Type}/sd-jwt/v1.json`; `iss`, `vct`, `sub`, `iat`, `exp`, `cnf` and
 * `status` stay in clear. Each disclosure has 128 random bits of salt; the `_sd` digests are
 * sorted so that their order tells nothing about the claims. `cnf.jwk` is the holder's public
 * key: a JWK with private members, of another key type than Ed25519 or P-256, or that does not
 * import, is refused (`invalid_request`), and only its public members are kept.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import type { SigningAlgorithm } from '../../identity/index.js';
import { IssuanceError } from '../issue/errors.js';
import type { JwtSigner } from '../sign.js';
import { sha256Digest } from './compact.js';
import type { SdJwtType } from './vct.js';

export interface SdJwtContent {
  readonly type: SdJwtType;
  readonly issuer: string;
  readonly subject: Readonly<Record<string, unknown>> & { readonly id: string };
  readonly holderKey: unknown;
  readonly validFrom: Date;
  readonly validUntil: Date | undefined;
  /** `status.status_list` of the credential (Token Status List §6.1). */
  readonly status: { readonly idx: number; readonly uri: string };
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** The holder's public JWK, cleaned to its public members; throws IssuanceError. */
export function holderPublicJwk(key: unknown): Record<string, string> {
  if (key === null || typeof key !== 'object' || Array.isArray(key))
    throw new IssuanceError('invalid_request', 'the holder key must be a JWK object');
  const jwk = key as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((name) => jwk[name] !== undefined))
    throw new IssuanceError(
      'invalid_request',
      'the holder key must be a public JWK: it holds private key material',
    );
  const okp = jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  const ec = jwk.kty === 'EC' && jwk.crv === 'P-256';
  if (!okp && !ec)
    throw new IssuanceError('invalid_request', 'the holder key must be an Ed25519 or P-256 JWK');
  const pub: Record<string, string> = ec
    ? { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) }
    : { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) };
  try {
    createPublicKey({ key: pub, format: 'jwk' });
  } catch {
    throw new IssuanceError('invalid_request', 'the holder key is not a valid public key');
  }
  return pub;
}

/** The payload after disclosure, as the type's schema sees it (used to check before signing). */
export function disclosedPayload(
  content: SdJwtContent,
  cnf: Record<string, string>,
): Record<string, unknown> {
  const { id, ...claims } = content.subject;
  return {
    iss: content.issuer,
    vct: content.type.vct,
    sub: id,
    iat: seconds(content.validFrom),
    ...(content.validUntil ? { exp: seconds(content.validUntil) } : {}),
    cnf: { jwk: cnf },
    status: { status_list: { idx: content.status.idx, uri: content.status.uri } },
    ...claims,
  };
}

/** Signs the SD-JWT VC: `<issuer JWT>~<disclosure>~…~`. */
export async function signSdJwt(
  signer: JwtSigner,
  content: SdJwtContent,
  algorithm: SigningAlgorithm,
): Promise<string> {
  const cnf = holderPublicJwk(content.holderKey);
  const full = disclosedPayload(content, cnf);
  const payload: Record<string, unknown> = {};
  const disclosures: string[] = [];
  for (const [name, value] of Object.entries(full)) {
    if (content.type.selectivelyDisclosable.includes(name)) {
      disclosures.push(
        Buffer.from(JSON.stringify([randomBytes(16).toString('base64url'), name, value])).toString(
          'base64url',
        ),
      );
    } else {
      payload[name] = value;
    }
  }
  if (disclosures.length > 0) {
    payload._sd = disclosures.map(sha256Digest).sort();
    payload._sd_alg = 'sha-256';
  }
  const jws = await signer.sign(payload, { typ: 'dc+sd-jwt', algorithm });
  return `${[jws, ...disclosures].join('~')}~`;
}
