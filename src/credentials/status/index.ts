/**
 * W3C Bitstring Status List v1.0 for the credentials this service issues: the bitstring
 * codec, index allocation, revocation and suspension, and publication at `/status/{listId}`.
 */
export type { StatusAllocation } from './allocation.js';
export {
  Bitstring,
  DEFAULT_MAX_LIST_BYTES,
  type DecodeOptions,
  decodeList,
  encodeList,
  MINIMUM_LIST_BITS,
  parseStatusListIndex,
} from './bitstring.js';
export {
  type BitstringStatusListCredential,
  type BitstringStatusListEntry,
  statusListCredential,
  statusListEntry,
  statusListUrl,
} from './credential.js';
export { STATUS_ENTITIES, STATUS_PURPOSES, type StatusPurpose } from './entities.js';
export { type SpecErrorName, StatusListError, type StatusListErrorCode } from './errors.js';
export { type PublisherOptions, type SignedStatusList, StatusListPublisher } from './publisher.js';
export { statusRoutes } from './routes.js';
export {
  type AllocateOptions,
  type CredentialStatus,
  type ListSnapshot,
  StatusService,
  type StatusServiceOptions,
} from './status-service.js';
