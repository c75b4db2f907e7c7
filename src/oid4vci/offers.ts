/**
 * Credential offers and the pre-authorized code grant (OpenID4VCI 1.0 §4.1, §3.5, §6.1).
 * Each offer also carries an `issuer_state` for the authorization code grant (§4.1.1, a MAC of
 * the reference too): a wallet that prefers that grant names it in its authorization request,
 * which then holds to the offer's member and configurations and spends the offer.
 *
 * An offer is made for one admitted member and the configurations it may receive. Its
 * `credential_offer_uri` holds a 256-bit random reference; its pre-authorized code is a MAC of
 * that reference, so the offer can be served again by reference while the database holds only
 * hashes. The transaction code (`tx_code`, 6 digits, sent to the holder on another channel than
 * the offer) is kept as a MAC. The code is single use, lives `OFFER_TTL_SECONDS`, and dies after
 * `MAX_TX_CODE_TRIES` wrong transaction codes.
 *
 * Codes (token endpoint, RFC 6749 §5.2 and OpenID4VCI §6.3): `invalid_grant` (unknown,
 * expired, used or dead code; wrong tx_code), `invalid_request` (tx_code missing although the
 * offer has one, or sent although it has none).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction, reading } from '../db/index.js';
import { Oid4vciOfferEntity, type Oid4vciOfferRow, Oid4vciTokenEntity } from './entities.js';
import { Oid4vciError } from './errors.js';
import { type IssuerSecrets, randomToken, sha256Hex } from './secrets.js';

export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
export const AUTHORIZATION_CODE_GRANT = 'authorization_code';
export const OFFER_TTL_SECONDS = 600;
export const ACCESS_TOKEN_TTL_SECONDS = 600;
export const MAX_TX_CODE_TRIES = 5;
export const TX_CODE_LENGTH = 6;
export const OFFER_SCHEME = 'openid-credential-offer://';

export interface CredentialOffer {
  readonly credential_issuer: string;
  readonly credential_configuration_ids: readonly string[];
  readonly grants: Record<string, unknown>;
}

export interface CreatedOffer {
  readonly id: string;
  readonly offer: CredentialOffer;
  /** Where a wallet fetches the offer (`credential_offer_uri`). */
  readonly offerUri: string;
  /** `openid-credential-offer://?credential_offer_uri=…` (for the QR code). */
  readonly byReference: string;
  /** `openid-credential-offer://?credential_offer=…` (the offer by value). */
  readonly byValue: string;
  /** The transaction code, to give the holder on another channel; absent when none is asked. */
  readonly txCode?: string;
  readonly expiresAt: string;
}

export interface AccessToken {
  readonly access_token: string;
  /** `DPoP` when the token request carried a DPoP proof (RFC 9449 §5), else `Bearer`. */
  readonly token_type: 'Bearer' | 'DPoP';
  readonly expires_in: number;
}

export interface OffersOptions {
  readonly dataSource: DataSource;
  readonly secrets: IssuerSecrets;
  readonly credentialIssuer: string;
  /** The path below PUBLIC_URL where offers are served by reference. */
  readonly offerUrl: (reference: string) => string;
  readonly now: () => Date;
}

const codeOf = (secrets: IssuerSecrets, reference: string) => secrets.mac('pre-authorized_code', reference);
/** The offer's `issuer_state` (§4.1.1), derived from its reference as the code is. */
const issuerStateOf = (secrets: IssuerSecrets, reference: string) => secrets.mac('issuer_state', reference);
const txCodeMac = (secrets: IssuerSecrets, id: string, txCode: string) =>
  secrets.mac('tx_code', `${id}:${txCode}`);

export class Offers {
  constructor(private readonly options: OffersOptions) {}

