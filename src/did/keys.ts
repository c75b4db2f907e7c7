import type { KeyObject } from 'node:crypto';
import { KeySelectionError } from './errors.js';
import {
  ALGORITHM_OF_CURVE,
  type CheckedKey,
  checkPublicJwk,
  decodeMultibaseKey,
  type KeyCurve,
  KeyMaterialError,
  publicKeyObject,
  type VerificationAlgorithm,
} from './key-material.js';
import {
  DID_CORE_RELATIONSHIPS,
  type DidDocument,
  type VerificationMethod,
  type VerificationRelationship,
} from './types.js';

/**
 * Takes the key that may verify a signature out of a DID document (DID Core §5.3
 * "Verification Relationships"). Fails closed:
 * - the kid must name a method of *this* DID: `did#frag` with the document's own id, or a
 *   relative `#frag`; a method of another DID is never followed;
 * - the method must be granted by the requested relationship, by reference to
 *   `verificationMethod` or embedded: an authentication-only key never signs assertions,
 *   and there is no fallback to `verificationMethod` as a whole;
 * - without a kid, the relationship must grant exactly one method;
 * - the method's controller must be the document's DID;
 * - supported method types: JsonWebKey2020 / JsonWebKey (publicKeyJwk), Multikey and
 *   Ed25519VerificationKey2020 (publicKeyMultibase), Ed25519 and P-256 only;
 * - a JWK with private members, `use` other than "sig", or `key_ops` without "verify" is refused;
 *   its `alg`, when present, must be the algorithm of its curve.
 */
export type { VerificationAlgorithm } from './key-material.js';

export interface VerificationKey {
  /** The absolute DID URL of the verification method. */
  readonly id: string;
  readonly publicKey: KeyObject;
  /** The JWS algorithms this key may verify (a subset of the service's allow-list). */
  readonly algorithms: readonly VerificationAlgorithm[];
}

export interface SelectKeyOptions {
  /** The JWS `kid` (absolute DID URL or `#fragment`); optional when only one method qualifies. */
  readonly kid?: string;
  readonly relationship: VerificationRelationship;
}

const OTHER_KEY_FORMATS = ['publicKeyBase58', 'publicKeyHex', 'publicKeyPem', 'publicKeyBase64'];
const ALGORITHMS_OF_CURVE: Readonly<Record<KeyCurve, readonly VerificationAlgorithm[]>> = {
  Ed25519: Object.freeze([ALGORITHM_OF_CURVE.Ed25519]),
  'P-256': Object.freeze([ALGORITHM_OF_CURVE['P-256']]),
};

// Imported keys by their key material, so that verifying never re-imports a key. Bounded:
// the least recently used key is dropped first.
const KEY_CACHE_SIZE = 1000;
const keyCache = new Map<string, { readonly curve: KeyCurve; readonly publicKey: KeyObject }>();

function importCached(cacheKey: string, check: () => CheckedKey): { curve: KeyCurve; publicKey: KeyObject } {
  const hit = keyCache.get(cacheKey);
  if (hit !== undefined) {
    keyCache.delete(cacheKey);
    keyCache.set(cacheKey, hit);
    return hit;
  }
  const checked = check();
  const entry = { curve: checked.curve, publicKey: publicKeyObject(checked) };
  keyCache.set(cacheKey, entry);
  if (keyCache.size > KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
  return entry;
}

/**
 * A holder's public JWK (e.g. an SD-JWT VC's `cnf.jwk`) imported through the same bounded
 * cache as DID keys: checked structurally on every call (private members refused), imported
 * once. Throws KeyMaterialError (`malformed`, `private`, `unsupported`).
 */
export function importPublicJwk(jwk: unknown): { curve: KeyCurve; publicKey: KeyObject } {
  const checked = checkPublicJwk(jwk);
  return importCached(`jwk ${checked.curve} ${checked.jwk.x} ${checked.jwk.y ?? ''}`, () => checked);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(code: 'unknown_key' | 'unsupported_key' | 'invalid_key', message: string): never {
  throw new KeySelectionError(code, message);
}

function jwkKey(method: VerificationMethod): { curve: KeyCurve; publicKey: KeyObject } {
  const jwk = method.publicKeyJwk;
  if (!isRecord(jwk) || method.publicKeyMultibase !== undefined) {
    fail('invalid_key', `${method.type} needs publicKeyJwk and nothing else`);
  }
  // Structural check on every call (cheap, refuses private members); the import is cached.
  const checked = checkPublicJwk(jwk);
  const key = importCached(`jwk ${checked.curve} ${checked.jwk.x} ${checked.jwk.y ?? ''}`, () => checked);
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    fail('invalid_key', `the JWK is for use "${String(jwk.use)}", not signatures`);
  }
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    fail('invalid_key', 'the JWK key_ops do not include "verify"');
  }
  if (jwk.alg !== undefined && jwk.alg !== ALGORITHM_OF_CURVE[key.curve]) {
    fail(
      'unsupported_key',
      `the JWK alg ${String(jwk.alg)} is not ${ALGORITHM_OF_CURVE[key.curve]} for ${key.curve}`,
    );
  }
  return key;
}

function multibaseKey(method: VerificationMethod): { curve: KeyCurve; publicKey: KeyObject } {
  const value = method.publicKeyMultibase;
  if (typeof value !== 'string' || method.publicKeyJwk !== undefined) {
    fail('invalid_key', `${method.type} needs publicKeyMultibase and nothing else`);
  }
  return importCached(`multibase ${value}`, () => decodeMultibaseKey(value));
}

