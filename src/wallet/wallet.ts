/**
 * A holder wallet on disk: one DID (did:key or did:jwk, Ed25519 or P-256) whose private key is
 * encrypted with a passphrase, and the credentials issued to it. It signs what an organisation
 * or a board member sends the trust service (presentations, its application, votes, motions,
 * withdrawals) and can act as an issuer for demos (a business register issuing a
 * LegalPersonCredential). Signing runs on node:crypto KeyObjects through jose.
 */
import { createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import {
  createSchemaRegistry,
  loadCredentialSchemas,
  type SchemaRegistry,
} from '../credentials/schemas/index.js';
import { lowSCompactJws } from '../credentials/verify/ecdsa-low-s.js';
import { credentialView } from '../credentials/verify/model.js';
import type { CredentialFormat } from '../credentials/verify/result.js';
import type { DidDocument, PublicJwk } from '../did/index.js';
import { describeCredential, type StoredCredential } from './credential-record.js';
import { WalletError } from './errors.js';
import { decryptPrivateKey, encryptPrivateKey } from './key-protection.js';
import {
  assertDidControlsKey,
  DID_METHODS,
  type DidIdentity,
  type DidMethod,
  didFor,
  documentOf,
  generatePrivateKey,
  WALLET_ALGORITHMS,
  type WalletAlgorithm,
} from './keys.js';
import {
  type AgreementStatementInput,
  APPLICATION_CREDENTIAL_TYPE,
  type ApplicationDetails,
  agreementStatementPayload,
  applicationCredentialPayload,
  type IssueCredentialInput,
  issuedCredentialPayload,
  type MotionInput,
  motionPayload,
  type PresentationInput,
  presentationPayload,
  type SigningContext,
  type VoteInput,
  votePayload,
  type WithdrawalInput,
  withdrawalPayload,
} from './payloads.js';
import { confirmationKey, KB_JWT_TYP, parseStoredSdJwt, SD_JWT_FORMAT, sameJwk } from './sd-jwt.js';
import { credentialTypeOfVct, DEFAULT_SCHEMA_DIR } from './sd-jwt-types.js';
import { readCredentials, readIdentity, writeCredentials, writeIdentity } from './storage.js';

export const MIN_PASSPHRASE_LENGTH = 8;

export { DEFAULT_SCHEMA_DIR };

export interface OpenWalletOptions {
  /** The wallet directory. */
  readonly dir: string;
  readonly passphrase: string;
  /** The clock (default: the system clock). */
  readonly now?: () => Date;
  /** The data space's credential schemas (default: those in DEFAULT_SCHEMA_DIR). */
  readonly schemas?: SchemaRegistry;
}

export interface CreateWalletOptions extends OpenWalletOptions {
  /** Default `did:key`. */
  readonly method?: DidMethod;
  /** Default `EdDSA` (Ed25519); `ES256` is P-256. */
  readonly algorithm?: WalletAlgorithm;
}

export interface SignOptions {
  /** The JOSE `typ`: `JWT` for VCDM 1.1 tokens and governance JWS, `vc+jwt` for VCDM 2.0 credentials. */
  readonly typ: string;
}

/** What anyone may read from a wallet directory without the passphrase. */
export interface WalletSummary extends DidIdentity {
  readonly createdAt: string;
  readonly document: DidDocument;
  readonly credentials: readonly StoredCredential[];
}

let defaultSchemas: SchemaRegistry | undefined;
function schemasOf(options: OpenWalletOptions): SchemaRegistry {
  if (options.schemas) return options.schemas;
  defaultSchemas ??= createSchemaRegistry(loadCredentialSchemas(DEFAULT_SCHEMA_DIR));
  return defaultSchemas;
}

function passphraseOf(options: OpenWalletOptions): string {
  if (typeof options.passphrase !== 'string' || options.passphrase.length === 0) {
    throw new WalletError('invalid_argument', 'a passphrase is needed');
  }
  return options.passphrase;
}

/** Creates a wallet with a new key in `dir` (made with mode 0700); `wallet_exists` if there is one. */
export async function createWallet(options: CreateWalletOptions): Promise<Wallet> {
  const passphrase = passphraseOf(options);
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new WalletError(
      'weak_passphrase',
      `the passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`,
    );
  }
  const method = options.method ?? 'did:key';
  const algorithm = options.algorithm ?? 'EdDSA';
  if (!DID_METHODS.includes(method))
    throw new WalletError('invalid_argument', `method must be one of ${DID_METHODS.join(', ')}`);
  if (!WALLET_ALGORITHMS.includes(algorithm)) {
    throw new WalletError('invalid_argument', `algorithm must be one of ${WALLET_ALGORITHMS.join(', ')}`);
  }
  const privateKey = generatePrivateKey(algorithm);
  const identity = didFor(privateKey, method);
  assertDidControlsKey(identity, privateKey);
  const now = options.now ?? (() => new Date());
  writeIdentity(options.dir, {
    version: 1,
    ...identity,
    createdAt: now().toISOString(),
    privateKey: await encryptPrivateKey(privateKey, passphrase, identity.did),
  });
  return new Wallet(options.dir, identity, privateKey, now, schemasOf(options));
}

