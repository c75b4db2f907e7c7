import { EntitySchema } from 'typeorm';

/**
 * A credential offer (OpenID4VCI 1.0 §4.1) with its pre-authorized code (§3.5). Nothing that
 * opens it is stored in clear: `referenceHash` is the SHA-256 of the secret reference in its
 * `credential_offer_uri`, `codeHash` the SHA-256 of its pre-authorized code (derived from the
 * reference with the service secret, so the offer can be served again by reference), and
 * `txCodeHash` an HMAC of its transaction code. `wrongTries` counts wrong transaction codes;
 * at the limit the offer is dead. `redeemedAt` is set once, by one conditional UPDATE.
 */
export interface Oid4vciOfferRow {
  id: string;
  referenceHash: string;
  codeHash: string;
  /** The DID the credentials are for (an admitted member). */
  subject: string;
  /** The credential configuration ids offered (JSON array). */
  configurationIds: string;
  txCodeHash: string | null;
  /** SHA-256 of the offer's `issuer_state` (authorization code grant, §4.1.1). */
  issuerStateHash: string | null;
  wrongTries: number;
  redeemedAt: string | null;
  createdAt: string;
  expiresAt: string;
}

export const Oid4vciOfferEntity = new EntitySchema<Oid4vciOfferRow>({
  name: 'Oid4vciOffer',
  tableName: 'oid4vci_offer',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    referenceHash: { name: 'reference_hash', type: 'varchar', length: 64, unique: true },
    codeHash: { name: 'code_hash', type: 'varchar', length: 64, unique: true },
    subject: { type: 'varchar', length: 500 },
    configurationIds: { name: 'configuration_ids', type: 'text' },
    txCodeHash: { name: 'tx_code_hash', type: 'varchar', length: 64, nullable: true },
    issuerStateHash: { name: 'issuer_state_hash', type: 'varchar', length: 64, nullable: true },
    wrongTries: { name: 'wrong_tries', type: 'integer' },
    redeemedAt: { name: 'redeemed_at', type: 'varchar', length: 32, nullable: true },
    createdAt: { name: 'created_at', type: 'varchar', length: 32 },
    expiresAt: { name: 'expires_at', type: 'varchar', length: 32 },
  },
  indices: [{ name: 'ix_oid4vci_offer_expires', columns: ['expiresAt'] }],
});

/**
 * An access token of the credential endpoint (opaque; its SHA-256 is the key), for one subject
 * and the configurations its offer granted.
 */
export interface Oid4vciTokenRow {
  tokenHash: string;
  offerId: string;
  subject: string;
  configurationIds: string;
  /**
   * The `credential_identifiers` the token response named (JSON array; the configuration ids),
   * when the wallet asked with `authorization_details`; null otherwise (§6.2).
   */
  credentialIdentifiers: string | null;
  /**
   * The keys its credentials may be bound to (binding.ts): `any` key the wallet proves
   * (pre-authorized code: the operator handed the offer to the member), or only a key of the
   * `member`'s DID (authorization code: the key that proved membership).
   */
  holderBinding: HolderBinding;
  /**
   * The RFC 7638 thumbprint of the DPoP key the token is bound to (`cnf.jkt`, RFC 9449 §6);
   * null for a Bearer token.
   */
  dpopJkt: string | null;
  createdAt: string;
  expiresAt: string;
}

export type HolderBinding = 'any' | 'member';

export const Oid4vciTokenEntity = new EntitySchema<Oid4vciTokenRow>({
  name: 'Oid4vciToken',
  tableName: 'oid4vci_token',
  columns: {
    tokenHash: { name: 'token_hash', type: 'varchar', length: 64, primary: true },
    offerId: { name: 'offer_id', type: 'varchar', length: 64 },
    subject: { type: 'varchar', length: 500 },
    configurationIds: { name: 'configuration_ids', type: 'text' },
    credentialIdentifiers: { name: 'credential_identifiers', type: 'text', nullable: true },
    holderBinding: { name: 'holder_binding', type: 'varchar', length: 16, default: 'any' },
    dpopJkt: { name: 'dpop_jkt', type: 'varchar', length: 64, nullable: true },
    createdAt: { name: 'created_at', type: 'varchar', length: 32 },
    expiresAt: { name: 'expires_at', type: 'varchar', length: 32 },
  },
  indices: [{ name: 'ix_oid4vci_token_expires', columns: ['expiresAt'] }],
});

/**
 * One credential response's `notification_id` (§8.3): the credentials it covers, the token that
 * got them (only that token may notify), and the last event the wallet sent.
 */
export interface Oid4vciNotificationRow {
  id: string;
  tokenHash: string;
  subject: string;
  configurationId: string;
  credentialIds: string;
  event: string | null;
  createdAt: string;
  expiresAt: string;
}

