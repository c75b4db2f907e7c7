/**
 * Relying parties registered by the operator (`dataspace-trust clients add|list|remove`).
 *
 * Client secrets are stored hashed (`sha256:<hex>`), never in a form that can be read back:
 * they are 256-bit random values generated here, so one SHA-256 is as strong as a slow KDF
 * (there is nothing to brute-force). oidc-provider compares secrets through
 * `Client.prototype.compareClientSecret`, which provider.ts replaces with a hash comparison;
 * that is why the only secret-based authentication methods enabled are `client_secret_basic`
 * and `client_secret_post`: `client_secret_jwt` and HS* ID tokens would need the plain secret.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { inTransaction, isUniqueViolation, reading } from '../db/index.js';
import { OidcClientEntity } from './entities.js';
import { OidcError } from './errors.js';
import { isConnectorScope } from './scopes.js';

export const SECRET_HASH_PREFIX = 'sha256:';

export interface ClientInput {
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  /** Scopes the client may ask for; default `openid`. */
  readonly scopes?: readonly string[];
  /** The client authenticates with `private_key_jwt`, its keys at this URL. */
  readonly jwksUri?: string;
  /** The client authenticates with `private_key_jwt`, with these public keys. */
  readonly jwks?: { readonly keys: readonly Record<string, unknown>[] };
  readonly postLogoutRedirectUris?: readonly string[];
  readonly clientName?: string;
  /** How its ID tokens are signed (`id_token_signed_response_alg`): ES256 unless given. */
  readonly idTokenSignedResponseAlg?: string;
}

export interface RegisteredClient {
  readonly client_id: string;
  readonly redirect_uris: readonly string[];
  readonly post_logout_redirect_uris: readonly string[];
  readonly grant_types: readonly string[];
  readonly response_types: readonly string[];
  readonly scope: string;
  readonly token_endpoint_auth_method: 'client_secret_basic' | 'private_key_jwt';
  readonly jwks_uri?: string;
  readonly jwks?: { readonly keys: readonly Record<string, unknown>[] };
  readonly client_name?: string;
  readonly id_token_signed_response_alg?: IdTokenAlgorithm;
  /** Only in the answer of `add`: it is never shown again. */
  readonly client_secret?: string;
}

const CLIENT_ID = /^[A-Za-z0-9._~-]{1,255}$/;

/** The algorithms an ID token may be signed with (RS256 by the token key, the others by the DID's keys). */
export const ID_TOKEN_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type IdTokenAlgorithm = (typeof ID_TOKEN_ALGORITHMS)[number];

export function hashClientSecret(secret: string): string {
  return `${SECRET_HASH_PREFIX}${createHash('sha256').update(secret, 'utf8').digest('hex')}`;
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function clientSecretMatches(stored: unknown, presented: unknown): boolean {
  if (typeof stored !== 'string' || typeof presented !== 'string' || !stored.startsWith(SECRET_HASH_PREFIX))
    return false;
  const expected = Buffer.from(stored.slice(SECRET_HASH_PREFIX.length), 'hex');
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function checkRedirectUri(uri: string, name: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new OidcError('invalid_client_metadata', `${name} ${JSON.stringify(uri)} is not an absolute URL`);
  }
  if (url.hash) throw new OidcError('invalid_client_metadata', `${name} must not have a fragment`);
  if (url.username || url.password)
    throw new OidcError('invalid_client_metadata', `${name} must not hold user information`);
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new OidcError('invalid_client_metadata', `${name} must use https (http only on loopback)`);
  }
  return uri;
}

