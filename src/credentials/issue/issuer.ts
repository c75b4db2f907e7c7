import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction, isUniqueViolation, reading } from '../../db/index.js';
import type { SigningAlgorithm } from '../../identity/index.js';
import { canonicalJson } from '../../json/canonical.js';
import { IssuanceEntity, type IssuanceRow } from '../entities.js';
import { disclosedPayload, holderPublicJwk, signSdJwt } from '../sd-jwt/issue.js';
import type { VctRegistry } from '../sd-jwt/vct.js';
import type { JwtSigner } from '../sign.js';
import type { CredentialFormat, SdJwtFormat } from '../verify/result.js';
import { type CredentialContent, credentialDocument, credentialPayload } from './build.js';
import { IssuanceError } from './errors.js';

export interface IssueRequest {
  /** The data-space credential type, e.g. `MembershipCredential`. */
  readonly type: string;
  /** The subject's claims; `id` is the subject DID. */
  readonly subject: Readonly<Record<string, unknown>> & { readonly id: string };
  readonly format?: CredentialFormat | SdJwtFormat;
  readonly algorithm?: SigningAlgorithm;
  /** `dc+sd-jwt`: the holder's public JWK, bound as `cnf.jwk` (required for that format). */
  readonly holderKey?: unknown;
  /**
   * `dc+sd-jwt`: the credential whose status this one follows (a member's MembershipCredential):
   * revoking or suspending it flips this one's Token Status List entry in the same transaction.
   */
  readonly follows?: string;
  readonly validFrom?: Date;
  readonly validUntil?: Date;
  /** A retry with the same key and request returns the same credential; another request with it is refused. */
  readonly idempotencyKey?: string;
  /**
   * What the issuance record keeps as the subject, instead of `subject.id` (at most 500
   * characters). A consent receipt keeps its consent id, so that the database does not list
   * citizens' wallet DIDs in clear.
   */
  readonly recordAs?: string;
}

export interface IssuedCredential {
  readonly id: string;
  /** The compact JWT, or for `dc+sd-jwt` the SD-JWT with every disclosure (`…~`). */
  readonly jwt: string;
  readonly format: CredentialFormat | SdJwtFormat;
  readonly type: string;
  readonly subject: string;
  readonly statusEntries: readonly Readonly<Record<string, unknown>>[];
  /** True when an earlier issuance under the same idempotency key was returned. */
  readonly replayed: boolean;
}

export interface IssuerSchemas {
  has(type: string): boolean;
  schemaUrl(type: string): string;
  validate(
    type: string,
    credential: Readonly<Record<string, unknown>>,
  ): { valid: boolean; errors: readonly string[] };
}

export interface IssuerDeps {
  readonly dataSource: DataSource;
  readonly signer: JwtSigner;
  readonly schemas: IssuerSchemas;
  /**
   * JSON-LD contexts after the base context of either data model, defining the data space's
   * types and claims (the service's `/contexts/dataspace/{version}`).
   */
  readonly contexts?: readonly string[];
  /** Allocates the credentialStatus entries inside the issuance transaction. */
  readonly allocateStatus: (
    credentialId: string,
    manager: EntityManager,
  ) => Promise<Readonly<Record<string, unknown>>[]>;
  readonly now?: () => Date;
  /** SD-JWT VC issuance: the vct registry and the Token Status List allocation. */
  readonly sdJwt?: {
    readonly vcts: VctRegistry;
    allocateToken(
      credentialId: string,
      follows: string | undefined,
      manager: EntityManager,
    ): Promise<{ readonly idx: number; readonly uri: string }>;
  };
}

/**
 * The format of the data space's own credentials (MembershipCredential, BoardMemberCredential):
 * VCDM 1.1 as JWT, `jwt_vc_json`, the one W3C JWT format OpenID4VP 1.0 identifies (Appendix
 * B.1.3.1, whose [VC_DATA] is VCDM 1.1; it names no identifier for VCDM 2.0 `vc+jwt`). A wallet
 * whose DCQL matcher compares formats strictly then finds them for the login's query.
 */
export const DATA_SPACE_CREDENTIAL_FORMAT: CredentialFormat = 'jwt_vc_json';

const TYP: Record<CredentialFormat, string> = { 'vc+jwt': 'vc+jwt', jwt_vc_json: 'JWT' };

/**
 * Issues credentials signed by the service DID: schema-checked before anything is written,
 * status entries allocated and the issuance recorded in one transaction, idempotent under a
 * caller-given key.
 */
export class CredentialIssuer {
  private readonly now: () => Date;