export const Oid4vciNotificationEntity = new EntitySchema<Oid4vciNotificationRow>({
  name: 'Oid4vciNotification',
  tableName: 'oid4vci_notification',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    tokenHash: { name: 'token_hash', type: 'varchar', length: 64 },
    subject: { type: 'varchar', length: 500 },
    configurationId: { name: 'configuration_id', type: 'varchar', length: 100 },
    credentialIds: { name: 'credential_ids', type: 'text' },
    event: { type: 'varchar', length: 32, nullable: true },
    createdAt: { name: 'created_at', type: 'varchar', length: 32 },
    expiresAt: { name: 'expires_at', type: 'varchar', length: 32 },
  },
  indices: [{ name: 'ix_oid4vci_notification_expires', columns: ['expiresAt'] }],
});

/**
 * A wallet's authorization request (OpenID4VCI 1.0 §5, RFC 6749 §4.1 with PKCE S256): who asked
 * (`clientId`, `redirectUri`, `codeChallenge`), for which configurations (`withDetails`: asked
 * with `authorization_details`, so the token response names `credential_identifiers`), the
 * browser that started it (`browserHash`, SHA-256 of its cookie), the wallet login that proves
 * membership (`loginState`), and once proven the member (`subject`) and the one-time code
 * (`codeHash`, short-lived). `status`: `pending` → `coded` → `redeemed`, each step one
 * conditional UPDATE; `denied` when the login proved no active member.
 */
export interface Oid4vciAuthorizationRow {
  id: string;
  browserHash: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  configurationIds: string;
  withDetails: number;
  state: string | null;
  offerId: string | null;
  loginState: string;
  subject: string | null;
  status: 'pending' | 'coded' | 'redeemed' | 'denied';
  codeHash: string | null;
  codeExpiresAt: string | null;
  /** The DPoP key thumbprint the code is bound to (`dpop_jkt`, RFC 9449 §10); null when none. */
  dpopJkt: string | null;
  createdAt: string;
  expiresAt: string;
}

export const Oid4vciAuthorizationEntity = new EntitySchema<Oid4vciAuthorizationRow>({
  name: 'Oid4vciAuthorization',
  tableName: 'oid4vci_authorization',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    browserHash: { name: 'browser_hash', type: 'varchar', length: 64 },
    clientId: { name: 'client_id', type: 'varchar', length: 500 },
    redirectUri: { name: 'redirect_uri', type: 'text' },
    codeChallenge: { name: 'code_challenge', type: 'varchar', length: 128 },
    configurationIds: { name: 'configuration_ids', type: 'text' },
    withDetails: { name: 'with_details', type: 'integer' },
    state: { type: 'text', nullable: true },
    offerId: { name: 'offer_id', type: 'varchar', length: 64, nullable: true },
    loginState: { name: 'login_state', type: 'varchar', length: 64 },
    subject: { type: 'varchar', length: 500, nullable: true },
    status: { type: 'varchar', length: 16 },
    codeHash: { name: 'code_hash', type: 'varchar', length: 64, nullable: true, unique: true },
    codeExpiresAt: { name: 'code_expires_at', type: 'varchar', length: 32, nullable: true },
    dpopJkt: { name: 'dpop_jkt', type: 'varchar', length: 64, nullable: true },
    createdAt: { name: 'created_at', type: 'varchar', length: 32 },
    expiresAt: { name: 'expires_at', type: 'varchar', length: 32 },
  },
  indices: [{ name: 'ix_oid4vci_authorization_expires', columns: ['expiresAt'] }],
});

/**
 * A pushed authorization request (RFC 9126): the checked request (`request`, JSON of an
 * AuthorizationRequest), the client that pushed it, and the SHA-256 of the random part of its
 * `request_uri`. Single use: the authorization endpoint deletes it with one conditional DELETE.
 */
export interface Oid4vciPushedRequestRow {
  requestUriHash: string;
  clientId: string;
  request: string;
  createdAt: string;
  expiresAt: string;
}

export const Oid4vciPushedRequestEntity = new EntitySchema<Oid4vciPushedRequestRow>({
  name: 'Oid4vciPushedRequest',
  tableName: 'oid4vci_pushed_request',
  columns: {
    requestUriHash: { name: 'request_uri_hash', type: 'varchar', length: 64, primary: true },
    clientId: { name: 'client_id', type: 'varchar', length: 500 },
    request: { type: 'text' },
    createdAt: { name: 'created_at', type: 'varchar', length: 32 },
    expiresAt: { name: 'expires_at', type: 'varchar', length: 32 },
  },
  indices: [{ name: 'ix_oid4vci_pushed_request_expires', columns: ['expiresAt'] }],
});

export const OID4VCI_ENTITIES = [
  Oid4vciOfferEntity,
  Oid4vciTokenEntity,
  Oid4vciNotificationEntity,
  Oid4vciAuthorizationEntity,
  Oid4vciPushedRequestEntity,
];
