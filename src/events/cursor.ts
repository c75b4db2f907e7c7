/**
 * The feed's `next`: an opaque cursor, so that paging reveals nothing about other members'
 * events. Events carry one sequence for the whole service; a cursor holding the head's sequence
 * in clear would tell a member how many events the service recorded for everyone between two
 * calls. The cursor is the position under AES-256-GCM (RFC 5116) with a fresh random nonce and
 * the member's DID as associated data: it cannot be read, two cursors for the same position do
 * not look alike, and another member's cursor does not open.
 *
 * Layout: `base64url(nonce(12) ‖ ciphertext(8, the position as a big-endian uint64) ‖ tag(16))`.
 * The key is derived with HKDF-SHA256 from the key-encryption secret, so every replica opens
 * every replica's cursors and none is stored.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface FeedCursors {
  /** The opaque cursor of `position` for `memberDid`. */
  seal(position: number, memberDid: string): string;
  /** The position of a cursor sealed for `memberDid`, or undefined when it is not one. */
  open(cursor: string, memberDid: string): number | undefined;
}

const CURSOR = /^[A-Za-z0-9_-]{48}$/;

export function feedCursors(secretHex: string): FeedCursors {
  const key = Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(secretHex, 'hex'),
      Buffer.alloc(0),
      'dataspace-trust events feed cursor v1',
      32,
    ),
  );
  return {
    seal(position, memberDid) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(memberDid, 'utf8'));
      const plain = Buffer.alloc(8);
      plain.writeBigUInt64BE(BigInt(position));
      const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return sealed.toString('base64url');
    },
    open(cursor, memberDid) {
      if (!CURSOR.test(cursor)) return undefined;
      const bytes = Buffer.from(cursor, 'base64url');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
        decipher.setAAD(Buffer.from(memberDid, 'utf8'));
        decipher.setAuthTag(bytes.subarray(20, 36));
        const plain = Buffer.concat([decipher.update(bytes.subarray(12, 20)), decipher.final()]);
        const position = plain.readBigUInt64BE();
        return position <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(position) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
