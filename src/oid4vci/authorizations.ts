/**
 * The authorization code grant (OpenID4VCI 1.0 §5–§6, RFC 6749 §4.1, RFC 7636): a wallet that
 * starts by itself (or with an offer's `issuer_state`) asks for configurations; the holder
 * proves membership with the wallet login (OpenID4VP, a MembershipCredential this service
 * issued, presented by the member's DID); the browser that started the request gets a one-time
 * code for the wallet's redirect URI; the token endpoint exchanges it for an access token of
 * exactly those configurations for that member.
 *
 * The code is bound to the `client_id`, the `redirect_uri` and the PKCE challenge of its
 * request, lives `CODE_TTL_SECONDS`, and is spent by one conditional UPDATE; a second
 * exchange is refused and revokes the access tokens the first one got (RFC 6749 §4.1.2).
 *
 * Codes: authorization endpoint, see authorization-request.ts; the continuation
 * `invalid_request` (unknown, expired, another browser's, not answered yet, finished) and, at
 * the wallet's redirect URI, `access_denied` (the verifier refused the wallet's answer: its code
 * in `error_description`; no active member proven, another member than the offer's, the offer
 * used meanwhile); token endpoint `invalid_request` (a parameter missing) and
 * `invalid_grant` (unknown, used or expired code, another client, another redirect URI, PKCE
 * mismatch).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { inTransaction, reading } from '../db/index.js';
import { AUTHORIZATION_DETAILS_TYPE, type AuthorizationRequest } from './authorization-request.js';
import { dpopError } from './dpop.js';
import { Oid4vciAuthorizationEntity, type Oid4vciAuthorizationRow, Oid4vciTokenEntity } from './entities.js';
import { Oid4vciError } from './errors.js';
import { ACCESS_TOKEN_TTL_SECONDS, type Offers } from './offers.js';
import { randomToken, sha256Hex } from './secrets.js';

/** How long the holder has to log in with the wallet. */
export const AUTHORIZATION_TTL_SECONDS = 600;
/** How long a code lives (RFC 6749 §4.1.2: short; one minute). */
export const CODE_TTL_SECONDS = 60;

/** The DCQL query of the membership proof: the member's MembershipCredential as a JWT VC. */
export const MEMBERSHIP_PROOF_QUERY = {
  credentials: [
    { id: 'membership', format: 'jwt_vc_json', meta: { type_values: [['MembershipCredential']] } },
  ],
} as const;

/** A verified wallet-login answer: who signed it, and what answered each query. */
export interface WalletLoginOutcome {
  readonly holder: string;
  readonly matches: Readonly<
    Record<string, { readonly issuer: string; readonly subject: string; readonly types: readonly string[] }>
  >;
}

/** The wallet login (OpenID4VP) as the issuer uses it; the composition root supplies it. */
export interface WalletLoginPort {
  start(query: typeof MEMBERSHIP_PROOF_QUERY): Promise<{
    readonly state: string;
    readonly sameDeviceUrl: string;
    readonly crossDeviceUrl: string;
  }>;
  status(state: string): Promise<'pending' | 'presented' | 'unknown'>;
  /**
   * The verified answer, taken once; `refused` with the verifier's code when it refused the
   * wallet's answer; undefined while the wallet has not answered.
   */
  take(state: string): Promise<WalletLoginOutcome | { readonly refused: string } | undefined>;
}

export interface AuthorizationsOptions {
  readonly dataSource: DataSource;
  readonly offers: Offers;
  readonly login: WalletLoginPort;
  /** The service DID: the issuer of the MembershipCredential that proves membership. */
  readonly serviceDid: string;
  /** The member's status in the registry, undefined when it is none. */
  readonly memberStatus: (did: string) => Promise<string | undefined>;
  readonly credentialIssuer: string;
  readonly now: () => Date;
}

export interface StartedAuthorization {
  readonly id: string;
  /** The value of the browser's cookie (only its hash is kept). */
  readonly browserSecret: string;
  readonly sameDeviceUrl: string;
  readonly crossDeviceUrl: string;
}

export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer' | 'DPoP';
  readonly expires_in: number;
  readonly authorization_details?: readonly Record<string, unknown>[];
}

const s256 = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

export class Authorizations {
  constructor(private readonly options: AuthorizationsOptions) {}

  /**
   * The open offer a request's `issuer_state` names (null without one), holding every
   * configuration the request asks for; throws `invalid_request`.
   */
  async offerOf(request: AuthorizationRequest): Promise<string | null> {
    if (request.issuerState === undefined) return null;
    const offer = await this.options.offers.byIssuerState(request.issuerState);
    const offered = JSON.parse(offer.configurationIds) as string[];
    const extra = request.configurationIds.filter((id) => !offered.includes(id));
    if (extra.length > 0)
      throw new Oid4vciError('invalid_request', `the credential offer does not contain ${extra.join(', ')}`);
    return offer.id;
  }

