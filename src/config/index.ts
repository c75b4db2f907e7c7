export { renderConfigurationDocs } from './docs.js';
export { ConfigError } from './errors.js';
export { CONFIG_KEYS, type LogLevel } from './keys.js';
export {
  CONFIG_KEY_NAMES,
  type Config,
  describeConfig,
  type Environment,
  type EventSettings,
  loadConfig,
} from './load.js';
