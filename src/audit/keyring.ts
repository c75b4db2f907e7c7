/**
 * Which keys may have signed a checkpoint, for as long as checkpoints exist.
 *
 * A checkpoint is worth something only if whoever verifies it can tell that the service DID
 * signed it, also years later, after the key that signed it was retired (its private key
 * deleted, its verification method gone from the DID document). The choice made here:
 *
 * - The **roots** are the keys of the service's current DID document (active and previous
 *   keys): a database admin cannot add one, because the service decrypts every live key at
 *   start with a secret that is not in the database.
 * - **Retired keys** are known from **key-history statements** that travel in the audit log
 *   itself: `keys rotate` appends an `operator.keys.rotated` entry whose `history` is a JWS
 *   (`typ: key-history+jwt`) signed by the new key, naming every superseded key of the DID
 *   with its public JWK. A superseded key is trusted when a trusted key vouches for it; the
 *   statements are followed back from the roots, rotation by rotation.
 * - The `identity_key` table also keeps retired public keys, but it is **not** used for
 *   verification: a database admin could add a key of their own there, and then forge
 *   checkpoints that it "signed". A statement in the log needs a private key of the service.
 *
 * Keys retired before key-history statements existed are unknown to a verifier: checkpoints
 * they signed report `checkpoint_signature_invalid` (fail closed).
 */
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import type { JsonValue } from './canonical.js';
import { CHECKPOINT_TYP } from './checkpoint.js';

/** The JOSE `typ` of a key-history statement. */
export const KEY_HISTORY_TYP = 'key-history+jwt';
/** The audit kind of a key rotation, whose `data.history` is a key-history statement. */
export const KEY_ROTATION_KIND = 'operator.keys.rotated';

const ALGORITHMS = new Set(['EdDSA', 'ES256']);

/** The part of a DID document a verifier reads. */
export interface KeyDocument {
  readonly id: string;
  readonly verificationMethod?: readonly { readonly id: string; readonly publicKeyJwk?: JWK }[];
}

/** A public key of the service DID, by verification method id (`did#thumbprint`). */
export interface KnownKey {
  readonly id: string;
  readonly publicJwk: JWK;
}

/** Keys trusted to have signed for `did`. */
export interface Keyring {
  readonly did: string;
  key(kid: string): JWK | undefined;
  readonly size: number;
}

/**
 * Builds the keyring: the document's keys, then every key vouched for by a key-history
 * statement signed by a key already trusted (repeated until nothing new is learnt).
 * Statements that do not verify are ignored (never trusted, never an error).
 */
export async function buildKeyring(document: KeyDocument, statements: readonly string[]): Promise<Keyring> {
  const did = document.id;
  const trusted = new Map<string, JWK>();
  for (const method of document.verificationMethod ?? []) {
    if (typeof method?.id === 'string' && method.id.startsWith(`${did}#`) && method.publicKeyJwk) {
      trusted.set(method.id, method.publicKeyJwk);
    }
  }
  let pending = [...new Set(statements)];
  for (let learnt = true; learnt && pending.length > 0; ) {
    learnt = false;
    const rest: string[] = [];
    for (const statement of pending) {
      const keys = await vouchedKeys(statement, did, trusted);
      if (keys === undefined) {
        rest.push(statement);
        continue;
      }
      for (const key of keys) {
        if (!trusted.has(key.id)) {
          trusted.set(key.id, key.publicJwk);
          learnt = true;
        }
      }
    }
    pending = rest;
  }
  return { did, key: (kid) => trusted.get(kid), size: trusted.size };
}