  /** Records a checked request (holding to its offer, if any) and opens its wallet login. */
  async start(request: AuthorizationRequest): Promise<StartedAuthorization> {
    const { dataSource, now } = this.options;
    const offerId = await this.offerOf(request);
    const login = await this.options.login.start(MEMBERSHIP_PROOF_QUERY);
    const browserSecret = randomToken();
    const at = now();
    const row: Oid4vciAuthorizationRow = {
      id: randomUUID(),
      browserHash: sha256Hex(browserSecret),
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      configurationIds: JSON.stringify(request.configurationIds),
      withDetails: request.withDetails ? 1 : 0,
      state: request.state ?? null,
      offerId,
      loginState: login.state,
      subject: null,
      status: 'pending',
      codeHash: null,
      codeExpiresAt: null,
      dpopJkt: request.dpopJkt ?? null,
      createdAt: at.toISOString(),
      expiresAt: new Date(at.getTime() + AUTHORIZATION_TTL_SECONDS * 1000).toISOString(),
    };
    await inTransaction(dataSource, undefined, (m) =>
      m.getRepository(Oid4vciAuthorizationEntity).insert(row),
    );
    return {
      id: row.id,
      browserSecret,
      sameDeviceUrl: login.sameDeviceUrl,
      crossDeviceUrl: login.crossDeviceUrl,
    };
  }

  /** The pending request `id` of the browser holding `browserSecret`; throws `invalid_request`. */
  async ofBrowser(id: string, browserSecret: string | undefined): Promise<Oid4vciAuthorizationRow> {
    const row = /^[0-9a-f-]{36}$/.test(id)
      ? await reading(this.options.dataSource, undefined, (m) =>
          m.getRepository(Oid4vciAuthorizationEntity).findOneBy({ id }),
        )
      : null;
    if (!row || row.expiresAt <= this.options.now().toISOString())
      throw new Oid4vciError('invalid_request', 'no authorization request is open at this address');
    if (!browserSecret || sha256Hex(browserSecret) !== row.browserHash)
      throw new Oid4vciError('invalid_request', 'this authorization request was started in another browser');
    if (row.status !== 'pending')
      throw new Oid4vciError('invalid_request', 'this authorization request is finished');
    return row;
  }

  /** Whether the wallet has answered the login of `row` (the browser's poll). */
  async loginStatus(row: Oid4vciAuthorizationRow): Promise<'pending' | 'presented' | 'unknown'> {
    return this.options.login.status(row.loginState);
  }

  /**
   * Takes the wallet's answer and ends the request: where to send the browser, the wallet's
   * redirect URI with `code` (or `error=access_denied`), `state` and `iss` (RFC 9207).
   */
  async complete(row: Oid4vciAuthorizationRow): Promise<string> {
    const outcome = await this.options.login.take(row.loginState);
    if (!outcome) throw new Oid4vciError('invalid_request', 'the wallet has not answered yet');
    const refusal =
      'refused' in outcome
        ? `the wallet's answer was refused (${outcome.refused})`
        : await this.refusalOf(row, outcome);
    const code = randomToken();
    const at = this.options.now();
    const issued = await inTransaction(this.options.dataSource, undefined, async (m) => {
      if (
        refusal === undefined &&
        row.offerId !== null &&
        !(await this.options.offers.spendIn(m, row.offerId))
      )
        return 'the credential offer was used meanwhile';
      const moved = await m
        .createQueryBuilder()
        .update(Oid4vciAuthorizationEntity)
        .set(
          refusal === undefined
            ? {
                status: 'coded',
                subject: 'matches' in outcome ? (outcome.matches.membership?.subject ?? null) : null,
                codeHash: sha256Hex(code),
                codeExpiresAt: new Date(at.getTime() + CODE_TTL_SECONDS * 1000).toISOString(),
              }
            : { status: 'denied' },
        )
        .where('id = :id AND status = :pending', { id: row.id, pending: 'pending' })
        .execute();
      if (moved.affected !== 1)
        throw new Oid4vciError('invalid_request', 'this authorization request is finished');
      return refusal;
    });
    const to = new URL(row.redirectUri);
    if (issued === undefined) to.searchParams.set('code', code);
    else {
      to.searchParams.set('error', 'access_denied');
      to.searchParams.set('error_description', issued);
    }
    if (row.state !== null) to.searchParams.set('state', row.state);
    to.searchParams.set('iss', this.options.credentialIssuer);
    return to.href;
  }

