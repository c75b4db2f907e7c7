/**
 * Factories for the SD-JWT VC tests: the OpenWallet Foundation's `@sd-jwt/sd-jwt-vc` as the
 * other party (issuer, holder, verifier) over node:crypto keys, hand-made SD-JWTs whose every
 * byte a test chooses (for the cases that library refuses to make), and the offline pipeline
 * with SD-JWT VC support.
 */
import { createHash, randomBytes, verify } from 'node:crypto';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { sha256Digest } from '../../../src/credentials/sd-jwt/compact.js';
import type { TokenStatusLookup } from '../../../src/credentials/sd-jwt/token-status-list.js';
import { loadVctRegistry } from '../../../src/credentials/sd-jwt/vct.js';
import { StatusLookupError } from '../../../src/credentials/verify/ports.js';
import {
  type AnchorSpec,
  base64urlJson,
  NOW,
  type OfflineOptions,
  offlineDeps,
  seconds,
  signatureOf,
  signJws,
  type TestKey,
  type TestSigner,
} from '../verify/support.js';

export const PUBLIC_URL = 'https://trust.example';
export const MEMBERSHIP_VCT = `${PUBLIC_URL}/vct/membership`;
export const VERIFIER = 'https://verifier.example';
export const NONCE = 'n-0S6_WzA2Mj';

export const hasher = (data: string | ArrayBuffer): Uint8Array =>
  createHash('sha256')
    .update(typeof data === 'string' ? Buffer.from(data) : Buffer.from(data))
    .digest();

/** A JWS signer/verifier for the library over a node:crypto key (raw r||s for ES256). */
function librarySigner(key: TestKey) {
  return (data: string): string => signatureOf(key, data).toString('base64url');
}
function libraryVerifier(key: TestKey) {
  return (data: string, signature: string): boolean => {
    const sig = Buffer.from(signature, 'base64url');
    return key.alg === 'EdDSA'
      ? verify(null, Buffer.from(data), key.publicKey, sig)
      : verify('sha256', Buffer.from(data), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, sig);
  };
}

/** `@sd-jwt/sd-jwt-vc` set up as an issuer (and verifier of its signature) and holder. */
export function libraryInstance(issuer: TestKey, holder?: TestKey): SDJwtVcInstance {
  return new SDJwtVcInstance({
    signer: librarySigner(issuer),
    signAlg: issuer.alg,
    verifier: libraryVerifier(issuer),
    hasher,
    hashAlg: 'sha-256',
    saltGenerator: (length) => randomBytes(length).toString('base64url'),
    ...(holder
      ? {
          kbSigner: librarySigner(holder),
          kbSignAlg: holder.alg,
          kbVerifier: (data: string, signature: string) => libraryVerifier(holder)(data, signature),
        }
      : {}),
  });
}

/** The membership claims, all of them selectively disclosable in our vct. */
export const MEMBERSHIP_CLAIMS = {
  legalName: 'Example Data GmbH',
  roles: ['data-provider'],
  sides: ['supply'],
  memberSince: '2026-01-15T10:00:00Z',
  rulebookVersion: '1.0.0',
};

/** An SD-JWT VC of our membership vct, issued by the library (all five claims disclosable). */
export async function libraryMembership(
  issuer: TestSigner,
  holder: TestKey,
  extra: Record<string, unknown> = {},
): Promise<string> {
  return libraryInstance(issuer.key).issue(
    {
      iss: issuer.did,
      iat: seconds(NOW) - 60,
      vct: MEMBERSHIP_VCT,
      sub: 'did:web:member.example',
      cnf: { jwk: holder.publicJwk },
      ...MEMBERSHIP_CLAIMS,
      ...extra,
    },
    { _sd: ['legalName', 'roles', 'sides', 'memberSince', 'rulebookVersion'] },
    { header: { kid: issuer.kid } },
  );
}

/** The holder presents `credential` with the library: `frame` picks disclosures, with a KB-JWT. */
export async function libraryPresentation(
  issuer: TestKey,
  holder: TestKey,
  credential: string,
  kb: { nonce?: string; aud?: string; iat?: number } = {},
  frame: Record<string, boolean> = { legalName: true, roles: true },
): Promise<string> {
  return libraryInstance(issuer, holder).present(credential, frame, {
    kb: { payload: { nonce: kb.nonce ?? NONCE, aud: kb.aud ?? VERIFIER, iat: kb.iat ?? seconds(NOW) } },
  });
}

// ---------------------------------------------------------------------------------------------
// Hand-made SD-JWTs

export const disclosure = (...elements: unknown[]): string => base64urlJson(elements);

export interface HandMade {
  readonly payload: Record<string, unknown>;
  readonly disclosures: readonly string[];
  readonly header?: Record<string, unknown>;
  readonly kb?: string;
}

/** `<JWS>~<d1>~…~[kb]` signed by `issuer` with `typ: dc+sd-jwt` unless `header` says otherwise. */
export function handMade(issuer: TestSigner, made: HandMade): string {
  const header = { alg: issuer.key.alg, typ: 'dc+sd-jwt', kid: issuer.kid, ...made.header };
  const jws = signJws(header, made.payload, issuer.key);
  return `${[jws, ...made.disclosures].join('~')}~${made.kb ?? ''}`;
}

/** A membership payload whose `_sd` holds the digests of `disclosures`. */
export function membershipPayload(
  issuer: TestSigner,
  holder: TestKey,
  disclosures: readonly string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    iss: issuer.did,
    iat: seconds(NOW) - 60,
    vct: MEMBERSHIP_VCT,
    sub: 'did:web:member.example',
    cnf: { jwk: holder.publicJwk },
    _sd: disclosures.map(sha256Digest),
    _sd_alg: 'sha-256',
    ...extra,
  };
}

/** A KB-JWT over `presented` (everything up to the last `~`). */
export function kbJwt(
  holder: TestKey,
  presented: string,
  payload: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): string {
  return signJws(
    { alg: holder.alg, typ: 'kb+jwt', ...header },
    { iat: seconds(NOW), aud: VERIFIER, nonce: NONCE, sd_hash: sha256Digest(presented), ...payload },
    holder,
  );
}

// ---------------------------------------------------------------------------------------------
// The pipeline

export const NO_TOKEN_STATUS: TokenStatusLookup = {
  async status() {
    throw new StatusLookupError('status_unavailable', 'no token status lists in this test');
  },
};

/** The data space's vct registry, compiled once for all tests. */
const VCTS = loadVctRegistry('credential-schemas', PUBLIC_URL);

/** The offline pipeline with SD-JWT VC support; `anchors` trusted as in offlineDeps. */
export function sdJwtDeps(
  options: OfflineOptions & { anchors?: readonly AnchorSpec[]; tokenStatuses?: TokenStatusLookup } = {},
) {
  return {
    ...offlineDeps(options),
    sdJwt: {
      vcts: VCTS,
      tokenStatuses: options.tokenStatuses ?? NO_TOKEN_STATUS,
    },
  };
}