  /** Makes an offer of `configurationIds` for `subject` (an admitted member's DID). */
  async create(
    subject: string,
    configurationIds: readonly string[],
    withTxCode = true,
  ): Promise<CreatedOffer> {
    const { secrets, now } = this.options;
    const id = randomUUID();
    const reference = randomToken();
    const code = codeOf(secrets, reference);
    const txCode = withTxCode
      ? String(randomInt(0, 10 ** TX_CODE_LENGTH)).padStart(TX_CODE_LENGTH, '0')
      : undefined;
    const created = now();
    const expiresAt = new Date(created.getTime() + OFFER_TTL_SECONDS * 1000).toISOString();
    const row: Oid4vciOfferRow = {
      id,
      referenceHash: sha256Hex(reference),
      codeHash: sha256Hex(code),
      subject,
      configurationIds: JSON.stringify(configurationIds),
      txCodeHash: txCode ? txCodeMac(secrets, id, txCode) : null,
      issuerStateHash: sha256Hex(issuerStateOf(secrets, reference)),
      wrongTries: 0,
      redeemedAt: null,
      createdAt: created.toISOString(),
      expiresAt,
    };
    await inTransaction(this.options.dataSource, undefined, (m) =>
      m.getRepository(Oid4vciOfferEntity).insert(row),
    );
    const offer = this.offerOf(row, code, issuerStateOf(secrets, reference));
    const offerUri = this.options.offerUrl(reference);
    return {
      id,
      offer,
      offerUri,
      byReference: `${OFFER_SCHEME}?credential_offer_uri=${encodeURIComponent(offerUri)}`,
      byValue: `${OFFER_SCHEME}?credential_offer=${encodeURIComponent(JSON.stringify(offer))}`,
      ...(txCode ? { txCode } : {}),
      expiresAt,
    };
  }

  /** The offer behind a `credential_offer_uri` reference, while it can still be redeemed. */
  async byReference(reference: string): Promise<CredentialOffer> {
    const row = /^[A-Za-z0-9_-]{43}$/.test(reference)
      ? await reading(this.options.dataSource, undefined, (m) =>
          m.getRepository(Oid4vciOfferEntity).findOneBy({ referenceHash: sha256Hex(reference) }),
        )
      : null;
    if (!row || this.deadReason(row) !== undefined)
      throw new Oid4vciError('invalid_request', 'no credential offer is open at this address', 404);
    return this.offerOf(
      row,
      codeOf(this.options.secrets, reference),
      issuerStateOf(this.options.secrets, reference),
    );
  }

  /**
   * The open offer whose `issuer_state` a wallet's authorization request carries (§5.1.3);
   * throws `invalid_request` when it is unknown, used, dead or expired.
   */
  async byIssuerState(issuerState: string): Promise<Oid4vciOfferRow> {
    const row = /^[A-Za-z0-9_-]{43}$/.test(issuerState)
      ? await reading(this.options.dataSource, undefined, (m) =>
          m.getRepository(Oid4vciOfferEntity).findOneBy({ issuerStateHash: sha256Hex(issuerState) }),
        )
      : null;
    if (!row) throw new Oid4vciError('invalid_request', 'issuer_state names no credential offer');
    const dead = this.deadReason(row);
    if (dead) throw new Oid4vciError('invalid_request', `issuer_state: ${dead}`);
    return row;
  }

  /** The offer row `id`, whatever its state. */
  async byId(id: string): Promise<Oid4vciOfferRow | undefined> {
    const row = await reading(this.options.dataSource, undefined, (m) =>
      m.getRepository(Oid4vciOfferEntity).findOneBy({ id }),
    );
    return row ?? undefined;
  }

  /** Spends offer `id` for an authorization code grant in `manager`'s transaction; false when it was used or died. */
  async spendIn(manager: EntityManager, id: string): Promise<boolean> {
    const at = this.options.now().toISOString();
    const spent = await manager
      .createQueryBuilder()
      .update(Oid4vciOfferEntity)
      .set({ redeemedAt: at })
      .where('id = :id AND redeemed_at IS NULL AND wrong_tries < :max AND expires_at > :now', {
        id,
        max: MAX_TX_CODE_TRIES,
        now: at,
      })
      .execute();
    return spent.affected === 1;
  }

