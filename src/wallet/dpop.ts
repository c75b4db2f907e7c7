/**
 * The wallet's DPoP key (RFC 9449): a fresh P-256 key for one exchange with an issuer, which
 * signs a proof for each request (`typ` `dpop+jwt`, the public key in `jwk`, `htm`, `htu`
 * without query and fragment, `iat`, a random `jti`, and at a resource `ath`, the hash of the
 * access token). The key lives as long as the exchange: a token it is bound to is of no use to
 * anyone who only copied the token.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export interface DpopKey {
  /** A proof for `method` `url`, naming `accessToken` when the request carries one. */
  proof(method: string, url: string, accessToken?: string): string;
}

const segment = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** A fresh ES256 DPoP key, for one exchange. */
export function ephemeralDpopKey(now: () => Date = () => new Date()): DpopKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const header = segment({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } });
  return {
    proof(method, url, accessToken) {
      const htu = new URL(url);
      htu.search = '';
      htu.hash = '';
      const payload = segment({
        htm: method,
        htu: htu.href,
        iat: Math.floor(now().getTime() / 1000),
        jti: randomBytes(24).toString('base64url'),
        ...(accessToken !== undefined
          ? { ath: createHash('sha256').update(accessToken, 'ascii').digest('base64url') }
          : {}),
      });
      const input = `${header}.${payload}`;
      const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${input}.${signature.toString('base64url')}`;
    },
  };
}
