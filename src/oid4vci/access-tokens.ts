/**
 * The access token of a request to the credential or notification endpoint (RFC 6750 §2.1,
 * RFC 9449 §7). A token the token endpoint bound to a DPoP key (`dpopJkt`) is accepted only as
 * `Authorization: DPoP <token>` with a proof by that key naming the token in `ath`; a plain
 * token only as `Authorization: Bearer <token>`. Using one scheme's token under the other is
 * refused: a stolen DPoP-bound token is of no use without its key.
 *
 * Codes: `invalid_token` (401: missing, malformed, unknown, expired, wrong scheme),
 * `invalid_dpop_proof` (401, dpop.ts). Each carries the scheme its challenge names.
 */
import type { DataSource } from 'typeorm';
import type { NonceStore } from '../credentials/verify/ports.js';
import { reading } from '../db/index.js';
import { verifyDpopProof } from './dpop.js';
import { Oid4vciTokenEntity, type Oid4vciTokenRow } from './entities.js';
import { Oid4vciError } from './errors.js';
import { sha256Hex } from './secrets.js';

export interface ResourceRequest {
  readonly authorization: string | undefined;
  /** The `DPoP` header, when sent. */
  readonly dpop: string | undefined;
  readonly method: string;
  /** The endpoint's URL from PUBLIC_URL. */
  readonly url: string;
}

export interface AccessTokenDeps {
  readonly dataSource: DataSource;
  /** Where DPoP proofs' jti are spent. */
  readonly replays: NonceStore;
}

/** The scheme in any letter case (RFC 9110 §11.1), one space, the token. */
const AUTHORIZATION = /^(Bearer|DPoP) ([A-Za-z0-9_-]{43})$/i;

/** The token row of a resource request; throws `invalid_token` or `invalid_dpop_proof`. */
export async function resourceToken(
  deps: AccessTokenDeps,
  request: ResourceRequest,
  now: Date,
): Promise<Oid4vciTokenRow> {
  const match = AUTHORIZATION.exec(request.authorization ?? '');
  const scheme = /^dpop /i.test(request.authorization ?? '') ? 'DPoP' : 'Bearer';
  if (!match)
    throw new Oid4vciError(
      'invalid_token',
      'an access token of the token endpoint is required (Authorization: DPoP or Bearer)',
      401,
      scheme,
    );
  const token = match[2] as string;
  const row = await reading(deps.dataSource, undefined, (m) =>
    m.getRepository(Oid4vciTokenEntity).findOneBy({ tokenHash: sha256Hex(token) }),
  );
  if (!row || row.expiresAt <= now.toISOString())
    throw new Oid4vciError('invalid_token', 'the access token is unknown or has expired', 401, scheme);
  if (row.dpopJkt === null) {
    if (match[1]?.toLowerCase() !== 'bearer')
      throw new Oid4vciError('invalid_token', 'this access token is not DPoP-bound: send it as Bearer', 401);
    return row;
  }
  if (match[1]?.toLowerCase() !== 'dpop')
    throw new Oid4vciError(
      'invalid_token',
      'this access token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof',
      401,
      'DPoP',
    );
  await verifyDpopProof(
    {
      proof: request.dpop,
      method: request.method,
      url: request.url,
      accessToken: token,
      boundJkt: row.dpopJkt,
      status: 401,
      now,
    },
    deps.replays,
  );
  return row;
}
