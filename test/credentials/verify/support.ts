/**
 * Factories for the verification tests: keys, DIDs (did:jwk, did:key; did:web is in
 * local-web.ts), hand-made JWS tokens, credential and presentation payloads in both data
 * models, trust-anchor directories, an offline pipeline (real DID resolution, trust registry
 * and schemas, no database) and one-line assertions on results.
 *
 * Tokens are signed here with node:crypto directly, not through the code under test, so a
 * test can say exactly which bytes an attacker sends.
 */
import { strict as assert } from 'node:assert';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createSchemaRegistry, loadCredentialSchemas } from '../../../src/credentials/schemas/index.js';
import { didKeyLookup, registrySchemas, registryTrust } from '../../../src/credentials/verify/adapters.js';
import { toLowS } from '../../../src/credentials/verify/ecdsa-low-s.js';
import { VCDM1_CONTEXT, VCDM2_CONTEXT } from '../../../src/credentials/verify/model.js';
import {
  type KeyLookup,
  type NonceStore,
  type StatusLookup,
  StatusLookupError,
} from '../../../src/credentials/verify/ports.js';
import type { CheckName } from '../../../src/credentials/verify/result.js';
import type { CredentialVerifierDeps } from '../../../src/credentials/verify/verify-credential.js';
import type { PresentationVerifierDeps } from '../../../src/credentials/verify/verify-presentation.js';
import { createDidResolver, type DidResolver, encodeMultibaseKey } from '../../../src/did/index.js';
import type { PublicJwk } from '../../../src/did/types.js';
import { createTrustRegistry, loadTrustAnchors, type TrustRegistry } from '../../../src/trust/index.js';
import { directoryWith } from '../../support/temp-dir.js';

/** The frozen instant most tests verify at. */
export const NOW = new Date('2026-03-01T12:00:00.000Z');
export const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);
export const addSeconds = (date: Date, delta: number): Date => new Date(date.getTime() + delta * 1000);
export const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---------------------------------------------------------------------------------------------
// Keys and DIDs

export type Algorithm = 'EdDSA' | 'ES256';
export const ALGORITHMS: readonly Algorithm[] = ['EdDSA', 'ES256'];

export interface TestKey {
  readonly alg: Algorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public JWK: kty, crv, x (and y for P-256) only. */
  readonly publicJwk: PublicJwk;
  /** The private scalar / seed, 32 bytes (what other libraries take as a raw private key). */
  readonly privateBytes: Uint8Array;
}

export function generateTestKey(alg: Algorithm): TestKey {
  const { privateKey, publicKey } =
    alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const publicJwk = (y === undefined ? { kty, crv, x } : { kty, crv, x, y }) as PublicJwk;
  const privateBytes = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url');
  return { alg, privateKey, publicKey, publicJwk, privateBytes };
}

/** Someone who signs: a DID, the key id (a DID URL) its document gives the key, and the key. */
export interface TestSigner {
  readonly did: string;
  readonly kid: string;
  readonly key: TestKey;
}

export function didJwkSigner(alg: Algorithm = 'EdDSA', key: TestKey = generateTestKey(alg)): TestSigner {
  const did = `did:jwk:${Buffer.from(JSON.stringify(key.publicJwk)).toString('base64url')}`;
  return { did, kid: `${did}#0`, key };
}

export function didKeySigner(alg: Algorithm = 'EdDSA', key: TestKey = generateTestKey(alg)): TestSigner {
  const multibase = encodeMultibaseKey({ curve: alg === 'EdDSA' ? 'Ed25519' : 'P-256', jwk: key.publicJwk });
  const did = `did:key:${multibase}`;
  return { did, kid: `${did}#${multibase}`, key };
}

// ---------------------------------------------------------------------------------------------
// Compact JWS, made by hand

