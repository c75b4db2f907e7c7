/**
 * Wallet-login transactions in the database, so the wallet's `direct_post`, the browser's poll
 * and the return to the relying party may each land on any replica. Every state change is a
 * conditional UPDATE (`WHERE status = ...`): of two concurrent attempts exactly one wins.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction, reading } from '../db/index.js';
import { Oid4vpTransactionEntity, type Oid4vpTransactionRow } from './entities.js';

export type Flow = 'same-device' | 'cross-device';
export type TransactionKind = 'login' | 'signing';
export const TRANSACTION_TTL_SECONDS = 600;

export interface LoginOutcome {
  readonly accountId: string;
  readonly amr: readonly string[];
}

/** What a signing request's verified answer says (read by the portal, never a login). */
export interface SigningOutcome {
  /** The DID that signed the presentation(s). */
  readonly holder: string;
  /** The answer as posted: credential query id → presentations (each re-verifiable). */
  readonly vpToken: Readonly<Record<string, readonly string[]>>;
  /** The nonce of the request, which the presentations carry (a capability may verify them again). */
  readonly nonce?: string;
  /** The `transaction_data` item strings the presentations cover. */
  readonly transactionData: readonly string[];
  /** Credential query id → the credential's issuer, subject and types. */
  readonly matches: Readonly<
    Record<string, { readonly issuer: string; readonly subject: string; readonly types: readonly string[] }>
  >;
}

/** The item strings of a transaction's `transaction_data` column. */
export function transactionDataOf(row: Oid4vpTransactionRow): string[] {
  return row.transactionData ? (JSON.parse(row.transactionData) as string[]) : [];
}

export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');
export const randomToken = (): string => randomBytes(32).toString('base64url');

export class TransactionStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date,
  ) {}

  async create(input: {
    interactionUid: string;
    clientId: string;
    query: unknown;
    /** The base64url `transaction_data` items (OpenID4VP §5.1), checked by the caller. */
    transactionData?: readonly string[];
    kind?: TransactionKind;
  }): Promise<Oid4vpTransactionRow> {
    const at = this.now();
    const row: Oid4vpTransactionRow = {
      state: randomToken(),
      nonce: randomToken(),
      interactionUid: input.interactionUid,
      clientId: input.clientId,
      query: JSON.stringify(input.query),
      flow: null,
      status: 'pending',
      result: null,
      responseCodeHash: null,
      createdAt: at.toISOString(),
      expiresAt: new Date(at.getTime() + TRANSACTION_TTL_SECONDS * 1000).toISOString(),
      transactionData:
        input.transactionData && input.transactionData.length > 0
          ? JSON.stringify(input.transactionData)
          : null,
      kind: input.kind ?? 'login',
      refusal: null,
    };
    await reading(this.dataSource, undefined, (manager) =>
      manager.getRepository(Oid4vpTransactionEntity).insert(row),
    );
    return row;
  }

  /** The live transaction of `state` (not expired), whatever its status. */
  async find(state: string, manager?: EntityManager): Promise<Oid4vpTransactionRow | undefined> {
    const row = await reading(this.dataSource, manager, (m) =>
      m.getRepository(Oid4vpTransactionEntity).findOneBy({ state }),
    );
    if (!row || row.expiresAt <= this.now().toISOString()) return undefined;
    return row;
  }

  /** Records which flow the wallet follows (the first fetch of the request object decides). */
  async setFlow(state: string, flow: Flow): Promise<void> {
    await reading(this.dataSource, undefined, (manager) =>
      manager
        .createQueryBuilder()
        .update(Oid4vpTransactionEntity)
        .set({ flow })
        .where('state = :state AND flow IS NULL', { state })
        .execute(),
    );
  }

  /**
   * `pending` → `presented` with the verified login, in the caller's transaction; false when
   * another presentation won (a replay). Returns the one-time response code for same-device.
   */
  async markPresented(
    manager: EntityManager,
    state: string,
    outcome: LoginOutcome | SigningOutcome,
  ): Promise<{ won: boolean; responseCode: string }> {
    const responseCode = randomToken();
    const result = await manager
      .createQueryBuilder()
      .update(Oid4vpTransactionEntity)
      .set({
        status: 'presented',
        result: JSON.stringify(outcome),
        responseCodeHash: sha256Hex(responseCode),
      })
      .where('state = :state AND status = :pending', { state, pending: 'pending' })
      .execute();
    return { won: result.affected === 1, responseCode };
  }

  /**
   * `pending` → `refused` with the refusal's code (a signing request's answer the verifier
   * refused); false when another answer won. Only the code is kept, never what was presented.
   */
  async markRefused(state: string, code: string): Promise<boolean> {
    const result = await reading(this.dataSource, undefined, (manager) =>
      manager
        .createQueryBuilder()
        .update(Oid4vpTransactionEntity)
        .set({ status: 'refused', refusal: code })
        .where('state = :state AND status = :pending', { state, pending: 'pending' })
        .execute(),
    );
    return result.affected === 1;
  }

  /** The presented, unfinished transaction of an interaction, if any. */
  async presentedFor(interactionUid: string): Promise<Oid4vpTransactionRow | undefined> {
    const rows = await reading(this.dataSource, undefined, (manager) =>
      manager
        .getRepository(Oid4vpTransactionEntity)
        .findBy({ interactionUid, status: 'presented', kind: 'login' }),
    );
    return rows.find((row) => row.expiresAt > this.now().toISOString());
  }

  /** `presented` → `finished`; false when it was finished already (the response code is one-time). */
  async finish(state: string): Promise<boolean> {
    return inTransaction(this.dataSource, undefined, async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(Oid4vpTransactionEntity)
        .set({ status: 'finished' })
        .where('state = :state AND status = :presented', { state, presented: 'presented' })
        .execute();
      return result.affected === 1;
    });
  }
}
