import { Entities as VeramoEntities } from '@veramo/data-store';
import { EntitySchema } from 'typeorm';
import type { SigningAlgorithm } from './key-material.js';

export type KeyStatus = 'active' | 'previous' | 'retired';

/** One published key of the service DID. Private material lives in the vault, never here. */
export interface IdentityKeyRow {
  kid: string;
  did: string;
  fragment: string;
  algorithm: SigningAlgorithm;
  publicJwk: string;
  status: KeyStatus;
  createdAt: string;
  retiredAt: string | null;
}

export const IdentityKeyEntity = new EntitySchema<IdentityKeyRow>({
  name: 'IdentityKey',
  tableName: 'identity_key',
  columns: {
    kid: { type: 'varchar', length: 200, primary: true },
    did: { type: 'varchar', length: 500 },
    fragment: { type: 'varchar', length: 100 },
    algorithm: { type: 'varchar', length: 16 },
    publicJwk: { name: 'public_jwk', type: 'text' },
    status: { type: 'varchar', length: 16 },
    createdAt: { name: 'created_at', type: 'varchar', length: 32 },
    retiredAt: { name: 'retired_at', type: 'varchar', length: 32, nullable: true },
  },
  indices: [{ name: 'identity_key_did_fragment', columns: ['did', 'fragment'], unique: true }],
});

/**
 * A key that signs OpenID Connect tokens only (RS256 for relying parties that ask for it):
 * never in the DID document. Its private material is in the vault, like the DID's keys.
 */
export interface TokenKeyRow {
  /** The JWK thumbprint (RFC 7638): the `kid` of the tokens it signs, and the vault alias. */
  kid: string;
  did: string;
  algorithm: 'RS256';
  publicJwk: string;
  status: KeyStatus;
  createdAt: string;
  retiredAt: string | null;
}

export const TokenKeyEntity = new EntitySchema<TokenKeyRow>({
  name: 'IdentityTokenKey',
  tableName: 'identity_token_key',
  columns: {
    kid: { type: 'varchar', length: 100, primary: true },
    did: { type: 'varchar', length: 500 },
    algorithm: { type: 'varchar', length: 16 },
    publicJwk: { name: 'public_jwk', type: 'text' },
    status: { type: 'varchar', length: 16 },
    createdAt: { name: 'created_at', type: 'varchar', length: 32 },
    retiredAt: { name: 'retired_at', type: 'varchar', length: 32, nullable: true },
  },
  indices: [{ name: 'ix_identity_token_key_did', columns: ['did'] }],
});

/** Every entity the identity capability needs in the data source (Veramo's store included). */
export const IDENTITY_ENTITIES = [...VeramoEntities, IdentityKeyEntity, TokenKeyEntity];