export const base64urlJson = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * The JWS signature of `input` (RFC 7518 §3.4: ES256 as raw r||s unless DER is asked for).
 * Raw ES256 signatures are given in low-S form, so a test's outcome never depends on which
 * half s falls in (ES256_LOW_S_ONLY refuses the other); a test that wants the other form flips
 * it explicitly (highS).
 */
export function signatureOf(
  key: TestKey,
  input: string,
  dsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363',
): Buffer {
  const data = Buffer.from(input, 'ascii');
  if (key.alg === 'EdDSA') return sign(null, data, key.privateKey);
  const signature = sign('sha256', data, { key: key.privateKey, dsaEncoding });
  return dsaEncoding === 'der' ? signature : toLowS(signature);
}

/** The same ES256 signature in its other, high-S encoding: (r, n − s). */
export function highS(signature: Uint8Array): Buffer {
  const low = toLowS(signature);
  const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
  const s = n - BigInt(`0x${low.subarray(32).toString('hex')}`);
  return Buffer.concat([low.subarray(0, 32), Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]);
}

/** A compact JWS of exactly this header and payload, signed by `key` over their encodings. */
export function signJws(
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
  key: TestKey,
  dsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363',
): string {
  const input = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  return `${input}.${signatureOf(key, input, dsaEncoding).toString('base64url')}`;
}

