/**
 * What still depends on a key of the service DID: the refusal of `keys retire` while
 * credentials or status lists signed with it are in force. Retiring removes the key from the
 * DID document, so every such signature stops verifying at once, everywhere.
 *
 * A key signs from its creation until the next key of its algorithm is created, plus the time
 * other replicas may keep signing with their loaded copy (the identity cache TTL). Credentials
 * issued in that window, of that algorithm, not expired and not revoked, are in force. Status
 * lists are re-signed with the current key as soon as a replica notices the rotation, but a
 * list signed before may be held by verifiers until its validity ends.
 */
import type { DataSource } from 'typeorm';
import { isPostgres } from '../db/index.js';
import type { PublishedKey } from '../identity/index.js';

export interface KeyUsage {
  readonly kid: string;
  /** Credentials signed with the key, neither expired nor revoked. */
  readonly credentials: number;
  /** Status lists that verifiers may still hold signed with the key (0 once that time has passed). */
  readonly statusLists: number;
  /** When the last status list signed with the key stops being valid. */
  readonly statusListsValidUntil: string;
}

export interface KeyUsageOptions {
  readonly dataSource: DataSource;
  /** Seconds a signed status list stays valid (the publisher's `validitySeconds`). */
  readonly statusListValiditySeconds: number;
  /** How long a replica may keep signing with its loaded keys after a rotation. */
  readonly identityCacheTtlMs: number;
  readonly now: () => Date;
}

export async function keyUsage(
  options: KeyUsageOptions,
  retiring: readonly PublishedKey[],
  published: readonly PublishedKey[],
): Promise<KeyUsage[]> {
  const now = options.now();
  const p = isPostgres(options.dataSource);
  const [a, from, until, at] = p ? ['$1', '$2', '$3', '$4'] : ['?', '?', '?', '?'];
  const countCredentials = `SELECT COUNT(*) AS count FROM credential_issuance i
     WHERE i.algorithm = ${a} AND i.issued_at >= ${from} AND i.issued_at < ${until}
       AND (i.valid_until IS NULL OR i.valid_until > ${at})
       AND NOT EXISTS (SELECT 1 FROM status_entry e
         WHERE e.credential_id = i.id AND e.purpose = 'revocation' AND e.status = 1)`;
  const [{ lists }] = (await options.dataSource.query('SELECT COUNT(*) AS lists FROM status_list')) as [
    { lists: number | string },
  ];
  const usage: KeyUsage[] = [];
  for (const key of retiring) {
    const successor = published
      .filter((other) => other.algorithm === key.algorithm && other.createdAt > key.createdAt)
      .sort((x, y) => x.createdAt.localeCompare(y.createdAt))[0];
    const stoppedSigning = successor
      ? new Date(Date.parse(successor.createdAt) + options.identityCacheTtlMs)
      : new Date(8.64e15);
    const [{ count }] = (await options.dataSource.query(countCredentials, [
      key.algorithm,
      key.createdAt,
      stoppedSigning.toISOString(),
      now.toISOString(),
    ])) as [{ count: number | string }];
    const listsValidUntil = new Date(stoppedSigning.getTime() + options.statusListValiditySeconds * 1000);
    usage.push({
      kid: key.id,
      credentials: Number(count),
      statusLists: listsValidUntil > now ? Number(lists) : 0,
      statusListsValidUntil: listsValidUntil.toISOString(),
    });
  }
  return usage;
}