function keyOf(method: VerificationMethod): { curve: KeyCurve; publicKey: KeyObject } {
  if (OTHER_KEY_FORMATS.some((member) => Object.hasOwn(method, member))) {
    fail('invalid_key', 'the method carries more than one key representation');
  }
  try {
    switch (method.type) {
      case 'JsonWebKey2020':
      case 'JsonWebKey':
        return jwkKey(method);
      case 'Multikey':
        return multibaseKey(method);
      case 'Ed25519VerificationKey2020': {
        const key = multibaseKey(method);
        if (key.curve !== 'Ed25519') {
          fail('invalid_key', 'an Ed25519VerificationKey2020 must hold an Ed25519 key');
        }
        return key;
      }
      default:
        return fail('unsupported_key', `verification method type ${String(method.type)} is not supported`);
    }
  } catch (error) {
    if (!(error instanceof KeyMaterialError)) throw error;
    fail(error.problem === 'unsupported' ? 'unsupported_key' : 'invalid_key', error.message);
  }
}

/** Every method object of the document (declared and embedded), by absolute id. */
function methodsById(document: DidDocument, absolute: (id: string) => string): Map<string, unknown[]> {
  const byId = new Map<string, unknown[]>();
  const add = (method: unknown): void => {
    if (!isRecord(method) || typeof method.id !== 'string') return;
    const id = absolute(method.id);
    byId.set(id, [...(byId.get(id) ?? []), method]);
  };
  if (Array.isArray(document.verificationMethod)) document.verificationMethod.forEach(add);
  for (const relationship of DID_CORE_RELATIONSHIPS) {
    const entries = document[relationship];
    if (Array.isArray(entries)) for (const entry of entries) if (typeof entry !== 'string') add(entry);
  }
  return byId;
}

/**
 * The verification key for a kid under a relationship, or KeySelectionError. See the module
 * notes for the rules. Returns a cached KeyObject when the key material was imported before.
 */
export function selectVerificationKey(document: DidDocument, options: SelectKeyOptions): VerificationKey {
  // A resolved document is frozen and shared by every caller until its DID's keys change (see
  // resolver.ts), so the key it grants for a relationship and kid is remembered on the object
  // itself: the walk below and the JWK checks run once per document, not once per token. Only
  // successes are kept, at most SELECTED_PER_DOCUMENT per document (kids come from tokens).
  const memo = Object.isFrozen(document) ? selectedKeys.get(document) : undefined;
  const memoKey = `${options.relationship} ${options.kid ?? ''}`;
  const known = memo?.get(memoKey);
  if (known !== undefined) return known;
  const selected = selectUncached(document, options);
  if (Object.isFrozen(document)) {
    const keys = memo ?? new Map<string, VerificationKey>();
    if (keys.size < SELECTED_PER_DOCUMENT) keys.set(memoKey, Object.freeze(selected));
    if (memo === undefined) selectedKeys.set(document, keys);
  }
  return selected;
}

const SELECTED_PER_DOCUMENT = 16;
const selectedKeys = new WeakMap<DidDocument, Map<string, VerificationKey>>();

function selectUncached(document: DidDocument, options: SelectKeyOptions): VerificationKey {
  const did = document.id;
  const { relationship, kid } = options;
  const absolute = (id: string): string => (id.startsWith('#') ? `${did}${id}` : id);
  const ownsId = (id: string): boolean => id.startsWith(`${did}#`) && id.length > did.length + 1;
  const declared = Array.isArray(document.verificationMethod) ? document.verificationMethod : [];
  const all = methodsById(document, absolute);

  // The ids this relationship grants, each with the method it designates.
  const granted = new Map<string, unknown>();
  const entries: readonly unknown[] = Array.isArray(document[relationship])
    ? (document[relationship] as unknown[])
    : [];
  for (const entry of entries) {
    const embedded = isRecord(entry) && typeof entry.id === 'string';
    if (typeof entry !== 'string' && !embedded) continue;
    const id = absolute(typeof entry === 'string' ? entry : (entry.id as string));
    if (!ownsId(id)) continue;
    // References point into verificationMethod only; a method embedded under another relationship is not borrowed.
    const method =
      typeof entry === 'string'
        ? declared.find(
            (candidate) =>
              isRecord(candidate) && typeof candidate.id === 'string' && absolute(candidate.id) === id,
          )
        : entry;
    if (method !== undefined) granted.set(id, method);
  }

  let id: string;
  if (kid !== undefined) {
    if (typeof kid !== 'string') fail('unknown_key', 'the kid must be a string');
    id = absolute(kid);
    if (!ownsId(id)) fail('unknown_key', `the kid ${kid} is not a verification method of ${did}`);
    if (!granted.has(id)) {
      const reason = all.has(id)
        ? `is not granted by ${relationship}`
        : 'is not a verification method of the document';
      fail('unknown_key', `${id} ${reason}`);
    }
  } else {
    const ids = [...granted.keys()];
    if (ids.length !== 1) {
      fail('unknown_key', `no kid given and ${relationship} of ${did} has ${ids.length} methods`);
    }
    id = ids[0] as string;
  }
  if ((all.get(id)?.length ?? 0) > 1) fail('invalid_key', `several verification methods have the id ${id}`);

  const method = granted.get(id) as VerificationMethod;
  if (method.controller !== did) {
    fail('invalid_key', `${id} is controlled by ${String(method.controller)}, not ${did}`);
  }
  const key = keyOf(method);
  return { id, publicKey: key.publicKey, algorithms: ALGORITHMS_OF_CURVE[key.curve] };
}
