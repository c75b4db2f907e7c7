/**
 * The credential endpoint (OpenID4VCI 1.0 §8): an access token of the token endpoint (Bearer, or
 * DPoP with a proof by its key: access-tokens.ts), a
 * `credential_configuration_id` the token was granted, and `proofs.jwt` (1 to BATCH_SIZE key
 * proofs): one credential per proof, all in one transaction that also spends the c_nonce and
 * each proof. The answer carries `credentials` and a `notification_id` (§8.3).
 *
 * An access token of the authorization code grant asked with `authorization_details` named
 * `credential_identifiers` (the configuration ids) in its token response: its requests name
 * `credential_identifier` instead of `credential_configuration_id` (§8.2).
 *
 * Codes: `invalid_token` (401: missing, unknown or expired token, or the wrong scheme),
 * `invalid_dpop_proof` (401), `invalid_credential_request`
 * (malformed request, an identifier of the wrong kind for the token, the pre-1.0 `proof`/`format`, encryption asked),
 * `unknown_credential_configuration` (not in the metadata), `credential_request_denied` (not
 * granted by the offer, or the member is not active), `invalid_proof`, `invalid_nonce`.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { TransactionalNonceStore } from '../credentials/nonce-store.js';
import type { KeyLookup } from '../credentials/verify/ports.js';
import { inTransaction, isUniqueViolation } from '../db/index.js';
import { resourceToken } from './access-tokens.js';
import { type Binding, bindingOf } from './binding.js';
import { BATCH_SIZE, type CredentialConfiguration } from './configurations.js';
import { Oid4vciNotificationEntity } from './entities.js';
import { Oid4vciError, proofError } from './errors.js';
import type { CNonces } from './nonces.js';
import { type VerifiedProof, verifyJwtProof } from './proofs.js';

/** How long a notification id may be used after issuance. */
export const NOTIFICATION_TTL_SECONDS = 24 * 3600;

/** A member as the issuer needs it. */
export interface IssuableMember {
  readonly status: string;
  /** The MembershipCredential subject (`id` = the member's DID). */
  readonly subject: Readonly<Record<string, unknown>> & { readonly id: string };
  /** The member's MembershipCredential of record (its validity and status are followed). */
  readonly credentialId: string | null;
}

export interface IssuePort {
  /** Issues one credential in `manager`'s transaction; returns the credential as the wallet gets it. */
  issue(
    request: {
      configuration: CredentialConfiguration;
      member: IssuableMember;
      binding: Binding;
    },
    manager: import('typeorm').EntityManager,
  ): Promise<{ id: string; credential: string }>;
}

export interface CredentialEndpointDeps {
  readonly dataSource: DataSource;
  readonly credentialIssuer: string;
  /** This endpoint's URL (a DPoP proof's `htu`). */
  readonly url: string;
  readonly configurations: readonly CredentialConfiguration[];
  readonly keys: KeyLookup;
  readonly nonces: CNonces;
  readonly usedNonces: TransactionalNonceStore;
  /** The holder `did` of credentials of `type` (a member, or a board seat). */
  readonly holder: (type: string, did: string) => Promise<IssuableMember | undefined>;
  readonly issuer: IssuePort;
  readonly now: () => Date;
}

export interface CredentialResponse {
  readonly credentials: readonly { readonly credential: string }[];
  readonly notification_id: string;
}

const PROOF_SCOPE = 'oid4vci:proof';

export class CredentialEndpoint {
  constructor(private readonly deps: CredentialEndpointDeps) {}

