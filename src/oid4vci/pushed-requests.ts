/**
 * Pushed authorization requests (RFC 9126), as HAIP asks with the authorization code grant.
 * `POST /oid4vci/par` takes the parameters of an authorization request as a form, checks them
 * exactly as the authorization endpoint does (authorization-request.ts, and the offer of an
 * `issuer_state`), stores the checked request and answers
 * `{ request_uri: "urn:ietf:params:oauth:request_uri:<random>", expires_in: 60 }` (§2.2). The
 * authorization endpoint then takes `client_id` and `request_uri` only (§4): the request is
 * used once (one conditional DELETE, on any replica), within its minute, by the client that
 * pushed it.
 *
 * Codes: those of the authorization request; `invalid_request` (a `request_uri` pushed, a
 * parameter repeated; at the authorization endpoint an unknown, used or expired `request_uri`,
 * another `client_id`, other parameters beside the two, or no `request_uri` where PAR is
 * required).
 */
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { inTransaction } from '../db/index.js';
import type { AuthorizationRequest } from './authorization-request.js';
import { Oid4vciPushedRequestEntity } from './entities.js';
import { Oid4vciError } from './errors.js';
import { sha256Hex } from './secrets.js';

export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
export const PUSHED_REQUEST_TTL_SECONDS = 60;
const REQUEST_URI = /^urn:ietf:params:oauth:request_uri:([A-Za-z0-9_-]{43})$/;

/** A form body as a record in which a repeated parameter is an array (so the checks refuse it). */
export function formParameters(raw: string): Record<string, string | string[]> {
  const parameters: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    const seen = parameters[name];
    parameters[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return parameters;
}

export class PushedRequests {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date,
  ) {}

  /** Stores a checked request; its `request_uri` and lifetime (RFC 9126 §2.2). */
  async push(request: AuthorizationRequest): Promise<{ request_uri: string; expires_in: number }> {
    const random = randomBytes(32).toString('base64url');
    const at = this.now();
    await inTransaction(this.dataSource, undefined, (m) =>
      m.getRepository(Oid4vciPushedRequestEntity).insert({
        requestUriHash: sha256Hex(random),
        clientId: request.clientId,
        request: JSON.stringify(request),
        createdAt: at.toISOString(),
        expiresAt: new Date(at.getTime() + PUSHED_REQUEST_TTL_SECONDS * 1000).toISOString(),
      }),
    );
    return { request_uri: `${REQUEST_URI_PREFIX}${random}`, expires_in: PUSHED_REQUEST_TTL_SECONDS };
  }

  /**
   * The authorization endpoint's `client_id` + `request_uri` (RFC 9126 §4): the pushed request,
   * spent; throws `invalid_request`. Another client's `client_id` spends nothing.
   */
  async take(query: Record<string, unknown>): Promise<AuthorizationRequest> {
    const others = Object.keys(query).filter((name) => name !== 'client_id' && name !== 'request_uri');
    if (others.length > 0)
      throw new Oid4vciError(
        'invalid_request',
        `with request_uri the authorization request carries client_id only (not ${others.join(', ')})`,
      );
    const { client_id: clientId, request_uri: requestUri } = query;
    if (typeof clientId !== 'string' || clientId.length === 0)
      throw new Oid4vciError('invalid_request', 'client_id is required');
    const match = typeof requestUri === 'string' ? REQUEST_URI.exec(requestUri) : null;
    if (!match)
      throw new Oid4vciError(
        'invalid_request',
        `request_uri must be one ${REQUEST_URI_PREFIX} of this issuer`,
      );
    const hash = sha256Hex(match[1] as string);
    const at = this.now().toISOString();
    return inTransaction(this.dataSource, undefined, async (m) => {
      const row = await m.getRepository(Oid4vciPushedRequestEntity).findOneBy({ requestUriHash: hash });
      if (!row || row.expiresAt <= at)
        throw new Oid4vciError(
          'invalid_request',
          'request_uri is unknown, used or expired: push the request again',
        );
      if (row.clientId !== clientId)
        throw new Oid4vciError('invalid_request', 'request_uri was pushed by another client_id');
      const spent = await m
        .createQueryBuilder()
        .delete()
        .from(Oid4vciPushedRequestEntity)
        .where('request_uri_hash = :hash AND expires_at > :at', { hash, at })
        .execute();
      if (spent.affected !== 1)
        throw new Oid4vciError(
          'invalid_request',
          'request_uri is unknown, used or expired: push the request again',
        );
      return JSON.parse(row.request) as AuthorizationRequest;
    });
  }
}
