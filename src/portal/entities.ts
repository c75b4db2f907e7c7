import { EntitySchema } from 'typeorm';

/** One portal session, as migration PortalSessions1795000000250 stores it. */
export interface PortalSessionRow {
  /** Lower-case hex SHA-256 of the session id (the cookie's value). */
  idHash: string;
  /** The sealed SessionData (sessions.ts). */
  data: string;
  /** The provider's account (ID token `sub`) once logged in: a member's logins end by it. */
  accountId: string | null;
  /** Keyed hash of the citizen's key once a citizen logged in: an erasure ends by it. */
  citizenHash: string | null;
  createdAt: string;
  lastSeenAt: string;
  /** The earlier of the idle and the absolute expiry. */
  expiresAt: string;
  absoluteExpiresAt: string;
}

const varchar = (length: number, options: { name?: string; primary?: boolean; nullable?: boolean } = {}) =>
  ({ type: 'varchar', length, ...options }) as const;

export const PortalSessionEntity = new EntitySchema<PortalSessionRow>({
  name: 'PortalSession',
  tableName: 'portal_session',
  columns: {
    idHash: varchar(64, { name: 'id_hash', primary: true }),
    data: { type: 'text' },
    accountId: varchar(64, { name: 'account_id', nullable: true }),
    citizenHash: varchar(64, { name: 'citizen_hash', nullable: true }),
    createdAt: varchar(32, { name: 'created_at' }),
    lastSeenAt: varchar(32, { name: 'last_seen_at' }),
    expiresAt: varchar(32, { name: 'expires_at' }),
    absoluteExpiresAt: varchar(32, { name: 'absolute_expires_at' }),
  },
  indices: [
    { name: 'portal_session_expires_at', columns: ['expiresAt'] },
    { name: 'portal_session_account_id', columns: ['accountId'] },
    { name: 'portal_session_citizen_hash', columns: ['citizenHash'] },
  ],
});

export const PORTAL_ENTITIES = [PortalSessionEntity];
