import { CompactSign, type JWTPayload } from 'jose';
import type { ServiceIdentity, SigningAlgorithm } from '../identity/index.js';
import { lowSCompactJws } from './verify/ecdsa-low-s.js';

export interface SignOptions {
  /** The JOSE `typ` header, e.g. `vc+jwt`, `JWT`, `oauth-authz-req+jwt`. */
  readonly typ: string;
  /** Which of the service's keys; EdDSA unless asked otherwise. */
  readonly algorithm?: SigningAlgorithm;
}

/** Signs JWTs with the service DID's current key, setting `alg`, `typ` and `kid` (a DID URL). */
export interface JwtSigner {
  readonly did: string;
  sign(payload: JWTPayload, options: SignOptions): Promise<string>;
  /**
   * The kid a signature made now would carry (default algorithm EdDSA): a signed document kept
   * for reuse is stale once this changes (the keys were rotated, the old one may be retired).
   */
  currentKid?(algorithm?: SigningAlgorithm): Promise<string>;
}

const encoder = new TextEncoder();

/** A JwtSigner over the service identity: native crypto through jose, key imported once. */
export function serviceSigner(identity: ServiceIdentity): JwtSigner {
  return {
    did: identity.did,
    async sign(payload, options) {
      const key = await identity.signingKey(options.algorithm ?? 'EdDSA');
      // ES256 signatures leave here in low-S form only, so a verifier with ES256_LOW_S_ONLY (ours or
      // a partner's that insists on low-S) accepts them too.
      return lowSCompactJws(
        await new CompactSign(encoder.encode(JSON.stringify(payload)))
          .setProtectedHeader({ alg: key.algorithm, typ: options.typ, kid: key.kid })
          .sign(key.privateKey),
      );
    },
    async currentKid(algorithm) {
      return (await identity.signingKey(algorithm ?? 'EdDSA')).kid;
    },
  };
}
