/**
 * oidc-provider's storage adapter over TypeORM: every model (sessions, interactions, grants,
 * codes, tokens, ...) is a row of `oidc_model`, so that any replica over the same database
 * serves any step of a login. Clients are read from `oidc_client` (registered by the operator,
 * never through the provider), except members' connectors: a client id that is a DID is answered
 * by `memberClient` (member-clients.ts), derived from the registry and the DID document. Every database use goes through `reading`/`inTransaction`
 * (src/db/transactions.ts), so on SQLite it is queued with the rest of the service.
 *
 * Security properties (issue 8):
 * - Bearer values (access and refresh tokens, codes, client-credentials tokens, pushed request
 *   URIs) are stored under a SHA-256 of the value and without it in the payload: whoever reads
 *   the table cannot use them. Sessions and interactions keep their id, which is useless
 *   without the cookie signature (keys derived from the key-encryption secret).
 * - Single use is decided by the database: `consume` is one conditional UPDATE
 *   (`WHERE consumed_at IS NULL`) and only the caller whose UPDATE changed the row wins; a
 *   loser gets `invalid_grant` and, as for any replayed code or refresh token (RFC 6749 §4.1.2,
 *   OAuth 2.0 Security BCP §4.14), the grant is revoked.
 * - Replay records (`private_key_jwt` assertion `jti`) are inserted, never overwritten: a
 *   unique violation means the assertion was used already (`ReplayDetected`).
 */
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { inTransaction, isUniqueViolation, reading } from '../db/index.js';
import { holdsNul } from '../http/nul.js';
import { OidcClientEntity, type OidcClientRow, OidcModelEntity, type OidcModelRow } from './entities.js';
import { isMemberClientId } from './member-clients.js';

/** The payload oidc-provider hands the adapter; only the fields the adapter indexes are named. */
export interface AdapterPayload {
  readonly [key: string]: unknown;
  readonly grantId?: string;
  readonly uid?: string;
  readonly userCode?: string;
  readonly consumed?: unknown;
}

/** The adapter interface oidc-provider calls (one instance per model name). */
export interface ProviderAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

export type AdapterConstructor = new (name: string) => ProviderAdapter;

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Models whose id is a bearer value and that the provider only looks up by that value: stored
 * under its hash. (DeviceCode is also looked up by its user code, which could not give the
 * value back; the device flow is not enabled.)
 */
export const HASHED_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'ClientCredentials',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
]);

/** The key a bearer value is stored under: SHA-256, base64url. */
export function storageKey(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}

/** A replay record that exists already: the assertion (or proof) was used before. */
export class ReplayDetected extends Error {
  constructor() {
    super('this token was used before');
    this.name = 'ReplayDetected';
  }
}

export interface AdapterOptions {
  readonly now?: () => Date;
  /** The error a losing `consume` throws: oidc-provider's `InvalidGrant`. */
  readonly alreadyConsumed?: (model: string) => Error;
  /** The metadata of a member's connector (client id = DID), or undefined when it is none now. */
  readonly memberClient?: (did: string) => Promise<AdapterPayload | undefined>;
}

function accountOf(payload: AdapterPayload): string | null {
  const direct = payload.accountId;
  if (typeof direct === 'string') return direct;
  const session = payload.session as { accountId?: unknown } | undefined;
  if (typeof session?.accountId === 'string') return session.accountId;
  const login = (payload.result as { login?: { accountId?: unknown } } | undefined)?.login;
  return typeof login?.accountId === 'string' ? login.accountId : null;
}

/** A client the operator registered, as oidc-provider expects its metadata. */
export function clientMetadata(row: OidcClientRow): AdapterPayload {
  return JSON.parse(row.metadata) as AdapterPayload;
}

