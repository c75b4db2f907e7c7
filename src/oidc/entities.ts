import { EntitySchema } from 'typeorm';

/**
 * One stored oidc-provider model instance (session, interaction, grant, code, token, ...).
 * `payload` is the provider's JSON; `grantId`, `uid`, `userCode` and `accountId` are copied out
 * so the adapter can find and revoke by them; `expiresAt` is an ISO instant (rows past it are
 * dead). For bearer tokens and codes `id` is a SHA-256 of the value, never the value itself.
 */
export interface OidcModelRow {
  model: string;
  id: string;
  payload: string;
  grantId: string | null;
  accountId: string | null;
  uid: string | null;
  userCode: string | null;
  expiresAt: string | null;
  consumedAt: string | null;
}

export const OidcModelEntity = new EntitySchema<OidcModelRow>({
  name: 'OidcModel',
  tableName: 'oidc_model',
  columns: {
    model: { type: 'varchar', length: 64, primary: true },
    id: { type: 'varchar', length: 255, primary: true },
    payload: { type: 'text' },
    grantId: { name: 'grant_id', type: 'varchar', length: 255, nullable: true },
    accountId: { name: 'account_id', type: 'varchar', length: 64, nullable: true },
    uid: { type: 'varchar', length: 255, nullable: true },
    userCode: { name: 'user_code', type: 'varchar', length: 255, nullable: true },
    expiresAt: { name: 'expires_at', type: 'varchar', length: 32, nullable: true },
    consumedAt: { name: 'consumed_at', type: 'varchar', length: 32, nullable: true },
  },
  indices: [
    { name: 'ix_oidc_model_grant', columns: ['grantId'] },
    { name: 'ix_oidc_model_uid', columns: ['uid'] },
    { name: 'ix_oidc_model_user_code', columns: ['userCode'] },
    { name: 'ix_oidc_model_expires', columns: ['expiresAt'] },
    { name: 'ix_oidc_model_account', columns: ['accountId'] },
  ],
});

/** A relying party the operator registered; `metadata` is the provider's client JSON (secret hashed). */
export interface OidcClientRow {
  clientId: string;
  metadata: string;
  createdAt: string;
}

export const OidcClientEntity = new EntitySchema<OidcClientRow>({
  name: 'OidcClient',
  tableName: 'oidc_client',
  columns: {
    clientId: { name: 'client_id', type: 'varchar', length: 255, primary: true },
    metadata: { type: 'text' },
    createdAt: { name: 'created_at', type: 'varchar', length: 32 },
  },
});

/**
 * A wallet-login account, keyed on the (issuer, subject) of the credential that identified it.
 * `claims` holds the claims mapped from the credentials at the last login (JSON); `sources`
 * the credentials of that login whose claims the registry keeps (JSON `[{ type, did }]`):
 * those claims are read from the registry whenever tokens are issued.
 */
export interface OidcAccountRow {
  accountId: string;
  issuer: string;
  subject: string;
  claims: string;
  sources: string | null;
  /** A natural-person login's identity (JSON NaturalPersonIdentity, accounts.ts), else null. */
  naturalPerson: string | null;
  updatedAt: string;
}

export const OidcAccountEntity = new EntitySchema<OidcAccountRow>({
  name: 'OidcAccount',
  tableName: 'oidc_account',
  columns: {
    accountId: { name: 'account_id', type: 'varchar', length: 64, primary: true },
    issuer: { type: 'varchar', length: 500 },
    subject: { type: 'varchar', length: 500 },
    claims: { type: 'text' },
    sources: { type: 'text', nullable: true },
    naturalPerson: { name: 'natural_person', type: 'text', nullable: true },
    updatedAt: { name: 'updated_at', type: 'varchar', length: 32 },
  },
  uniques: [{ name: 'uq_oidc_account_issuer_subject', columns: ['issuer', 'subject'] }],
});

/**
 * A DID an account logged in with (the subject of any credential of any of its logins; rows
 * are only added): the end of that DID's membership or board seat ends the account's logins.
 */
export interface OidcAccountDidRow {
  accountId: string;
  did: string;
}

export const OidcAccountDidEntity = new EntitySchema<OidcAccountDidRow>({
  name: 'OidcAccountDid',
  tableName: 'oidc_account_did',
  columns: {
    accountId: { name: 'account_id', type: 'varchar', length: 64, primary: true },
    did: { type: 'varchar', length: 500, primary: true },
  },
  indices: [{ name: 'ix_oidc_account_did_did', columns: ['did'] }],
});

/** A redirect URI a member registered for its app (the member's DID client, member-clients.ts). */
export interface MemberRedirectUriRow {
  memberDid: string;
  redirectUri: string;
  /** Its place in the list the member sent. */
  position: number;
  createdAt: string;
}

export const MemberRedirectUriEntity = new EntitySchema<MemberRedirectUriRow>({
  name: 'MemberRedirectUri',
  tableName: 'member_redirect_uri',
  columns: {
    memberDid: { name: 'member_did', type: 'varchar', length: 500, primary: true },
    redirectUri: { name: 'redirect_uri', type: 'varchar', length: 500, primary: true },
    position: { type: 'integer' },
    createdAt: { name: 'created_at', type: 'varchar', length: 32 },
  },
});

export const OIDC_ENTITIES = [
  OidcModelEntity,
  OidcClientEntity,
  OidcAccountEntity,
  OidcAccountDidEntity,
  MemberRedirectUriEntity,
];