/**
 * Opens a wallet: `wallet_not_found`, `wrong_passphrase`, or `wallet_corrupt` when the
 * decrypted key is not the key of the DID on file.
 */
export async function openWallet(options: OpenWalletOptions): Promise<Wallet> {
  const passphrase = passphraseOf(options);
  const record = readIdentity(options.dir);
  const privateKey = await decryptPrivateKey(record.privateKey, passphrase, record.did);
  let identity: DidIdentity;
  try {
    identity = didFor(privateKey, record.method);
  } catch (cause) {
    throw new WalletError('wallet_corrupt', 'the private key is not an Ed25519 or P-256 key', [], { cause });
  }
  if (identity.did !== record.did || identity.kid !== record.kid || identity.algorithm !== record.algorithm) {
    throw new WalletError('wallet_corrupt', `the private key is not the key of ${record.did}`);
  }
  return new Wallet(options.dir, identity, privateKey, options.now ?? (() => new Date()), schemasOf(options));
}

/** The wallet's DID, document and credentials, read without the passphrase. */
export function inspectWallet(options: { readonly dir: string }): WalletSummary {
  const record = readIdentity(options.dir);
  let document: DidDocument;
  try {
    // The public JWK on file must be the key the DID names, or the summary would show another key.
    assertDidControlsKey(record, createPublicKey({ key: { ...record.publicJwk }, format: 'jwk' }));
    document = documentOf(record);
  } catch (cause) {
    throw new WalletError('wallet_corrupt', `${record.did} does not resolve to the key on file`, [], {
      cause,
    });
  }
  const { did, kid, method, algorithm, publicJwk, createdAt } = record;
  return {
    did,
    kid,
    method,
    algorithm,
    publicJwk,
    createdAt,
    document,
    credentials: readCredentials(options.dir),
  };
}

const encoder = new TextEncoder();

export class Wallet {
  readonly #privateKey: KeyObject;
  readonly #now: () => Date;
  readonly #schemas: SchemaRegistry;

  /** Use createWallet or openWallet. */
  constructor(
    readonly dir: string,
    private readonly identity: DidIdentity,
    privateKey: KeyObject,
    now: () => Date,
    schemas: SchemaRegistry,
  ) {
    this.#privateKey = privateKey;
    this.#now = now;
    this.#schemas = schemas;
  }

  get did(): string {
    return this.identity.did;
  }

  /** The verification method that signs (`kid` of every JWS). */
  get kid(): string {
    return this.identity.kid;
  }

  get method(): DidMethod {
    return this.identity.method;
  }

  get algorithm(): WalletAlgorithm {
    return this.identity.algorithm;
  }

  get publicJwk(): PublicJwk {
    return this.identity.publicJwk;
  }

  /**
   * The signing key as a private JWK (with `kid` and `alg`), for an application that must sign
   * as this DID itself (a member's app authenticating with `private_key_jwt`). Whoever holds it
   * can act as the DID: store it like the wallet's passphrase.
   */
  exportPrivateJwk(): Record<string, string> {
    const jwk = this.#privateKey.export({ format: 'jwk' }) as Record<string, string>;
    return { ...jwk, kid: this.identity.kid, alg: this.identity.algorithm };
  }

  /** The DID document, computed locally. */
  document(): DidDocument {
    return documentOf(this.identity);
  }

  /** Signs `payload` as a compact JWS with header `{ alg, typ, kid }`. */
  async sign(payload: Readonly<Record<string, unknown>>, options: SignOptions): Promise<string> {
    if (typeof options?.typ !== 'string' || options.typ.length === 0) {
      throw new WalletError('invalid_argument', 'typ must be given');
    }
    // Low-S ES256 only: the form verifiers that refuse signature malleability accept.
    return lowSCompactJws(
      await new CompactSign(encoder.encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: this.identity.algorithm, typ: options.typ, kid: this.identity.kid })
        .sign(this.#privateKey),
    );
  }

