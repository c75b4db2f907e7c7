export type { Json } from './common.js';
export {
  CONNECTOR_SECURITY_SCHEME,
  connectorErrors,
  connectorSecurity,
} from './connector-paths.js';
export { OPENAPI_PATH, type OpenApiOptions, openApiDocument, UNDESCRIBED_PREFIXES } from './document.js';
export { openApiRoutes } from './routes.js';