  constructor(private readonly deps: IssuerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Issues one credential. With `manager` (a caller's active transaction, e.g. a governance
   * decision) the status allocation and the issuance record commit or roll back with it.
   */
  async issue(request: IssueRequest, manager?: EntityManager): Promise<IssuedCredential> {
    if (request.format === 'dc+sd-jwt') return this.issueSdJwt(request, manager);
    const format = request.format ?? 'vc+jwt';
    const algorithm = request.algorithm ?? 'EdDSA';
    this.validateRequest(request, format);
    const requestHash = hashRequest(request, format, algorithm);
    if (request.idempotencyKey !== undefined) {
      const key = request.idempotencyKey;
      const earlier = await reading(this.deps.dataSource, manager, (m) =>
        m.getRepository(IssuanceEntity).findOneBy({ idempotencyKey: key }),
      );
      if (earlier) return this.replay(earlier, request, requestHash);
    }
    const validFrom = request.validFrom ?? this.now();
    const content: Omit<CredentialContent, 'statusEntries'> = {
      id: `urn:uuid:${randomUUID()}`,
      type: request.type,
      issuer: this.deps.signer.did,
      subject: request.subject,
      validFrom,
      validUntil: request.validUntil,
      schemaUrl: this.deps.schemas.schemaUrl(request.type),
      contexts: this.deps.contexts ?? [],
    };
    // Schema first: a credential that violates its schema leaves no trace at all.
    this.validateSchema(format, { ...content, statusEntries: [] });
    try {
      return await inTransaction(this.deps.dataSource, manager, async (manager) => {
        const statusEntries = await this.deps.allocateStatus(content.id, manager);
        const full = { ...content, statusEntries };
        const jwt = await this.sign(format, algorithm, full);
        const row: IssuanceRow = {
          id: content.id,
          type: request.type,
          subject: request.recordAs ?? request.subject.id,
          format,
          algorithm,
          issuedAt: this.now().toISOString(),
          validFrom: validFrom.toISOString(),
          validUntil: request.validUntil?.toISOString() ?? null,
          statusEntries: JSON.stringify(statusEntries),
          idempotencyKey: request.idempotencyKey ?? null,
          requestHash,
        };
        await manager.getRepository(IssuanceEntity).insert(row);
        return {
          id: content.id,
          jwt,
          format,
          type: request.type,
          subject: request.subject.id,
          statusEntries,
          replayed: false,
        };
      });
    } catch (error) {
      // Two retries raced: the other one recorded the issuance; answer with it. (Not inside a
      // caller's transaction: on PostgreSQL that transaction is aborted, so the error is theirs.)
      if (request.idempotencyKey !== undefined && manager === undefined && isUniqueViolation(error)) {
        const key = request.idempotencyKey;
        const winner = await reading(this.deps.dataSource, undefined, (m) =>
          m.getRepository(IssuanceEntity).findOneBy({ idempotencyKey: key }),
        );
        if (winner) return this.replay(winner, request, requestHash);
      }
      throw error;
    }
  }

  /**
   * An SD-JWT VC (`dc+sd-jwt`) bound to the holder's key, with a Token Status List entry
   * allocated (and the issuance recorded) in one transaction. Not idempotent: its salts are
   * random, so a retry is a new credential (`idempotencyKey` is refused).
   */
  private async issueSdJwt(request: IssueRequest, manager?: EntityManager): Promise<IssuedCredential> {
    const sdJwt = this.deps.sdJwt;
    const type = sdJwt?.vcts.byType(request.type);
    if (!sdJwt || !type)
      throw new IssuanceError('unknown_type', `the data space defines no SD-JWT VC type for ${request.type}`);
    if (request.idempotencyKey !== undefined)
      throw new IssuanceError('invalid_request', 'an SD-JWT VC is not issued under an idempotency key');
    if (typeof request.subject?.id !== 'string' || !request.subject.id.startsWith('did:'))
      throw new IssuanceError('invalid_request', 'the subject needs an id that is a DID');
    const algorithm = request.algorithm ?? 'EdDSA';
    const validFrom = request.validFrom ?? this.now();
    if (request.validUntil && request.validUntil.getTime() <= validFrom.getTime())
      throw new IssuanceError('invalid_request', 'validUntil must be after validFrom');
    const content = {
      type,
      issuer: this.deps.signer.did,
      subject: request.subject,
      holderKey: request.holderKey,
      validFrom,
      validUntil: request.validUntil,
      status: { idx: 0, uri: 'https://status.invalid/' },
    };
    // Holder key and schema first: a refused credential leaves no trace at all.
    const shape = disclosedPayload(content, holderPublicJwk(request.holderKey));
    if (type.validate && !type.validate(shape)) {
      const errors = (type.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
      throw new IssuanceError(
        'schema_violation',
        `the credential violates the ${request.type} SD-JWT VC schema`,
        errors,
      );
    }
    return inTransaction(this.deps.dataSource, manager, async (manager) => {
      const id = `urn:uuid:${randomUUID()}`;
      const status = await sdJwt.allocateToken(id, request.follows, manager);
      const jwt = await signSdJwt(this.deps.signer, { ...content, status }, algorithm);
      const statusEntries = [{ status_list: status }];
      await manager.getRepository(IssuanceEntity).insert({
        id,
        type: request.type,
        subject: request.recordAs ?? request.subject.id,
        format: 'dc+sd-jwt',
        algorithm,
        issuedAt: this.now().toISOString(),
        validFrom: validFrom.toISOString(),
        validUntil: request.validUntil?.toISOString() ?? null,
        statusEntries: JSON.stringify(statusEntries),
        idempotencyKey: null,
        requestHash: hashRequest(request, 'dc+sd-jwt', algorithm),
      });
      return {
        id,
        jwt,
        format: 'dc+sd-jwt',
        type: request.type,
        subject: request.subject.id,
        statusEntries,
        replayed: false,
      };
    });
  }

  /**
   * The credential of record `row` signed again for its holder: the same id, validity and
   * status entries, so a status change reaches every copy. `subject` is what the caller's
   * registry says of the holder today; it must name the holder the record was issued to
   * (`invalid_request` otherwise). For a W3C JWT credential recorded without an idempotency
   * key (a board seat's BoardMemberCredential); one with a key is replayed through `issue`.
   */
  async resign(row: IssuanceRow, subject: IssueRequest['subject']): Promise<IssuedCredential> {
    if (row.format !== 'vc+jwt' && row.format !== 'jwt_vc_json')
      throw new IssuanceError('invalid_request', `a ${row.format} credential is not signed again`);
    if (row.subject !== subject.id)
      throw new IssuanceError('invalid_request', `the credential of record names ${row.subject}`);
    return this.replay(row, { type: row.type, subject }, row.requestHash);
  }

  /** The issuance record of a credential, if this service issued it. */
  async record(id: string): Promise<IssuanceRow | null> {
    return reading(this.deps.dataSource, undefined, (m) => m.getRepository(IssuanceEntity).findOneBy({ id }));
  }

  private async replay(
    row: IssuanceRow,
    request: IssueRequest,
    requestHash: string,
  ): Promise<IssuedCredential> {
    if (row.requestHash !== requestHash) {
      throw new IssuanceError(
        'idempotency_conflict',
        'this idempotency key was used for a different request',
      );
    }
    const statusEntries = JSON.parse(row.statusEntries) as Record<string, unknown>[];
    const format = row.format as CredentialFormat;
    const jwt = await this.sign(format, row.algorithm as SigningAlgorithm, {
      id: row.id,
      type: row.type,
      issuer: this.deps.signer.did,
      subject: request.subject,
      validFrom: new Date(row.validFrom),
      validUntil: row.validUntil ? new Date(row.validUntil) : undefined,
      schemaUrl: this.deps.schemas.schemaUrl(row.type),
      contexts: this.deps.contexts ?? [],
      statusEntries,
    });
    return { id: row.id, jwt, format, type: row.type, subject: row.subject, statusEntries, replayed: true };
  }

  private sign(
    format: CredentialFormat,
    algorithm: SigningAlgorithm,
    content: CredentialContent,
  ): Promise<string> {
    return this.deps.signer.sign(credentialPayload(format, content), { typ: TYP[format], algorithm });
  }

  private validateRequest(request: IssueRequest, format: CredentialFormat): void {
    if (format !== 'vc+jwt' && format !== 'jwt_vc_json')
      throw new IssuanceError('invalid_request', `unknown format ${String(format)}`);
    if (!this.deps.schemas.has(request.type)) {
      throw new IssuanceError('unknown_type', `the data space defines no credential type ${request.type}`);
    }
    if (typeof request.subject?.id !== 'string' || !request.subject.id.startsWith('did:')) {
      throw new IssuanceError('invalid_request', 'the subject needs an id that is a DID');
    }
    if (request.recordAs !== undefined && (request.recordAs.length === 0 || request.recordAs.length > 500)) {
      throw new IssuanceError('invalid_request', 'recordAs must have 1 to 500 characters');
    }
    if (request.validUntil && request.validUntil.getTime() <= (request.validFrom ?? this.now()).getTime()) {
      throw new IssuanceError('invalid_request', 'validUntil must be after validFrom');
    }
  }

  private validateSchema(format: CredentialFormat, content: CredentialContent): void {
    const document = credentialDocument(format, credentialPayload(format, content));
    const result = this.deps.schemas.validate(content.type, document);
    if (!result.valid) {
      throw new IssuanceError(
        'schema_violation',
        `the credential violates the ${content.type} schema`,
        result.errors,
      );
    }
  }
}

function hashRequest(
  request: IssueRequest,
  format: CredentialFormat | SdJwtFormat,
  algorithm: SigningAlgorithm,
): string {
  let canonical: string;
  try {
    canonical = canonicalJson({
      type: request.type,
      subject: request.subject,
      format,
      algorithm,
      validFrom: request.validFrom?.toISOString() ?? null,
      validUntil: request.validUntil?.toISOString() ?? null,
    });
  } catch (error) {
    throw new IssuanceError(
      'invalid_request',
      `the subject claims are not JSON: ${(error as Error).message}`,
    );
  }
  return createHash('sha256').update(canonical).digest('hex');
}
