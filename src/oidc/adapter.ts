/**
 * oidc-provider's storage adapter over TypeORM: every model (sessions, interactions, grants,
 * codes, tokens, ...) is a row of `oidc_model`, so that any replica over the same database
 * serves any step of a login. Clients are read from `oidc_client` (registered by the operator,
 * never through the provider). Every database use goes through `reading`/`inTransaction`
 * (src/db/transactions.ts), so on SQLite it is queued with the rest of the service.
 */
import type { DataSource } from 'typeorm';
import { inTransaction, reading } from '../db/index.js';
import { OidcClientEntity, type OidcClientRow, OidcModelEntity, type OidcModelRow } from './entities.js';

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

/** A client the operator registered, as oidc-provider expects its metadata. */
export function clientMetadata(row: OidcClientRow): AdapterPayload {
  return JSON.parse(row.metadata) as AdapterPayload;
}

/** The adapter class for `dataSource`, with its own clock (expiry is decided here, not by the database). */
export function typeormAdapter(
  dataSource: DataSource,
  now: () => Date = () => new Date(),
): AdapterConstructor {
  let lastSweep = 0;

  const alive = (row: OidcModelRow | null): AdapterPayload | undefined => {
    if (!row) return undefined;
    if (row.expiresAt !== null && row.expiresAt <= now().toISOString()) return undefined;
    const payload = JSON.parse(row.payload) as Record<string, unknown>;
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
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(now().getTime() + expiresIn * 1000).toISOString() : null;
      const row: OidcModelRow = {
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grantId: typeof payload.grantId === 'string' ? payload.grantId : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
        expiresAt,
        consumedAt: null,
      };
      await inTransaction(dataSource, undefined, async (manager) => {
        const repository = manager.getRepository(OidcModelEntity);
        // An upsert rewrites the payload but keeps a consumption already recorded.
        const existing = await repository.findOneBy({ model: this.model, id });
        if (existing)
          await repository.update({ model: this.model, id }, { ...row, consumedAt: existing.consumedAt });
        else await repository.insert(row);
      });
      await sweep();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return alive(
        await reading(dataSource, undefined, (manager) =>
          manager.getRepository(OidcModelEntity).findOneBy({ model: this.model, id }),
        ),
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

    async consume(id: string): Promise<void> {
      const consumedAt = now().toISOString();
      await reading(dataSource, undefined, (manager) =>
        manager.getRepository(OidcModelEntity).update({ model: this.model, id }, { consumedAt }),
      );
    }

    async destroy(id: string): Promise<void> {
      await reading(dataSource, undefined, (manager) =>
        manager.getRepository(OidcModelEntity).delete({ model: this.model, id }),
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
    find(id: string) {
      return this.#inner.find(id);
    }
    findByUid(uid: string) {
      return this.#inner.findByUid(uid);
    }
    findByUserCode(userCode: string) {
      return this.#inner.findByUserCode(userCode);
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
