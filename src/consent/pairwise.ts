/**
 * The citizen under pseudonyms (issue 11 item 4; docs/consent.md, "Privacy by design"):
 *
 * - **pairwise identifier**: what one controller (and its recipients) know the citizen as:
 *   `base64url(HMAC-SHA256(K_pairwise, controllerDid ‖ 0x00 ‖ citizenKey))`, 43 characters.
 *   Stable for a controller, different for each, and without K_pairwise not linkable across
 *   controllers nor back to the citizen (like OpenID Connect's pairwise `sub`, Core §8.1).
 * - **citizen hash**: `hex(HMAC-SHA256(K_citizen, citizenKey))`, the index of a citizen's own
 *   records. Keyed, so that a database dump cannot be searched for a known wallet DID or
 *   personal identifier.
 * - **sealed receipt**: the receipt JWT (it names the wallet DID) under AES-256-GCM with
 *   K_receipt, its consent id as associated data, so that the database holds no wallet DID in
 *   clear and a sealed receipt moved to another record does not open.
 *
 * The three keys are derived with HKDF-SHA256 (RFC 5869) from the key-encryption secret, each
 * under its own `info`, so every replica derives the same keys and none is stored.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** A citizen as the wallet login established them. Never stored as such (see the hashes above). */
export interface Citizen {
  /**
   * The natural person's stable key: `pid:<issuer DID>:<identifier>` when the rulebook names an
   * identifier claim, else `did:<wallet DID>`. See citizenFromLogin.
   */
  readonly key: string;
  /** The DID of the wallet that logged in: the subject of the receipts issued now. */
  readonly wallet: string;
}

export interface ConsentKeys {
  pairwiseId(controllerDid: string, citizenKey: string): string;
  citizenHash(citizenKey: string): string;
  seal(plaintext: string, consentId: string): string;
  /** Throws when the sealed text was altered or belongs to another consent. */
  open(sealed: string, consentId: string): string;
}

const derive = (secret: Buffer, info: string): Buffer =>
  Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `dataspace-trust consent ${info} v1`, 32));

/** The consent keys, derived from the key-encryption secret (64 hex characters). */
export function consentKeys(secretHex: string): ConsentKeys {
  if (!/^[0-9a-f]{64}$/i.test(secretHex))
    throw new RangeError('the key-encryption secret is 64 hex characters');
  const secret = Buffer.from(secretHex, 'hex');
  const pairwise = derive(secret, 'pairwise');
  const citizen = derive(secret, 'citizen index');
  const receipt = derive(secret, 'receipt');
  return {
    pairwiseId(controllerDid, citizenKey) {
      // The separator cannot occur in a DID, so no two (controller, key) pairs share an input.
      return createHmac('sha256', pairwise)
        .update(controllerDid, 'utf8')
        .update(Buffer.of(0))
        .update(citizenKey, 'utf8')
        .digest('base64url');
    },
    citizenHash(citizenKey) {
      return createHmac('sha256', citizen).update(citizenKey, 'utf8').digest('hex');
    },
    seal(plaintext, consentId) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', receipt, iv);
      cipher.setAAD(Buffer.from(consentId, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url')).join('.');
    },
    open(sealed, consentId) {
      const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
      if (!iv || !tag || !body) throw new Error('not a sealed receipt');
      const decipher = createDecipheriv('aes-256-gcm', receipt, iv);
      decipher.setAAD(Buffer.from(consentId, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    },
  };
}