/** The adapter class for `dataSource`, with its own clock (expiry is decided here, not by the database). */
export function typeormAdapter(dataSource: DataSource, options: AdapterOptions = {}): AdapterConstructor {
  const now = options.now ?? (() => new Date());
  const alreadyConsumed =
    options.alreadyConsumed ?? ((model: string) => new Error(`${model} already consumed`));
  let lastSweep = 0;

  /** The payload of a live row; `jti` is the presented value when only its hash is stored. */
  const alive = (row: OidcModelRow | null, jti?: string): AdapterPayload | undefined => {
    if (!row) return undefined;
    if (row.expiresAt !== null && row.expiresAt <= now().toISOString()) return undefined;
    const payload = JSON.parse(row.payload) as Record<string, unknown>;
    if (jti !== undefined && HASHED_MODELS.has(row.model)) payload.jti = jti;
    return row.consumedAt !== null
      ? { ...payload, consumed: Math.floor(Date.parse(row.consumedAt) / 1000) }
      : payload;
  };

  /** Now and then, delete expired rows (any replica may; the delete is idempotent). */
  const sweep = async (): Promise<void> => {
    const at = now();
    if (at.getTime() - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = at.getTime();
    await reading(dataSource, undefined, (manager) =>
      manager
        .createQueryBuilder()
        .delete()
        .from(OidcModelEntity)
        .where('expires_at IS NOT NULL AND expires_at <= :at', { at: at.toISOString() })
        .execute(),
    );
  };

  class ClientAdapter implements ProviderAdapter {
    async find(id: string): Promise<AdapterPayload | undefined> {
      if (isMemberClientId(id)) return options.memberClient ? options.memberClient(id) : undefined;
      const row = await reading(dataSource, undefined, (manager) =>
        manager.getRepository(OidcClientEntity).findOneBy({ clientId: id }),
      );
      return row ? clientMetadata(row) : undefined;
    }
    upsert(): Promise<void> {
      return Promise.reject(
        new Error('clients are registered by the operator (dataspace-trust clients add)'),
      );
    }
    findByUid(): Promise<undefined> {
      return Promise.resolve(undefined);
    }
    findByUserCode(): Promise<undefined> {
      return Promise.resolve(undefined);
    }
    consume(): Promise<void> {
      return Promise.resolve();
    }
    destroy(): Promise<void> {
      return Promise.reject(
        new Error('clients are removed by the operator (dataspace-trust clients remove)'),
      );
    }
    revokeByGrantId(): Promise<void> {
      return Promise.resolve();
    }
  }

  class ModelAdapter implements ProviderAdapter {
    private readonly hashed: boolean;

    constructor(private readonly model: string) {
      this.hashed = HASHED_MODELS.has(model);
    }

    private key(id: string): string {
      return this.hashed ? storageKey(id) : id;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(now().getTime() + expiresIn * 1000).toISOString() : null;
      const stored: Record<string, unknown> = { ...payload };
      // The value itself never reaches the database; find() puts it back from the lookup.
      if (this.hashed) delete stored.jti;
      const row: OidcModelRow = {
        model: this.model,
        id: this.key(id),
        payload: JSON.stringify(stored),
        grantId: typeof payload.grantId === 'string' ? payload.grantId : null,
        accountId: accountOf(payload),
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
        expiresAt,
        consumedAt: null,
      };
      if (this.model === 'ReplayDetection') {
        // Insert only: of two racing uses of one assertion, the second insert fails.
        try {
          await reading(dataSource, undefined, (manager) =>
            manager.getRepository(OidcModelEntity).insert(row),
          );
        } catch (error) {
          if (isUniqueViolation(error)) throw new ReplayDetected();
          throw error;
        }
        await sweep();
        return;
      }
      await inTransaction(dataSource, undefined, async (manager) => {
        const repository = manager.getRepository(OidcModelEntity);
        // An upsert rewrites the payload but keeps a consumption already recorded.
        const existing = await repository.findOneBy({ model: this.model, id: row.id });
        if (existing)
          await repository.update(
            { model: this.model, id: row.id },
            { ...row, consumedAt: existing.consumedAt },
          );
        else await repository.insert(row);
      });
      await sweep();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return alive(
        await reading(dataSource, undefined, (manager) =>
          manager.getRepository(OidcModelEntity).findOneBy({ model: this.model, id: this.key(id) }),
        ),
        id,
      );
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return alive(
        await reading(dataSource, undefined, (manager) =>
          manager.getRepository(OidcModelEntity).findOneBy({ model: this.model, uid }),
        ),
      );
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return alive(
        await reading(dataSource, undefined, (manager) =>
          manager.getRepository(OidcModelEntity).findOneBy({ model: this.model, userCode }),
        ),
      );
    }

    /**
     * Marks the row consumed if nobody has: the affected-row count of one conditional UPDATE
     * decides. A loser revokes the grant (the value was replayed) and gets `invalid_grant`.
     */
    async consume(id: string): Promise<void> {
      const key = this.key(id);
      const result = await reading(dataSource, undefined, (manager) =>
        manager
          .createQueryBuilder()
          .update(OidcModelEntity)
          .set({ consumedAt: now().toISOString() })
          .where('model = :model AND id = :key AND consumed_at IS NULL', { model: this.model, key })
          .execute(),
      );
      if (result.affected === 1) return;
      const row = await reading(dataSource, undefined, (manager) =>
        manager.getRepository(OidcModelEntity).findOneBy({ model: this.model, id: key }),
      );
      if (row?.grantId) {
        const grantId = row.grantId;
        await reading(dataSource, undefined, (manager) =>
          manager
            .createQueryBuilder()
            .delete()
            .from(OidcModelEntity)
            .where("grant_id = :grantId OR (model = 'Grant' AND id = :grantId)", { grantId })
            .execute(),
        );
      }
      throw alreadyConsumed(this.model);
    }

    async destroy(id: string): Promise<void> {
      await reading(dataSource, undefined, (manager) =>
        manager.getRepository(OidcModelEntity).delete({ model: this.model, id: this.key(id) }),
      );
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      // Every model of the grant (codes, access and refresh tokens), not only this one's.
      await reading(dataSource, undefined, (manager) =>
        manager.getRepository(OidcModelEntity).delete({ grantId }),
      );
    }
  }

  return class Adapter implements ProviderAdapter {
    readonly #inner: ProviderAdapter;
    constructor(name: string) {
      this.#inner = name === 'Client' ? new ClientAdapter() : new ModelAdapter(name);
    }
    upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      return this.#inner.upsert(id, payload, expiresIn);
    }
    // A value from a request (a client_id in a form body, read by the provider itself, not by
    // the service's body parser) may hold U+0000, which PostgreSQL text cannot hold (22021, a
    // 500 server_error): no row has it, so it is found nowhere without asking the database.
    find(id: string) {
      return holdsNul(id) ? Promise.resolve(undefined) : this.#inner.find(id);
    }
    findByUid(uid: string) {
      return holdsNul(uid) ? Promise.resolve(undefined) : this.#inner.findByUid(uid);
    }
    findByUserCode(userCode: string) {
      return holdsNul(userCode) ? Promise.resolve(undefined) : this.#inner.findByUserCode(userCode);
    }
    consume(id: string) {
      return this.#inner.consume(id);
    }
    destroy(id: string) {
      return this.#inner.destroy(id);
    }
    revokeByGrantId(grantId: string) {
      return this.#inner.revokeByGrantId(grantId);
    }
  };
}
