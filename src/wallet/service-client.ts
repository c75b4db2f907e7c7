/**
 * An HTTP client for the trust service's membership and governance API, signing with a
 * Wallet. Every call is one request (two when a fresh challenge or the service DID is needed)
 * over the global fetch, with a timeout and without following redirects: a token bound to
 * one service is never re-sent elsewhere. Error answers (problem+json) become ServiceError
 * with the HTTP status and the problem's `code`; a 503 says the service is not ready.
 */
import type { StoredCredential } from './credential-record.js';
import { notReadyError, ServiceError } from './errors.js';
import type { ApplicationDetails, MotionKind, VoteDecision } from './payloads.js';
import type { Wallet } from './wallet.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_EVIDENCE_TYPES: readonly string[] = ['LegalPersonCredential'];

export interface ServiceClientOptions {
  /** Per request, connect to last byte (default 10 000 ms). */
  readonly timeoutMs?: number;
  /** The clock used to skip expired evidence (default: the system clock). */
  readonly now?: () => Date;
}

export interface Challenge {
  readonly challenge: string;
  /** The service DID: the audience of the presentation. */
  readonly audience: string;
  readonly expiresAt: string;
}

export type ApplicationStatus = 'under_review' | 'action_required';

export interface ApplicationReceipt {
  readonly id: string;
  readonly motionId: string;
  readonly status: ApplicationStatus;
  readonly reasons?: readonly unknown[];
  readonly [member: string]: unknown;
}

export interface ApplyInput extends ApplicationDetails {
  readonly wallet: Wallet;
  /** Which stored credentials go along as evidence (default: every LegalPersonCredential). */
  readonly evidenceTypes?: readonly string[];
}

export interface MembershipCredentialResult {
  readonly credential: string;
  readonly stored: StoredCredential;
}

type Json = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

