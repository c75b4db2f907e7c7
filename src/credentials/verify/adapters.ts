/**
 * The pipeline's ports implemented over this service's DID resolver, trusted-issuer registry
 * and schema registry. Each adapter only translates; the policy lives in the checks.
 */
import {
  DidResolutionError,
  type DidResolver,
  KeySelectionError,
  selectVerificationKey,
} from '../../did/index.js';
import type { TrustRegistry } from '../../trust/index.js';
import type { IssuerSchemas } from '../issue/issuer.js';
import { type SchemaRegistry, schemaUrl } from '../schemas/index.js';
import {
  type FetchBudget,
  type IssuerTrust,
  type KeyLookup,
  KeyLookupError,
  type KeyRelationship,
  type SchemaValidation,
} from './ports.js';

export interface DidKeyLookupOptions {
  /**
   * Asked when a kid is not a method of the resolved document: answers true when it refreshed
   * its copy of that DID's keys (the service's own DID after a rotation by another replica),
   * and the key is then looked up once more. Bounded by the caller.
   */
  readonly onUnknownKey?: (did: string) => Promise<boolean>;
}

export function didKeyLookup(resolver: DidResolver, options: DidKeyLookupOptions = {}): KeyLookup {
  async function selectKey(
    did: string,
    kid: string | undefined,
    relationship: KeyRelationship,
    budget: FetchBudget | undefined,
  ) {
    let document: Awaited<ReturnType<DidResolver['resolve']>>;
    try {
      document = await resolver.resolve(did, budget ? { budget } : {});
    } catch (error) {
      if (error instanceof DidResolutionError) {
        if (error.code === 'fetch_budget_exhausted') throw new KeyLookupError(error.code, error.message);
        throw new KeyLookupError('unresolvable_did', `${did} does not resolve: ${error.code}`);
      }
      throw error;
    }
    try {
      return selectVerificationKey(document, { relationship, ...(kid !== undefined ? { kid } : {}) });
    } catch (error) {
      if (error instanceof KeySelectionError) {
        throw new KeyLookupError(
          error.code === 'unsupported_key' ? 'unsupported_key' : 'unknown_key',
          error.message,
        );
      }
      throw error;
    }
  }
  return {
    async verificationKey(did, kid, relationship, budget) {
      try {
        return await selectKey(did, kid, relationship, budget);
      } catch (error) {
        const unknown = error instanceof KeyLookupError && error.code === 'unknown_key';
        if (unknown && options.onUnknownKey && (await options.onUnknownKey(did))) {
          return selectKey(did, kid, relationship, budget);
        }
        throw error;
      }
    },
  };
}

export function registryTrust(registry: TrustRegistry): IssuerTrust {
  return {
    async check(args) {
      const decision = await registry.check(args);
      return decision.trusted
        ? { trusted: true }
        : { trusted: false, code: decision.code, detail: decision.detail };
    },
  };
}

function violations(result: ReturnType<SchemaRegistry['validate']>): string[] {
  return result.valid ? [] : result.errors.map((e) => `${e.path || '/'} ${e.message}`);
}

export function registrySchemas(registry: SchemaRegistry): SchemaValidation {
  return {
    typesWithSchema: (types) => types.filter((type) => registry.forType(type) !== undefined),
    validate(type, credential) {
      const result = registry.validate(type, credential);
      return { valid: result.valid, errors: violations(result) };
    },
  };
}

export function issuerSchemas(registry: SchemaRegistry, publicUrl: string): IssuerSchemas {
  return {
    has: (type) => registry.forType(type) !== undefined,
    schemaUrl(type) {
      const schema = registry.forType(type);
      if (!schema) throw new Error(`no schema for ${type}`);
      return schemaUrl(publicUrl, type, schema.version);
    },
    validate(type, credential) {
      const result = registry.validate(type, credential);
      return { valid: result.valid, errors: violations(result) };
    },
  };
}