  /**
   * Issues a credential as this wallet's DID (for demos: a business register, a trust anchor).
   * When the data space has a schema for the type, the credential must fit it (`schema_violation`).
   */
  async issueCredential(input: IssueCredentialInput): Promise<string> {
    const payload = issuedCredentialPayload(this.#context(), input);
    const format: CredentialFormat = input.format ?? 'vc+jwt';
    if (this.#schemas.forType(input.type) !== undefined) this.#validate(input.type, format, payload);
    return this.sign(payload, { typ: format === 'vc+jwt' ? 'vc+jwt' : 'JWT' });
  }

  /**
   * The self-issued MembershipApplicationCredential (`jwt_vc_json`), checked against the data
   * space's schema before it is signed.
   */
  async applicationCredential(details: ApplicationDetails): Promise<string> {
    if (this.#schemas.forType(APPLICATION_CREDENTIAL_TYPE) === undefined) {
      throw new WalletError('schema_violation', `no schema for ${APPLICATION_CREDENTIAL_TYPE} is loaded`);
    }
    const payload = applicationCredentialPayload(this.#context(), details);
    this.#validate(APPLICATION_CREDENTIAL_TYPE, 'jwt_vc_json', payload);
    return this.sign(payload, { typ: 'JWT' });
  }

  /** A VCDM 1.1 presentation (`jwt_vp_json`) for `audience` with its challenge, valid 300 s. */
  async presentation(input: PresentationInput): Promise<string> {
    return this.sign(presentationPayload(this.#context(), input), { typ: 'JWT' });
  }

  /**
   * A key binding JWT (RFC 9901 §4.3) for an SD-JWT VC bound to this wallet's key: header
   * `{ alg, typ: kb+jwt }` (the verifier takes the key from `cnf`, not from a `kid`).
   */
  async keyBindingJwt(
    payload: { aud: string; nonce: string; sd_hash: string } & Record<string, unknown>,
  ): Promise<string> {
    const body = { iat: Math.floor(this.#now().getTime() / 1000), ...payload };
    return lowSCompactJws(
      await new CompactSign(encoder.encode(JSON.stringify(body)))
        .setProtectedHeader({ alg: this.identity.algorithm, typ: KB_JWT_TYP })
        .sign(this.#privateKey),
    );
  }

  /** A board member's signed vote on a motion. */
  async vote(input: VoteInput): Promise<string> {
    return this.sign(votePayload(this.#context(), input), { typ: 'JWT' });
  }

  /** A board member's signed motion (suspend, revoke, amend the rulebook, ...). */
  async motion(input: MotionInput): Promise<string> {
    return this.sign(motionPayload(this.#context(), input), { typ: 'JWT' });
  }

  /** A member's signed withdrawal from the data space. */
  async withdrawal(input: WithdrawalInput): Promise<string> {
    return this.sign(withdrawalPayload(this.#context(), input), { typ: 'JWT' });
  }

  /** A party's signed statement about an agreement (sign it, or terminate it with a reason). */
  async agreementStatement(input: AgreementStatementInput): Promise<string> {
    return this.sign(agreementStatementPayload(this.#context(), input), { typ: 'JWT' });
  }

  /**
   * Stores a credential issued to this wallet's DID (the same JWT twice is stored once), or an
   * SD-JWT VC bound to its key. `invalid_credential` when it is neither, `subject_mismatch`
   * when it is about another DID or bound to another key (it could never be presented from here). The signature is not checked here:
   * the verifier checks it when the credential is presented. `issuerUrl`: the credential issuer
   * (PUBLIC_URL) an SD-JWT VC was received from, so that its vct is stored with the credential
   * type it stands for (`credentialType`, see sd-jwt-types.ts).
   */
  async addCredential(
    jwt: string,
    received: { readonly issuerUrl?: string } = {},
  ): Promise<StoredCredential> {
    if (typeof jwt !== 'string')
      throw new WalletError('invalid_credential', 'a credential is a compact JWT string');
    const described = describeCredential(jwt, this.#now().toISOString());
    const credentialType =
      described.vct !== undefined && received.issuerUrl !== undefined
        ? credentialTypeOfVct(described.vct, received.issuerUrl)
        : undefined;
    const record = credentialType === undefined ? described : { ...described, credentialType };
    if (record.format === SD_JWT_FORMAT) {
      // An SD-JWT VC is presented with a key binding JWT of its `cnf` key: it must be ours.
      const key = confirmationKey(parseStoredSdJwt(record.jwt));
      if (!key || !sameJwk(key, this.identity.publicJwk))
        throw new WalletError(
          'subject_mismatch',
          "the SD-JWT VC is not bound (cnf.jwk) to this wallet's key",
        );
    } else if (record.subject !== this.did) {
      throw new WalletError('subject_mismatch', `the credential is about ${record.subject}, not ${this.did}`);
    }
    const stored = readCredentials(this.dir);
    const existing = stored.find((credential) => credential.jwt === record.jwt);
    if (existing && (existing.credentialType !== undefined || credentialType === undefined)) return existing;
    // Received again from its issuer: an SD-JWT VC stored without its credential type gets it.
    const kept = existing ? { ...existing, credentialType } : record;
    writeCredentials(
      this.dir,
      existing
        ? stored.map((credential) => (credential === existing ? kept : credential))
        : [...stored, kept],
    );
    return kept;
  }

  /** The stored credentials, in the order they were added; only those of `type` when given. */
  credentials(filter: { readonly type?: string } = {}): readonly StoredCredential[] {
    const all = readCredentials(this.dir);
    return filter.type === undefined
      ? all
      : all.filter((credential) => credential.types.includes(filter.type as string));
  }

  #context(): SigningContext {
    return { did: this.identity.did, now: this.#now(), jti: `urn:uuid:${randomUUID()}` };
  }

  #validate(type: string, format: CredentialFormat, payload: Record<string, unknown>): void {
    const result = this.#schemas.validate(type, credentialView(format, payload).document);
    if (!result.valid) {
      const errors = result.errors.map((error) => `${error.path || '/'} ${error.message}`);
      throw new WalletError('schema_violation', `the ${type} does not fit its schema`, errors);
    }
  }
}
