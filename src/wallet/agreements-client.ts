/**
 * A member's side of the agreement register (docs/agreements.md), over HTTP only: publish and
 * read offers, propose (accept an offer, or register an agreement concluded elsewhere), sign,
 * terminate, read, check, and collect the DataSharingAgreementCredential. The member's
 * connector calls carry an access token of scope `agreements` (from `requestConnectorToken`,
 * or given); signatures and terminations are statements signed with the wallet's DID key.
 *
 * Before it signs anything, the wallet recomputes the hash of the agreement's terms (RFC 8785
 * canonical JSON, SHA-256) from the terms the service returned and checks that they name this
 * service, this agreement and this wallet's DID as a party: a service that showed one set of
 * terms and asked for a signature over another hash is refused (`terms_mismatch`), never
 * trusted.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../json/canonical.js';
import type { StoredCredential } from './credential-record.js';
import { ServiceError, WalletError } from './errors.js';
import type { ServiceClient } from './service-client.js';
import type { Wallet } from './wallet.js';

type Json = Readonly<Record<string, unknown>>;

/** The question a connector asks before an exchange (issue 13 item 4). */
export interface AgreementQuestionInput {
  readonly agreement?: string;
  readonly provider?: string;
  readonly consumer?: string;
  readonly target?: string;
  readonly action: string;
  readonly purpose?: string;
  readonly spatial?: string;
  readonly recipient?: string;
  /** RFC 3339. */
  readonly at?: string;
  readonly record?: boolean;
}

export interface ProposeInput {
  /** Accept this offer (its latest version unless `version` is given)… */
  readonly offer?: string;
  readonly version?: number;
  /** …possibly narrowed by an ODRL Agreement within it; or register this ODRL Agreement. */
  readonly policy?: unknown;
  readonly agreement?: unknown;
  readonly endsAt?: string;
  readonly idempotencyKey?: string;
}

function segment(value: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new WalletError('invalid_argument', 'an id is needed');
  return encodeURIComponent(value);
}

function query(parameters: Record<string, string | undefined>): string {
  const entries = Object.entries(parameters).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
}

/** SHA-256 (hex) of the RFC 8785 canonical JSON of `terms`: what each party signs. */
export function termsHash(terms: unknown): string {
  return createHash('sha256').update(canonicalJson(terms), 'utf8').digest('hex');
}

export class AgreementsClient {
  /** `token`: a connector access token of scope `agreements` for the wallet's DID. */
  constructor(
    private readonly service: ServiceClient,
    private readonly token: () => Promise<string>,
  ) {}

  /** `POST /api/v1/offers` (or `/offers/{id}/versions` for a new version of `offerId`). */
  async publishOffer(policy: unknown, offerId?: string): Promise<Json> {
    const path = offerId === undefined ? '/api/v1/offers' : `/api/v1/offers/${segment(offerId)}/versions`;
    return this.service.withToken('POST', path, await this.token(), { policy });
  }

  /** `GET /api/v1/offers` (public). */
  async listOffers(filter: {
    provider?: string;
    target?: string;
    limit?: number;
    after?: string;
  }): Promise<Json> {
    const { limit, ...rest } = filter;
    return this.service.withToken(
      'GET',
      `/api/v1/offers${query({ ...rest, limit: limit === undefined ? undefined : String(limit) })}`,
      undefined,
    );
  }

  /** `GET /api/v1/offers/{id}` (public): the latest version and the list of versions. */
  async offer(id: string): Promise<Json> {
    return this.service.withToken('GET', `/api/v1/offers/${segment(id)}`, undefined);
  }

