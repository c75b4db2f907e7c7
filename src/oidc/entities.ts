import { EntitySchema } from 'typeorm';

/**
 * One stored oidc-provider model instance (session, interaction, grant, code, token, ...).
 * `payload` is the provider's JSON; `grantId`, `uid` and `userCode` are copied out so the
 * adapter can find and revoke by them; `expiresAt` is an ISO instant (rows past it are dead).
 */
export interface OidcModelRow {
  model: string;
  id: string;
  payload: string;
  grantId: string | null;
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
 * `claims` holds the claims mapped from the credentials at the last login (JSON).
 */
export interface OidcAccountRow {
  accountId: string;
  issuer: string;
  subject: string;
  claims: string;
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
    updatedAt: { name: 'updated_at', type: 'varchar', length: 32 },
  },
  uniques: [{ name: 'uq_oidc_account_issuer_subject', columns: ['issuer', 'subject'] }],
});

export const OIDC_ENTITIES = [OidcModelEntity, OidcClientEntity, OidcAccountEntity];