/** The keys a statement vouches for, or undefined when its signer is not (yet) trusted or it is not valid. */
async function vouchedKeys(
  statement: string,
  did: string,
  trusted: ReadonlyMap<string, JWK>,
): Promise<KnownKey[] | undefined> {
  const payload = await verifiedPayload(statement, KEY_HISTORY_TYP, did, trusted);
  if (!payload || payload.sub !== did || !Array.isArray(payload.keys)) return undefined;
  const keys: KnownKey[] = [];
  for (const entry of payload.keys as unknown[]) {
    const { id, publicJwk } = (entry ?? {}) as { id?: unknown; publicJwk?: unknown };
    if (typeof id !== 'string' || publicJwk === null || typeof publicJwk !== 'object') return undefined;
    // The fragment is the key's thumbprint (RFC 7638): an id cannot be given to another key.
    try {
      if (id !== `${did}#${await calculateJwkThumbprint(publicJwk as JWK, 'sha256')}`) return undefined;
    } catch {
      return undefined;
    }
    keys.push({ id, publicJwk: publicJwk as JWK });
  }
  return keys;
}

/**
 * Verifies a compact JWS of `typ` by a key in `keys` (by its `kid`), issued by `did`; answers
 * its payload, or undefined for anything else (never throws).
 */
export async function verifiedPayload(
  jws: unknown,
  typ: string,
  did: string,
  keys: { get(kid: string): JWK | undefined } | Keyring,
): Promise<Record<string, unknown> | undefined> {
  if (typeof jws !== 'string' || jws.length > 16_384) return undefined;
  try {
    const header = decodeProtectedHeader(jws);
    if (header.typ !== typ || typeof header.alg !== 'string' || !ALGORITHMS.has(header.alg)) return undefined;
    if (typeof header.kid !== 'string' || !header.kid.startsWith(`${did}#`)) return undefined;
    const jwk = 'get' in keys ? keys.get(header.kid) : keys.key(header.kid);
    if (!jwk || (jwk.alg !== undefined && jwk.alg !== header.alg)) return undefined;
    const { payload } = await compactVerify(jws, await importJWK({ ...jwk, alg: header.alg }, header.alg), {
      algorithms: [header.alg],
    });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as unknown;
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
    const record = claims as Record<string, unknown>;
    return record.iss === did ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a checkpoint's JWS verifies under the keyring and states exactly `size` and `headHash`. */
export async function checkpointSignedBy(
  checkpoint: { readonly size: number; readonly headHash: string; readonly signature: string },
  keyring: Keyring,
): Promise<boolean> {
  const payload = await verifiedPayload(checkpoint.signature, CHECKPOINT_TYP, keyring.did, keyring);
  return payload !== undefined && payload.size === checkpoint.size && payload.head === checkpoint.headHash;
}

/** The key-history statement carried by an entry, if it is a key rotation. */
export function keyHistoryOf(entry: { readonly kind: string; readonly data: JsonValue }): string | undefined {
  if (entry.kind !== KEY_ROTATION_KIND || entry.data === null || typeof entry.data !== 'object')
    return undefined;
  const history = (entry.data as Record<string, JsonValue>).history;
  return typeof history === 'string' ? history : undefined;
}

/** What `keyRotationEvent` records: the rotation as `ServiceIdentity.rotate` reports it. */
export interface RotationFacts {
  /** The new keys (active from now on). */
  readonly added: readonly KnownKey[];
  /** Every other key of the DID still published (superseded, not yet retired). */
  readonly superseded: readonly KnownKey[];
}

/**
 * The audit event of a key rotation by the operator, with its key-history statement signed by
 * `signer` (the service DID's new key): the statement is what keeps checkpoints signed by the
 * superseded keys verifiable after they are retired.
 */
export async function keyRotationEvent(
  signer: {
    readonly did: string;
    sign(payload: Record<string, unknown>, options: { typ: string }): Promise<string>;
  },
  facts: RotationFacts,
  now: Date,
) {
  const history = await signer.sign(
    {
      iss: signer.did,
      sub: signer.did,
      iat: Math.floor(now.getTime() / 1000),
      keys: facts.superseded.map((key) => ({ id: key.id, publicJwk: key.publicJwk })),
    },
    { typ: KEY_HISTORY_TYP },
  );
  return {
    kind: KEY_ROTATION_KIND,
    actor: 'operator',
    subject: signer.did,
    data: {
      added: facts.added.map((key) => key.id),
      superseded: facts.superseded.map((key) => key.id),
      history,
    },
  };
}