  /** Why the answer proves no member who may have this request granted; undefined when it does. */
  private async refusalOf(
    row: Oid4vciAuthorizationRow,
    outcome: WalletLoginOutcome,
  ): Promise<string | undefined> {
    const membership = outcome.matches.membership;
    if (
      !membership ||
      membership.issuer !== this.options.serviceDid ||
      !membership.types.includes('MembershipCredential')
    )
      return 'no MembershipCredential of this data space was presented';
    if (membership.subject !== outcome.holder)
      return 'the MembershipCredential was presented by another DID than its subject';
    const status = await this.options.memberStatus(membership.subject);
    if (status !== 'active') return `${membership.subject} is ${status ?? 'not a member'}`;
    if (row.offerId !== null) {
      const offer = await this.options.offers.byId(row.offerId);
      if (offer?.subject !== membership.subject) return 'the credential offer was made to another member';
    }
    return undefined;
  }

  /** The token endpoint's `authorization_code` grant, DPoP-bound to `dpopJkt` when there is one. */
  async exchange(body: Record<string, unknown>, dpopJkt?: string): Promise<TokenResponse> {
    const { code, redirect_uri: redirectUri, code_verifier: verifier, client_id: clientId } = body;
    for (const [name, value] of Object.entries({
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      client_id: clientId,
    }))
      if (typeof value !== 'string' || value.length === 0 || value.length > 2000)
        throw new Oid4vciError('invalid_request', `${name} is required`);
    const { dataSource, now } = this.options;
    const row = /^[A-Za-z0-9_-]{43}$/.test(code as string)
      ? await reading(dataSource, undefined, (m) =>
          m.getRepository(Oid4vciAuthorizationEntity).findOneBy({ codeHash: sha256Hex(code as string) }),
        )
      : null;
    if (!row) throw new Oid4vciError('invalid_grant', 'the authorization code is unknown');
    if (row.status === 'redeemed') {
      // A code presented twice was stolen or replayed: what the first exchange got is revoked.
      await inTransaction(dataSource, undefined, (m) =>
        m.getRepository(Oid4vciTokenEntity).delete({ offerId: row.id }),
      );
      throw new Oid4vciError('invalid_grant', 'the authorization code was used before');
    }
    const at = now();
    if (row.status !== 'coded' || row.codeExpiresAt === null || row.codeExpiresAt <= at.toISOString())
      throw new Oid4vciError('invalid_grant', 'the authorization code has expired');
    if (clientId !== row.clientId)
      throw new Oid4vciError('invalid_grant', 'the authorization code was issued to another client');
    if (redirectUri !== row.redirectUri)
      throw new Oid4vciError('invalid_grant', 'redirect_uri is not the one of the authorization request');
    if (
      !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier as string) ||
      s256(verifier as string) !== row.codeChallenge
    )
      throw new Oid4vciError('invalid_grant', 'the code_verifier does not match the code_challenge (PKCE)');
    // RFC 9449 §10: a code asked for with dpop_jkt is redeemed only with a proof by that key.
    if (row.dpopJkt !== null && dpopJkt !== row.dpopJkt)
      throw dpopError(
        dpopJkt === undefined
          ? 'this authorization code is bound to a DPoP key (dpop_jkt): send a DPoP proof by it'
          : 'the DPoP proof is by another key than the dpop_jkt of the authorization request',
        400,
      );
    const token = randomToken();
    const withDetails = row.withDetails === 1;
    await inTransaction(dataSource, undefined, async (m) => {
      const spent = await m
        .createQueryBuilder()
        .update(Oid4vciAuthorizationEntity)
        .set({ status: 'redeemed' })
        .where('id = :id AND status = :coded AND code_expires_at > :now', {
          id: row.id,
          coded: 'coded',
          now: at.toISOString(),
        })
        .execute();
      if (spent.affected !== 1)
        throw new Oid4vciError('invalid_grant', 'the authorization code was used before');
      await m.getRepository(Oid4vciTokenEntity).insert({
        tokenHash: sha256Hex(token),
        offerId: row.id,
        subject: row.subject as string,
        configurationIds: row.configurationIds,
        credentialIdentifiers: withDetails ? row.configurationIds : null,
        holderBinding: 'member',
        dpopJkt: dpopJkt ?? null,
        createdAt: at.toISOString(),
        expiresAt: new Date(at.getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000).toISOString(),
      });
    });
    const ids = JSON.parse(row.configurationIds) as string[];
    return {
      access_token: token,
      token_type: dpopJkt === undefined ? 'Bearer' : 'DPoP',
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      // §6.2: one credential identifier per configuration, the configuration's id.
      ...(withDetails
        ? {
            authorization_details: ids.map((id) => ({
              type: AUTHORIZATION_DETAILS_TYPE,
              credential_configuration_id: id,
              credential_identifiers: [id],
            })),
          }
        : {}),
    };
  }
}