  /**
   * The token endpoint's pre-authorized code grant: an access token for the offer's
   * configurations, bound to the DPoP key of thumbprint `dpopJkt` when there is one.
   */
  async redeem(code: unknown, txCode: unknown, dpopJkt?: string): Promise<AccessToken> {
    if (typeof code !== 'string' || code.length === 0 || code.length > 200)
      throw new Oid4vciError('invalid_request', 'pre-authorized_code is required');
    if (txCode !== undefined && (typeof txCode !== 'string' || txCode.length > 50))
      throw new Oid4vciError('invalid_request', 'tx_code must be a string');
    const { dataSource, secrets, now } = this.options;
    const row = await reading(dataSource, undefined, (m) =>
      m.getRepository(Oid4vciOfferEntity).findOneBy({ codeHash: sha256Hex(code) }),
    );
    if (!row) throw new Oid4vciError('invalid_grant', 'the pre-authorized code is unknown');
    const dead = this.deadReason(row);
    if (dead) throw new Oid4vciError('invalid_grant', dead);
    if (row.txCodeHash !== null && txCode === undefined)
      throw new Oid4vciError('invalid_request', 'this offer asks for its tx_code');
    if (row.txCodeHash === null && txCode !== undefined)
      throw new Oid4vciError('invalid_request', 'this offer has no tx_code');
    // A transaction code is guessable (a few digits), so at most MAX_TX_CODE_TRIES guesses may
    // ever be compared, however many arrive at once on however many replicas: each comparison
    // first takes one try in its own transaction (a wrong guess keeps it, the right one gives
    // it back when it spends the offer). Counting after comparing would let a burst compare
    // many guesses against the count read before any of them was counted.
    const guarded = row.txCodeHash !== null;
    if (guarded) {
      const reserved = await inTransaction(dataSource, undefined, (m) =>
        m
          .createQueryBuilder()
          .update(Oid4vciOfferEntity)
          .set({ wrongTries: () => 'wrong_tries + 1' })
          .where('id = :id AND wrong_tries < :max AND redeemed_at IS NULL', {
            id: row.id,
            max: MAX_TX_CODE_TRIES,
          })
          .execute(),
      );
      if (reserved.affected !== 1) {
        const now = (await this.byId(row.id)) ?? row;
        throw new Oid4vciError(
          'invalid_grant',
          this.deadReason(now) ?? 'too many wrong tx_codes: ask for a new offer',
        );
      }
      if (!secrets.macMatches('tx_code', `${row.id}:${txCode as string}`, row.txCodeHash as string)) {
        const counted = (await this.byId(row.id)) ?? row;
        const left = MAX_TX_CODE_TRIES - counted.wrongTries;
        throw new Oid4vciError(
          'invalid_grant',
          left > 0
            ? `the tx_code is wrong (${left} ${left === 1 ? 'try' : 'tries'} left)`
            : 'the tx_code is wrong and no tries are left: ask for a new offer',
        );
      }
    }
    const token = randomToken();
    const issuedAt = now();
    await inTransaction(dataSource, undefined, async (m) => {
      const spent = await m
        .createQueryBuilder()
        .update(Oid4vciOfferEntity)
        // With a transaction code the right guess holds one of the tries it reserved: it gives
        // it back (the offer may then sit at the limit only through the others' wrong guesses).
        .set(
          guarded
            ? { redeemedAt: issuedAt.toISOString(), wrongTries: () => 'wrong_tries - 1' }
            : { redeemedAt: issuedAt.toISOString() },
        )
        .where(
          `id = :id AND redeemed_at IS NULL AND wrong_tries ${guarded ? '<=' : '<'} :max AND expires_at > :now`,
          { id: row.id, max: MAX_TX_CODE_TRIES, now: issuedAt.toISOString() },
        )
        .execute();
      if (spent.affected !== 1)
        throw new Oid4vciError('invalid_grant', 'the pre-authorized code was used before');
      await m.getRepository(Oid4vciTokenEntity).insert({
        tokenHash: sha256Hex(token),
        offerId: row.id,
        subject: row.subject,
        configurationIds: row.configurationIds,
        credentialIdentifiers: null,
        holderBinding: 'any',
        dpopJkt: dpopJkt ?? null,
        createdAt: issuedAt.toISOString(),
        expiresAt: new Date(issuedAt.getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000).toISOString(),
      });
    });
    return {
      access_token: token,
      token_type: dpopJkt === undefined ? 'Bearer' : 'DPoP',
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
    };
  }

  private deadReason(row: Oid4vciOfferRow): string | undefined {
    if (row.redeemedAt !== null) return 'the pre-authorized code was used before';
    if (row.wrongTries >= MAX_TX_CODE_TRIES) return 'too many wrong tx_codes: ask for a new offer';
    if (row.expiresAt <= this.options.now().toISOString()) return 'the credential offer has expired';
    return undefined;
  }

  private offerOf(row: Oid4vciOfferRow, code: string, issuerState: string): CredentialOffer {
    return {
      credential_issuer: this.options.credentialIssuer,
      credential_configuration_ids: JSON.parse(row.configurationIds) as string[],
      grants: {
        [PRE_AUTHORIZED_GRANT]: {
          'pre-authorized_code': code,
          ...(row.txCodeHash !== null
            ? {
                tx_code: {
                  input_mode: 'numeric',
                  length: TX_CODE_LENGTH,
                  description: 'The code shown with the offer / Der mit dem Angebot angezeigte Code',
                },
              }
            : {}),
        },
        // Offers made before the authorization code grant existed have no issuer_state.
        ...(row.issuerStateHash !== null
          ? { [AUTHORIZATION_CODE_GRANT]: { issuer_state: issuerState } }
          : {}),
      },
    };
  }
}