/** Signed by `signer` with `{ alg, typ: JWT, kid }`; `header` overrides or removes (undefined) members. */
export function signedBy(
  signer: TestSigner,
  payload: Readonly<Record<string, unknown>>,
  header: Readonly<Record<string, unknown>> = {},
): string {
  const full = dropUndefined({ alg: signer.key.alg, typ: 'JWT', kid: signer.kid, ...header });
  return signJws(full, payload, signer.key);
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

// ---------------------------------------------------------------------------------------------
// Credentials and presentations

export type CredentialFormat = 'jwt_vc_json' | 'vc+jwt';
export const FORMATS: readonly CredentialFormat[] = ['jwt_vc_json', 'vc+jwt'];
export const TYP: Readonly<Record<CredentialFormat, string>> = { jwt_vc_json: 'JWT', 'vc+jwt': 'vc+jwt' };

export const LEGAL_PERSON = 'LegalPersonCredential';

/** A LegalPersonCredential subject that satisfies the data space's schema. */
export function legalPerson(
  id: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> & { id: string } {
  return {
    id,
    legalName: 'Stadtwerke Musterstadt GmbH',
    registrationNumber: 'HRB 12345',
    country: 'DE',
    ...overrides,
  };
}

export interface CredentialClaims {
  readonly issuer: string;
  readonly subject: Readonly<Record<string, unknown>> & { readonly id: string };
  /** The specific types after VerifiableCredential (default LegalPersonCredential). */
  readonly types?: readonly string[];
  /** validFrom / issuanceDate, iat and nbf (default NOW minus one hour). */
  readonly validFrom?: Date;
  /** validUntil / expirationDate and exp, when given. */
  readonly validUntil?: Date;
  readonly status?: readonly unknown[];
  readonly id?: string;
}

/** A credential payload in either data model, with consistent JWT claims beside it. */
export function credentialPayload(
  format: CredentialFormat,
  claims: CredentialClaims,
): Record<string, unknown> {
  const validFrom = claims.validFrom ?? addSeconds(NOW, -3600);
  const id = claims.id ?? 'urn:uuid:9e1e0e43-51b8-4b0a-9c39-1f3c2d8d3a10';
  const type = ['VerifiableCredential', ...(claims.types ?? [LEGAL_PERSON])];
  const jwt = {
    iss: claims.issuer,
    sub: claims.subject.id,
    jti: id,
    iat: seconds(validFrom),
    nbf: seconds(validFrom),
    ...(claims.validUntil ? { exp: seconds(claims.validUntil) } : {}),
  };
  const status = claims.status ? { credentialStatus: claims.status } : {};
  if (format === 'vc+jwt') {
    return {
      '@context': [VCDM2_CONTEXT],
      id,
      type,
      issuer: claims.issuer,
      validFrom: isoSeconds(validFrom),
      ...(claims.validUntil ? { validUntil: isoSeconds(claims.validUntil) } : {}),
      credentialSubject: claims.subject,
      ...status,
      ...jwt,
    };
  }
  return {
    ...jwt,
    vc: {
      '@context': [VCDM1_CONTEXT],
      type,
      issuer: claims.issuer,
      issuanceDate: isoSeconds(validFrom),
      ...(claims.validUntil ? { expirationDate: isoSeconds(claims.validUntil) } : {}),
      credentialSubject: claims.subject,
      ...status,
    },
  };
}

/** A credential signed by `issuer` (its DID is the issuer claim) about `subject`. */
export function credentialBy(
  issuer: TestSigner,
  format: CredentialFormat,
  claims: Omit<CredentialClaims, 'issuer'> = { subject: legalPerson(didJwkSigner().did) },
  header: Readonly<Record<string, unknown>> = {},
): string {
  return signedBy(issuer, credentialPayload(format, { issuer: issuer.did, ...claims }), {
    typ: TYP[format],
    ...header,
  });
}

export type PresentationFormat = 'jwt_vp_json' | 'vp+jwt';

export interface PresentationClaims {
  readonly holder: string;
  readonly credentials: readonly string[];
  /** The challenge; omitted when undefined. */
  readonly nonce?: string | undefined;
  /** The verifier; omitted when undefined. */
  readonly audience?: string | undefined;
  /** Default: NOW. */
  readonly issuedAt?: Date;
  readonly expiresAt?: Date;
}

/** A presentation payload: VCDM 1.1 `vp` claim, or VCDM 2.0 with EnvelopedVerifiableCredential entries. */
export function presentationPayload(
  format: PresentationFormat,
  claims: PresentationClaims,
): Record<string, unknown> {
  const issuedAt = claims.issuedAt ?? NOW;
  const jwt = dropUndefined({
    iss: claims.holder,
    nonce: claims.nonce,
    aud: claims.audience,
    iat: seconds(issuedAt),
    exp: claims.expiresAt ? seconds(claims.expiresAt) : undefined,
  });
  if (format === 'vp+jwt') {
    return {
      '@context': [VCDM2_CONTEXT],
      type: ['VerifiablePresentation'],
      holder: claims.holder,
      verifiableCredential: claims.credentials.map((jwt) => ({
        '@context': VCDM2_CONTEXT,
        id: `data:application/vc+jwt,${jwt}`,
        type: 'EnvelopedVerifiableCredential',
      })),
      ...jwt,
    };
  }
  return {
    ...jwt,
    vp: {
      '@context': [VCDM1_CONTEXT],
      type: ['VerifiablePresentation'],
      verifiableCredential: [...claims.credentials],
    },
  };
}

export function presentationBy(
  holder: TestSigner,
  format: PresentationFormat,
  claims: Omit<PresentationClaims, 'holder'>,
  header: Readonly<Record<string, unknown>> = {},
): string {
  const typ = format === 'vp+jwt' ? 'vp+jwt' : 'JWT';
  return signedBy(holder, presentationPayload(format, { holder: holder.did, ...claims }), { typ, ...header });
}

// ---------------------------------------------------------------------------------------------
// Trust anchors, the offline pipeline

/** One anchor file: a DID, or (SD-JWT VC issuers only) an https `issuer` URL. */
export type AnchorSpec = ({ readonly did: string } | { readonly issuer: string }) & {
  readonly credentialTypes: readonly string[];
  readonly claims?: readonly Record<string, unknown>[];
  readonly validFrom?: string;
  readonly validUntil?: string;
};

/** A trust-anchors directory (trust-anchors/README.md format) holding one file per anchor. */
export function anchorsDirectory(anchors: readonly AnchorSpec[]): { dir: string; remove: () => void } {
  return directoryWith(
    Object.fromEntries(
      anchors.map((anchor, index) => [`anchor-${index}.json`, { name: `Test issuer ${index}`, ...anchor }]),
    ),
  );
}

/** The trust registry those anchors make, beside a stand-in service DID. */
export function registryOf(anchors: readonly AnchorSpec[]): TrustRegistry {
  const { dir, remove } = anchorsDirectory(anchors);
  try {
    return createTrustRegistry({
      anchors: loadTrustAnchors(dir),
      serviceDid: 'did:web:trust-service.example',
      serviceTypes: ['MembershipCredential'],
    });
  } finally {
    remove();
  }
}

/** A nonce store in memory: one use per scope and nonce. */
export function memoryNonces(): NonceStore {
  const used = new Set<string>();
  return {
    async consume(scope, nonce) {
      const key = JSON.stringify([scope, nonce]);
      if (used.has(key)) return false;
      used.add(key);
      return true;
    },
  };
}

/** A status lookup for credentials without status: any entry is unavailable. */
export const NO_STATUS_LISTS: StatusLookup = {
  async isSet() {
    throw new StatusLookupError('status_unavailable', 'no status lists in this test');
  },
};

export interface OfflineOptions {
  readonly anchors?: readonly AnchorSpec[];
  readonly now?: Date;
  readonly keys?: KeyLookup;
  readonly resolver?: DidResolver;
  readonly statuses?: StatusLookup;
}

/**
 * The verification pipeline's dependencies over the real DID resolver (development mode, so
 * `did:web:localhost%3A<port>` over http works), trust registry and schemas, without a
 * database. Status lists are unavailable unless `statuses` is given.
 */
export function offlineDeps(options: OfflineOptions = {}): PresentationVerifierDeps & CredentialVerifierDeps {
  const now = options.now ?? NOW;
  const resolver = options.resolver ?? createDidResolver({ developmentMode: true, cacheTtlMs: 0 });
  return {
    keys: options.keys ?? didKeyLookup(resolver),
    trust: registryTrust(registryOf(options.anchors ?? [])),
    schemas: registrySchemas(createSchemaRegistry(loadCredentialSchemas('credential-schemas'))),
    statuses: options.statuses ?? NO_STATUS_LISTS,
    nonces: memoryNonces(),
    now: () => now,
  };
}

// ---------------------------------------------------------------------------------------------
// Assertions

interface ResultLike {
  readonly verified: boolean;
  readonly checks: readonly { readonly check: string; readonly result: string; readonly code?: string }[];
}

const describeChecks = (result: ResultLike): string =>
  result.checks.map((c) => `${c.check}:${c.result}${c.code ? `(${c.code})` : ''}`).join(' ');

/** Not verified, and `check` failed with exactly `code`. */
export function assertFails(result: ResultLike, check: CheckName, code: string): void {
  const found = result.checks.find((c) => c.check === check);
  assert.equal(result.verified, false, `expected not verified: ${describeChecks(result)}`);
  assert.ok(found, `no ${check} check in ${describeChecks(result)}`);
  assert.deepEqual(
    { check: found.check, result: found.result, code: found.code },
    { check, result: 'failed', code },
    describeChecks(result),
  );
}

/** Verified, with every check passed except those skipped for a stated reason. */
export function assertVerified(result: ResultLike, skipped: Readonly<Record<string, string>> = {}): void {
  assert.equal(result.verified, true, `expected verified: ${describeChecks(result)}`);
  for (const check of result.checks) {
    const reason = skipped[check.check];
    assert.deepEqual(
      { check: check.check, result: check.result, code: check.code },
      reason === undefined
        ? { check: check.check, result: 'passed', code: undefined }
        : { check: check.check, result: 'skipped', code: reason },
      describeChecks(result),
    );
  }
}