  /** `POST /api/v1/agreements`: accept an offer (its latest version by default) or register an agreement. */
  async propose(input: ProposeInput): Promise<Json> {
    const endsAt = input.endsAt === undefined ? {} : { endsAt: input.endsAt };
    let body: Json;
    if (input.agreement !== undefined) {
      if (input.offer !== undefined || input.policy !== undefined)
        throw new WalletError('invalid_argument', 'either accept an offer or register an agreement');
      body = { agreement: input.agreement, ...endsAt };
    } else {
      if (input.offer === undefined) throw new WalletError('invalid_argument', 'name the offer to accept');
      const version = input.version ?? Number((await this.offer(input.offer)).version);
      body = {
        offer: input.offer,
        version,
        ...(input.policy === undefined ? {} : { policy: input.policy }),
        ...endsAt,
      };
    }
    return this.service.withToken('POST', '/api/v1/agreements', await this.token(), body);
  }

  /** `GET /api/v1/agreements/{id}` (parties only). */
  async agreement(id: string): Promise<Json> {
    return this.service.withToken('GET', `/api/v1/agreements/${segment(id)}`, await this.token());
  }

  /** `GET /api/v1/agreements[?status=]`: the caller's agreements. */
  async listAgreements(filter: { status?: string; after?: string; limit?: number }): Promise<Json> {
    const { limit, ...rest } = filter;
    return this.service.withToken(
      'GET',
      `/api/v1/agreements${query({ ...rest, limit: limit === undefined ? undefined : String(limit) })}`,
      await this.token(),
    );
  }

  /** Signs the agreement's hash after checking its terms; posts the statement. */
  async sign(wallet: Wallet, id: string): Promise<Json> {
    const hash = await this.#verifiedHash(wallet, id);
    const statement = await wallet.agreementStatement({
      service: await this.service.serviceDid(),
      action: 'sign-agreement',
      agreement: id,
      hash,
    });
    return this.service.withToken(
      'POST',
      `/api/v1/agreements/${segment(id)}/signatures`,
      await this.token(),
      {
        statement,
      },
    );
  }

  /** Terminates the agreement (signed, with a reason). */
  async terminate(wallet: Wallet, id: string, reason: string): Promise<Json> {
    const hash = await this.#verifiedHash(wallet, id);
    const statement = await wallet.agreementStatement({
      service: await this.service.serviceDid(),
      action: 'terminate-agreement',
      agreement: id,
      hash,
      reason,
    });
    return this.service.withToken(
      'POST',
      `/api/v1/agreements/${segment(id)}/termination`,
      await this.token(),
      {
        statement,
      },
    );
  }

  /** `POST /api/v1/agreements/check`. */
  async check(question: AgreementQuestionInput): Promise<Json> {
    return this.service.withToken('POST', '/api/v1/agreements/check', await this.token(), { ...question });
  }

  /** Downloads this party's DataSharingAgreementCredential and stores it in the wallet. */
  async credential(wallet: Wallet, id: string): Promise<{ credential: string; stored: StoredCredential }> {
    const body = await this.service.withToken(
      'GET',
      `/api/v1/agreements/${segment(id)}/credential`,
      await this.token(),
    );
    if (typeof body.credential !== 'string' || body.credential.length === 0)
      throw new ServiceError(200, 'invalid_response', 'the answer holds no credential');
    return { credential: body.credential, stored: await wallet.addCredential(body.credential) };
  }

  /** The agreement's hash, recomputed from its terms and checked against what the wallet is about to sign. */
  async #verifiedHash(wallet: Wallet, id: string): Promise<string> {
    const view = await this.agreement(id);
    const terms = view.terms as Record<string, unknown> | undefined;
    const serviceDid = await this.service.serviceDid();
    const problems: string[] = [];
    if (typeof terms !== 'object' || terms === null) problems.push('the agreement has no terms');
    else {
      if (termsHash(terms) !== view.hash) problems.push('the hash is not the hash of the terms shown');
      if (terms.id !== id) problems.push(`the terms are about ${String(terms.id)}, not ${id}`);
      if (terms.service !== serviceDid)
        problems.push(`the terms name ${String(terms.service)}, not ${serviceDid}`);
      if (terms.provider !== wallet.did && terms.consumer !== wallet.did)
        problems.push(`${wallet.did} is not a party to the terms`);
    }
    if (problems.length > 0)
      throw new WalletError('terms_mismatch', `not signed: ${problems.join('; ')}`, problems);
    return view.hash as string;
  }
}
