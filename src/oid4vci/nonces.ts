/**
 * c_nonces (OpenID4VCI 1.0 §7): `POST /oid4vci/nonce` answers a fresh one. A c_nonce is
 * `<expiry>.<random>.<MAC>`, MACed with a key derived from the service secret: any replica
 * recognises it without a write at the unauthenticated nonce endpoint, a foreign or altered one
 * fails the MAC, a stale one its expiry. It is spent (single use, across replicas) in the
 * database's used-nonce table in the transaction that issues the credentials.
 *
 * Codes: `invalid_nonce` (missing, malformed, foreign, expired, used before).
 */
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { TransactionalNonceStore } from '../credentials/nonce-store.js';
import { Oid4vciError } from './errors.js';
import type { IssuerSecrets } from './secrets.js';

/** How long a c_nonce may be used, in seconds. */
export const C_NONCE_TTL_SECONDS = 300;

const PURPOSE = 'c_nonce';
const SCOPE = 'oid4vci:c_nonce';
const SHAPE = /^(\d{10,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export class CNonces {
  constructor(
    private readonly secrets: IssuerSecrets,
    private readonly store: TransactionalNonceStore,
    private readonly now: () => Date,
  ) {}

  issue(): { c_nonce: string; expiresIn: number } {
    const expiry = Math.floor(this.now().getTime() / 1000) + C_NONCE_TTL_SECONDS;
    const body = `${expiry}.${randomBytes(16).toString('base64url')}`;
    return { c_nonce: `${body}.${this.secrets.mac(PURPOSE, body)}`, expiresIn: C_NONCE_TTL_SECONDS };
  }

  /** Throws `invalid_nonce` unless `nonce` is one of ours and still fresh; returns its expiry. */
  check(nonce: unknown): Date {
    const match = typeof nonce === 'string' ? SHAPE.exec(nonce) : null;
    if (!match) throw new Oid4vciError('invalid_nonce', 'the key proof carries no c_nonce of this issuer');
    const [, expiry, random, mac] = match as unknown as [string, string, string, string];
    if (!this.secrets.macMatches(PURPOSE, `${expiry}.${random}`, mac))
      throw new Oid4vciError('invalid_nonce', 'the c_nonce was not issued by this issuer');
    const expiresAt = new Date(Number(expiry) * 1000);
    if (expiresAt.getTime() <= this.now().getTime())
      throw new Oid4vciError('invalid_nonce', 'the c_nonce has expired; fetch a fresh one');
    return expiresAt;
  }

  /** Spends the c_nonce inside the issuing transaction; throws `invalid_nonce` when it was used. */
  async spend(manager: EntityManager, nonce: string, expiresAt: Date): Promise<void> {
    if (!(await this.store.consumeIn(manager, SCOPE, nonce, expiresAt)))
      throw new Oid4vciError('invalid_nonce', 'the c_nonce was used before; fetch a fresh one');
  }
}
