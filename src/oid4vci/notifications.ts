/**
 * The notification endpoint (OpenID4VCI 1.0 §11): the wallet tells whether it kept the
 * credentials of one credential response (`credential_accepted`), failed to store them
 * (`credential_failure`) or deleted them (`credential_deleted`). Only the access token that got
 * those credentials may notify about them. Each notification is recorded in the audit log
 * (kind `oid4vci.credential.<event>`, actor the member's DID, subject the notification id); an
 * `event_description` only as its SHA-256 (`descriptionHash`), since the log is public.
 *
 * The access token is checked as at the credential endpoint (access-tokens.ts, DPoP included).
 *
 * Codes: `invalid_token` (401), `invalid_dpop_proof` (401), `invalid_notification_id`,
 * `invalid_notification_request`.
 */
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditEvent } from '../audit/event.js';
import type { NonceStore } from '../credentials/verify/ports.js';
import { inTransaction } from '../db/index.js';
import { resourceToken } from './access-tokens.js';
import { Oid4vciNotificationEntity } from './entities.js';
import { Oid4vciError } from './errors.js';

export const NOTIFICATION_EVENTS = [
  'credential_accepted',
  'credential_failure',
  'credential_deleted',
] as const;

export interface NotificationAudit {
  append(event: AuditEvent, manager: EntityManager): Promise<unknown>;
}

export interface NotifyDeps {
  readonly dataSource: DataSource;
  readonly audit: NotificationAudit;
  /** Where DPoP proofs' jti are spent. */
  readonly replays: NonceStore;
  /** The notification endpoint's URL (a DPoP proof's `htu`). */
  readonly url: string;
  readonly now: () => Date;
}

export async function notify(
  deps: NotifyDeps,
  headers: { readonly authorization: string | undefined; readonly dpop: string | undefined },
  body: unknown,
): Promise<void> {
  const now = deps.now();
  const token = await resourceToken(
    { dataSource: deps.dataSource, replays: deps.replays },
    { ...headers, method: 'POST', url: deps.url },
    now,
  );
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new Oid4vciError('invalid_notification_request', 'the notification is a JSON object');
  const { notification_id: id, event, event_description: description } = body as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0 || id.length > 64)
    throw new Oid4vciError('invalid_notification_request', 'notification_id is required');
  if (!NOTIFICATION_EVENTS.includes(event as (typeof NOTIFICATION_EVENTS)[number]))
    throw new Oid4vciError(
      'invalid_notification_request',
      `event must be one of ${NOTIFICATION_EVENTS.join(', ')}`,
    );
  if (description !== undefined && (typeof description !== 'string' || description.length > 500))
    throw new Oid4vciError(
      'invalid_notification_request',
      'event_description is a string of at most 500 characters',
    );
  await inTransaction(deps.dataSource, undefined, async (manager) => {
    const row = await manager.getRepository(Oid4vciNotificationEntity).findOneBy({ id });
    if (!row || row.tokenHash !== token.tokenHash || row.expiresAt <= now.toISOString())
      throw new Oid4vciError(
        'invalid_notification_id',
        'this access token got no credentials under that notification_id',
      );
    await manager.getRepository(Oid4vciNotificationEntity).update({ id }, { event: event as string });
    await deps.audit.append(
      {
        kind: `oid4vci.${(event as string).replace('_', '.')}`,
        actor: row.subject,
        subject: id,
        data: {
          configuration: row.configurationId,
          credentials: JSON.parse(row.credentialIds) as string[],
          // The wallet's free text stays out of the public log (it can hold anything, control
          // characters and bidirectional overrides included); its hash shows one was sent.
          ...(typeof description === 'string'
            ? { descriptionHash: createHash('sha256').update(description, 'utf8').digest('hex') }
            : {}),
        },
      },
      manager,
    );
  });
}
