export {
  contextUrl,
  DATASPACE_CONTEXT,
  type JsonLdContext,
  type JsonLdContexts,
  loadJsonLdContexts,
} from './contexts.js';
export { CredentialSchemaError, type CredentialSchemaErrorCode } from './errors.js';
export { type CredentialSchema, loadCredentialSchemas } from './loader.js';
export {
  createSchemaRegistry,
  type SchemaRegistry,
  type SchemaValidationResult,
  type SchemaViolation,
} from './registry.js';
export { schemaRoutes } from './routes.js';
export { schemaId, schemaUrl } from './schema-id.js';