export class ServiceClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #now: () => Date;
  #serviceDid: string | undefined;

  /** `baseUrl`: where the service answers, e.g. `https://trust.city.example` (a path prefix is kept). */
  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new TypeError(`not a URL: ${baseUrl}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new TypeError('the service URL must be http(s)');
    if (url.username || url.password || url.search || url.hash) {
      throw new TypeError('the service URL must not carry credentials, a query or a fragment');
    }
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#now = options.now ?? (() => new Date());
  }

  /** `GET /api/v1/membership/challenge`: a one-time challenge and the service DID. */
  async challenge(): Promise<Challenge> {
    const body = await this.#request('GET', '/api/v1/membership/challenge');
    if (!nonEmpty(body.challenge) || !nonEmpty(body.audience) || !body.audience.startsWith('did:')) {
      throw this.#invalid('the challenge answer lacks challenge or audience');
    }
    return { challenge: body.challenge, audience: body.audience, expiresAt: String(body.expiresAt ?? '') };
  }

  /** The service DID, from `GET /.well-known/did.json` (asked once per client). */
  async serviceDid(): Promise<string> {
    if (this.#serviceDid === undefined) {
      const document = await this.#request('GET', '/.well-known/did.json');
      if (!nonEmpty(document.id) || !document.id.startsWith('did:'))
        throw this.#invalid('the DID document has no id');
      this.#serviceDid = document.id;
    }
    return this.#serviceDid;
  }

  /**
   * Applies for membership: fetches a challenge, signs the application credential, picks the
   * evidence from the wallet (the stored credentials of `evidenceTypes` that have not expired),
   * and posts one presentation of them all.
   */
  async apply(input: ApplyInput): Promise<ApplicationReceipt> {
    const { wallet, evidenceTypes = DEFAULT_EVIDENCE_TYPES, ...details } = input;
    // Sign the application first: a schema violation is reported before the service is asked.
    const application = await wallet.applicationCredential(details);
    const now = this.#now().getTime();
    const candidates = evidenceTypes.flatMap((type) => wallet.credentials({ type }));
    const evidence = [
      ...new Map(candidates.map((credential) => [credential.jwt, credential])).values(),
    ].filter((credential) => credential.validUntil === undefined || Date.parse(credential.validUntil) > now);
    const { challenge, audience } = await this.challenge();
    const presentation = await wallet.presentation({
      audience,
      nonce: challenge,
      credentials: [application, ...evidence],
    });
    const body = await this.#request('POST', '/api/v1/membership/applications', { presentation });
    if (!nonEmpty(body.id) || !nonEmpty(body.status))
      throw this.#invalid('the application answer lacks id or status');
    return body as ApplicationReceipt;
  }

  /** `GET /api/v1/membership/applications/{id}`: status, checks, votes, decision. */
  async application(id: string): Promise<Json> {
    return this.#request('GET', `/api/v1/membership/applications/${segment(id)}`);
  }

  /**
   * Collects the MembershipCredential of an admitted application: proves control of the DID
   * with a presentation over a fresh challenge (holding no credential), stores what comes back.
   */
  async fetchMembershipCredential(
    wallet: Wallet,
    applicationId: string,
  ): Promise<MembershipCredentialResult> {
    const { challenge, audience } = await this.challenge();
    const presentation = await wallet.presentation({ audience, nonce: challenge, credentials: [] });
    const body = await this.#request(
      'POST',
      `/api/v1/membership/applications/${segment(applicationId)}/credential`,
      {
        presentation,
      },
    );
    if (!nonEmpty(body.credential)) throw this.#invalid('the answer holds no credential');
    const stored = await wallet.addCredential(body.credential);
    return { credential: body.credential, stored };
  }

  /**
   * `POST /api/v1/membership/applications/{id}/credential-offer`: an OpenID4VCI credential offer
   * for the admitted applicant (links, QR code, transaction code), proving control of its DID;
   * `wallet receive` redeems it (docs/oid4vci.md).
   */
  async membershipCredentialOffer(wallet: Wallet, applicationId: string): Promise<Json> {
    const { challenge, audience } = await this.challenge();
    const presentation = await wallet.presentation({ audience, nonce: challenge, credentials: [] });
    const body = await this.#request(
      'POST',
      `/api/v1/membership/applications/${segment(applicationId)}/credential-offer`,
      { presentation },
    );
    const links = isRecord(body.links) ? body.links : undefined;
    if (!nonEmpty(links?.byReference) || !nonEmpty(links.byValue))
      throw this.#invalid('the answer holds no offer links');
    if (!nonEmpty(body.credentialOfferUri) || !nonEmpty(body.expiresAt))
      throw this.#invalid('the answer lacks credentialOfferUri or expiresAt');
    return body;
  }

  /** `POST /api/v1/motions/{id}/votes` with a vote signed by the wallet (a board member). */
  async castVote(input: {
    readonly wallet: Wallet;
    readonly motion: string;
    readonly decision: VoteDecision;
    readonly reason?: string;
  }): Promise<Json> {
    const { wallet, ...vote } = input;
    const signed = await wallet.vote({ service: await this.serviceDid(), ...vote });
    return this.#request('POST', `/api/v1/motions/${segment(input.motion)}/votes`, { vote: signed });
  }

  /** `POST /api/v1/motions` with a motion signed by the wallet (a board member). */
  async openMotion(input: {
    readonly wallet: Wallet;
    readonly kind: MotionKind;
    readonly subject: string;
    readonly reason: string;
    readonly name?: string;
  }): Promise<Json> {
    const { wallet, ...motion } = input;
    const signed = await wallet.motion({ service: await this.serviceDid(), ...motion });
    return this.#request('POST', '/api/v1/motions', { motion: signed });
  }

  /** `GET /api/v1/motions/{id}`. */
  async motionStatus(id: string): Promise<Json> {
    return this.#request('GET', `/api/v1/motions/${segment(id)}`);
  }

  /** `POST /api/v1/members/{did}/withdrawal` with the member's signed withdrawal. */
  async withdraw(input: { readonly wallet: Wallet; readonly reason?: string }): Promise<Json> {
    const { wallet, reason } = input;
    const signed = await wallet.withdrawal({
      service: await this.serviceDid(),
      ...(reason !== undefined ? { reason } : {}),
    });
    return this.#request('POST', `/api/v1/members/${segment(wallet.did)}/withdrawal`, { withdrawal: signed });
  }

  /**
   * One JSON request to a member API with a connector access token (`Authorization: Bearer`),
   * as the agreement commands make them. The answer must be a JSON object.
   */
  async withToken(
    method: 'GET' | 'POST',
    path: string,
    token: string | undefined,
    body?: Json,
  ): Promise<Json> {
    if (token !== undefined && !/^[\x21-\x7e]+$/.test(token))
      throw new TypeError('an access token is one printable word');
    return this.#request(method, path, body, token === undefined ? {} : { authorization: `Bearer ${token}` });
  }

  #invalid(message: string): ServiceError {
    return new ServiceError(200, 'invalid_response', message);
  }

  async #request(
    method: 'GET' | 'POST',
    path: string,
    body?: Json,
    extraHeaders: Readonly<Record<string, string>> = {},
  ): Promise<Json> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
        headers: {
          accept: 'application/json, application/problem+json',
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...extraHeaders,
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    } catch (cause) {
      throw new ServiceError(0, 'unreachable', `${method} ${url}: ${(cause as Error).message}`, undefined, {
        cause,
      });
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.status >= 300 && response.status < 400) {
      throw new ServiceError(
        response.status,
        'unreachable',
        `${method} ${url} redirected; redirects are not followed`,
      );
    }
    const unavailable = notReadyError(`${method} ${url}`, response, parsed);
    if (unavailable) throw unavailable;
    if (!response.ok) {
      const problem = isRecord(parsed) ? parsed : undefined;
      const code = nonEmpty(problem?.code) ? problem.code : 'http_error';
      const detail = [problem?.title, problem?.detail].filter(nonEmpty).join(': ') || response.statusText;
      throw new ServiceError(
        response.status,
        code,
        `${method} ${path} answered ${response.status} ${code}: ${detail}`,
        problem,
      );
    }
    if (!isRecord(parsed))
      throw new ServiceError(
        response.status,
        'invalid_response',
        `${method} ${path}: the answer is not a JSON object`,
      );
    return parsed;
  }
}

/** One path segment, percent-encoded (a DID's colons stay unambiguous). */
function segment(value: string): string {
  if (!nonEmpty(value)) throw new TypeError('an id must be a non-empty string');
  return encodeURIComponent(value);
}
