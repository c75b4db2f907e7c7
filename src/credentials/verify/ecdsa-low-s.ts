/**
 * ECDSA signature malleability (SEC 1 §4.1.4; the "low-S" rule of BIP 62 and RFC 6979
 * practice). For every valid ECDSA signature (r, s), (r, n − s) is valid too, so one signed
 * token has two encodings and a token string cannot identify a signature. The service produces
 * only the low form, s ≤ n/2, for ES256 (P-256); it accepts both unless ES256_LOW_S_ONLY is set
 * (checks/signature.ts).
 */

/** The order n of the P-256 group (FIPS 186-4 D.1.2.3). */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const HALF_ORDER = P256_ORDER >> 1n;

const toBigInt = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);

/** True for a raw r‖s ES256 signature (64 bytes) whose s lies in the upper half of the group. */
export function isHighS(signature: Uint8Array): boolean {
  return signature.length === 64 && toBigInt(signature.subarray(32)) > HALF_ORDER;
}

/** The low-S form of a raw r‖s ES256 signature (unchanged when it already is). */
export function toLowS(signature: Uint8Array): Buffer {
  const bytes = Buffer.from(signature);
  if (!isHighS(bytes)) return bytes;
  const s = P256_ORDER - toBigInt(bytes.subarray(32));
  Buffer.from(s.toString(16).padStart(64, '0'), 'hex').copy(bytes, 32);
  return bytes;
}

/** A compact JWS with its ES256 signature in low-S form; other algorithms are returned as they are. */
export function lowSCompactJws(token: string): string {
  const parts = token.split('.');
  if (parts.length !== 3) return token;
  const header = JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString('utf8')) as {
    alg?: string;
  };
  if (header.alg !== 'ES256') return token;
  const signature = toLowS(Buffer.from(parts[2] as string, 'base64url'));
  return `${parts[0]}.${parts[1]}.${signature.toString('base64url')}`;
}
