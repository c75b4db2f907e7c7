export { instrumentDatabase } from './database.js';
export { hasBearer, type MetricsEndpointOptions, metricsHandler, serveMetrics } from './endpoint.js';
export {
  createMetrics,
  type EventBacklog,
  type Metrics,
  type MetricsOptions,
  type PoolState,
} from './instruments.js';