/** The operator's client registry. */
export class ClientRegistry {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Registers a client; the answer holds the generated `client_secret` (unless keys are given),
   * which is stored only as a hash. `client_exists`, `invalid_client_metadata`.
   */
  async add(input: ClientInput): Promise<RegisteredClient> {
    if (!CLIENT_ID.test(input.clientId ?? '')) {
      throw new OidcError('invalid_client_metadata', 'client id: 1 to 255 of A-Z a-z 0-9 . _ ~ -');
    }
    if (!input.redirectUris || input.redirectUris.length === 0) {
      throw new OidcError('invalid_client_metadata', 'at least one redirect URI is needed');
    }
    const redirectUris = input.redirectUris.map((uri) => checkRedirectUri(uri, 'redirect URI'));
    const postLogout = (input.postLogoutRedirectUris ?? []).map((uri) =>
      checkRedirectUri(uri, 'post-logout redirect URI'),
    );
    const scopes = [...new Set(['openid', ...(input.scopes ?? [])])];
    if (!scopes.every((scope) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) {
      throw new OidcError('invalid_client_metadata', 'a scope is a non-empty token without spaces or quotes');
    }
    // Connector scopes open member APIs: only a member's own connector (its DID as client id) gets them.
    const connectorScopes = scopes.filter(isConnectorScope);
    if (connectorScopes.length > 0) {
      throw new OidcError(
        'invalid_client_metadata',
        `${connectorScopes.join(', ')}: connector scopes are for members' connectors, which need no registration`,
      );
    }
    if (input.jwksUri !== undefined && input.jwks !== undefined) {
      throw new OidcError('invalid_client_metadata', 'give a JWKS URI or a JWKS, not both');
    }
    if (input.jwksUri !== undefined) {
      const url = new URL(input.jwksUri);
      if (url.protocol !== 'https:' && url.hostname !== 'localhost' && url.hostname !== '127.0.0.1') {
        throw new OidcError('invalid_client_metadata', 'the JWKS URI must use https');
      }
    }
    const alg = input.idTokenSignedResponseAlg;
    if (alg !== undefined && !(ID_TOKEN_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new OidcError(
        'invalid_client_metadata',
        `the ID token algorithm is one of ${ID_TOKEN_ALGORITHMS.join(', ')}`,
      );
    }
    const keys = input.jwksUri !== undefined || input.jwks !== undefined;
    const secret = keys ? undefined : randomBytes(32).toString('base64url');
    const client: RegisteredClient = {
      client_id: input.clientId,
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogout,
      grant_types: keys
        ? ['authorization_code', 'refresh_token', 'client_credentials']
        : ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: scopes.join(' '),
      token_endpoint_auth_method: keys ? 'private_key_jwt' : 'client_secret_basic',
      ...(input.jwksUri !== undefined ? { jwks_uri: input.jwksUri } : {}),
      ...(input.jwks !== undefined ? { jwks: input.jwks } : {}),
      ...(input.clientName !== undefined ? { client_name: input.clientName } : {}),
      ...(alg !== undefined ? { id_token_signed_response_alg: alg as IdTokenAlgorithm } : {}),
    };
    const stored = secret === undefined ? client : { ...client, client_secret: hashClientSecret(secret) };
    await inTransaction(this.dataSource, undefined, async (manager) => {
      const repository = manager.getRepository(OidcClientEntity);
      if (await repository.findOneBy({ clientId: input.clientId })) {
        throw new OidcError('client_exists', `a client ${input.clientId} is registered already`);
      }
      await repository.insert({
        clientId: input.clientId,
        metadata: JSON.stringify(stored),
        createdAt: this.now().toISOString(),
      });
    });
    return secret === undefined ? client : { ...client, client_secret: secret };
  }

  /**
   * Registers, or brings up to date, a first-party client of the service itself (the portal)
   * whose secret the service derives from its own key-encryption secret, so that every replica
   * and every restart knows it without storing it. Idempotent: run at every start; the row is
   * rewritten only when PUBLIC_URL (its redirect URIs) or the scopes changed. Two replicas
   * starting together may both try to insert: the loser finds the winner's row, which is the same.
   */
  async ensureFirstParty(input: ClientInput & { readonly secret: string }): Promise<void> {
    const redirectUris = input.redirectUris.map((uri) => checkRedirectUri(uri, 'redirect URI'));
    const postLogout = (input.postLogoutRedirectUris ?? []).map((uri) =>
      checkRedirectUri(uri, 'post-logout redirect URI'),
    );
    const stored: RegisteredClient = {
      client_id: input.clientId,
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogout,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: [...new Set(['openid', ...(input.scopes ?? [])])].join(' '),
      token_endpoint_auth_method: 'client_secret_basic',
      ...(input.clientName !== undefined ? { client_name: input.clientName } : {}),
      client_secret: hashClientSecret(input.secret),
    };
    const metadata = JSON.stringify(stored);
    const write = () =>
      inTransaction(this.dataSource, undefined, async (manager) => {
        const repository = manager.getRepository(OidcClientEntity);
        const row = await repository.findOneBy({ clientId: input.clientId });
        if (row?.metadata === metadata) return;
        if (row) await repository.update({ clientId: input.clientId }, { metadata });
        else
          await repository.insert({
            clientId: input.clientId,
            metadata,
            createdAt: this.now().toISOString(),
          });
      });
    try {
      await write();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await write();
    }
  }

  /** Every registered client, without secrets. */
  async list(): Promise<RegisteredClient[]> {
    const rows = await reading(this.dataSource, undefined, (manager) =>
      manager.getRepository(OidcClientEntity).find({ order: { clientId: 'ASC' } }),
    );
    return rows.map((row) => {
      const { client_secret: _secret, ...client } = JSON.parse(row.metadata) as RegisteredClient;
      return client;
    });
  }

  /** Removes a client; `client_not_found` if there is none. */
  async remove(clientId: string): Promise<void> {
    const result = await reading(this.dataSource, undefined, (manager) =>
      manager.getRepository(OidcClientEntity).delete({ clientId }),
    );
    if (!result.affected) throw new OidcError('client_not_found', `no client ${clientId} is registered`);
  }
}
