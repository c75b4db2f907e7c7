import { migrations as veramoMigrations } from '@veramo/data-store';
import { IdentityKeys1795000000001 } from './1795000000001-identity-keys.js';

/**
 * Every schema change, in the order it is applied. Append only: never edit or reorder a
 * migration that has shipped. Each has a pinned `name` so minification cannot rename it.
 *
 * The first four are Veramo's key and DID store (used inside `src/identity` only).
 */
export const MIGRATIONS = [...veramoMigrations, IdentityKeys1795000000001] as const;