  /** Answers one credential request: its `Authorization` and `DPoP` headers and JSON body. */
  async handle(
    headers: { readonly authorization: string | undefined; readonly dpop: string | undefined },
    body: unknown,
  ): Promise<CredentialResponse> {
    const now = this.deps.now();
    const token = await resourceToken(
      { dataSource: this.deps.dataSource, replays: this.deps.usedNonces },
      { ...headers, method: 'POST', url: this.deps.url },
      now,
    );
    const identifiers = token.credentialIdentifiers
      ? (JSON.parse(token.credentialIdentifiers) as string[])
      : undefined;
    const { configuration, jwts } = this.parse(body, identifiers);
    if (!(JSON.parse(token.configurationIds) as string[]).includes(configuration.id))
      throw new Oid4vciError(
        'credential_request_denied',
        `the credential offer did not grant ${configuration.id}`,
      );
    const member = await this.deps.holder(configuration.type, token.subject);
    if (member?.status !== 'active')
      throw new Oid4vciError(
        'credential_request_denied',
        `${token.subject} is ${member ? member.status : `no holder of a ${configuration.type}`}`,
      );
    const context = {
      credentialIssuer: this.deps.credentialIssuer,
      keys: this.deps.keys,
      nonces: this.deps.nonces,
      now,
    };
    const proofs: VerifiedProof[] = [];
    for (const jwt of jwts) proofs.push(await verifyJwtProof(jwt, context));
    if (new Set(proofs.map((p) => p.jwt)).size !== proofs.length)
      throw proofError('the same key proof is in the batch twice');
    const bindings: Binding[] = [];
    for (const proof of proofs)
      bindings.push(
        await bindingOf(proof, configuration.format, member.subject.id, this.deps.keys, token.holderBinding),
      );
    try {
      return await inTransaction(this.deps.dataSource, undefined, async (manager) => {
        for (const proof of proofs) {
          if (!(await this.deps.usedNonces.consumeIn(manager, PROOF_SCOPE, proof.jwt, proof.freshUntil)))
            throw proofError('this key proof was used before: sign a new one with a fresh c_nonce');
        }
        for (const nonce of new Set(proofs.map((p) => p.nonce))) {
          const proof = proofs.find((p) => p.nonce === nonce) as VerifiedProof;
          await this.deps.nonces.spend(manager, nonce, proof.nonceExpiresAt);
        }
        const issued: { id: string; credential: string }[] = [];
        for (const binding of bindings) {
          issued.push(await this.deps.issuer.issue({ configuration, member, binding }, manager));
        }
        const notificationId = randomUUID();
        await manager.getRepository(Oid4vciNotificationEntity).insert({
          id: notificationId,
          tokenHash: token.tokenHash,
          subject: token.subject,
          configurationId: configuration.id,
          credentialIds: JSON.stringify(issued.map((c) => c.id)),
          event: null,
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + NOTIFICATION_TTL_SECONDS * 1000).toISOString(),
        });
        return {
          credentials: issued.map((c) => ({ credential: c.credential })),
          notification_id: notificationId,
        };
      });
    } catch (error) {
      // Two requests raced with one c_nonce (or one proof, which carries it): the loser's insert
      // hit the primary key. `invalid_nonce` is what tells a wallet to fetch a fresh c_nonce and
      // sign again (OpenID4VCI §8.3.1.2), as the sequential case answers.
      if (isUniqueViolation(error))
        throw new Oid4vciError('invalid_nonce', 'the c_nonce was used before; fetch a fresh one');
      throw error;
    }
  }

  private parse(
    body: unknown,
    identifiers: readonly string[] | undefined,
  ): { configuration: CredentialConfiguration; jwts: readonly unknown[] } {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new Oid4vciError('invalid_credential_request', 'the credential request is a JSON object');
    const request = body as Record<string, unknown>;
    let id: unknown;
    if (identifiers === undefined) {
      if (request.credential_identifier !== undefined)
        throw new Oid4vciError(
          'invalid_credential_request',
          'this access token names no credential_identifiers: send credential_configuration_id',
        );
      id = request.credential_configuration_id;
    } else {
      // §8.2: a token response with authorization_details named credential identifiers; the
      // wallet asks by one of them (here a configuration id), never by configuration id.
      if (request.credential_configuration_id !== undefined)
        throw new Oid4vciError(
          'invalid_credential_request',
          'this access token names credential_identifiers: send credential_identifier',
        );
      if (
        typeof request.credential_identifier !== 'string' ||
        !identifiers.includes(request.credential_identifier)
      )
        throw new Oid4vciError(
          'invalid_credential_request',
          'credential_identifier must be one the token response named',
        );
      id = request.credential_identifier;
    }
    if (request.proof !== undefined || request.format !== undefined)
      throw new Oid4vciError(
        'invalid_credential_request',
        'proof and format are not parameters of OpenID4VCI 1.0: send proofs and credential_configuration_id',
      );
    if (request.credential_response_encryption !== undefined)
      throw new Oid4vciError(
        'invalid_credential_request',
        'this issuer does not encrypt credential responses',
      );
    if (typeof id !== 'string' || id.length === 0)
      throw new Oid4vciError('invalid_credential_request', 'credential_configuration_id is required');
    const configuration = this.deps.configurations.find((c) => c.id === id);
    if (!configuration)
      throw new Oid4vciError('unknown_credential_configuration', `this issuer has no configuration ${id}`);
    const proofs = request.proofs;
    if (proofs === undefined) throw proofError('proofs is required: one jwt key proof per credential');
    if (proofs === null || typeof proofs !== 'object' || Array.isArray(proofs))
      throw new Oid4vciError('invalid_credential_request', 'proofs is an object');
    const types = Object.keys(proofs);
    if (types.length !== 1 || types[0] !== 'jwt')
      throw proofError('proofs must hold exactly one proof type, jwt');
    const jwts = (proofs as { jwt: unknown }).jwt;
    if (!Array.isArray(jwts) || jwts.length === 0)
      throw proofError('proofs.jwt is a non-empty array of key proofs');
    if (jwts.length > BATCH_SIZE)
      throw new Oid4vciError(
        'invalid_credential_request',
        `at most ${BATCH_SIZE} key proofs per request (batch_credential_issuance.batch_size)`,
      );
    return { configuration, jwts };
  }
}
