/**
 * Events: the outbox (written in the transaction of its cause), signed webhook delivery with
 * retries, the member feed and subscriptions. See docs/events.md.
 */
export { type BackoffPolicy, backoffDelayMs, nextAttempt } from './backoff.js';
export { EVENT_ENTITIES } from './entities.js';
export { EVENT_ERRORS, EventError, type EventErrorCode, InvalidEventError } from './errors.js';
export { EventFeed, type FeedItem, type FeedPage, MAX_FEED_LIMIT } from './feed.js';
export { EVENT_SWEEP_TARGETS, type Events, type EventsOptions, openEvents } from './module.js';
export {
  type AppendedEvent,
  EVENTS_CHANNEL,
  EventOutbox,
  MAX_AUDIENCE,
  MAX_EVENT_DATA_LENGTH,
  type NewEvent,
} from './outbox.js';
export { EVENTS_SCOPE, eventRoutes } from './routes.js';
export {
  SET_MEDIA_TYPE,
  SET_TYP,
  type SetSigner,
  type StoredEvent,
  setClaims,
  setSigner,
  subjectIdentifier,
} from './set.js';
export {
  type DeliveryPage,
  type DeliveryView,
  Subscriptions,
  type SubscriptionView,
} from './subscriptions.js';
export { type PushOptions, type PushOutcome, pushSet } from './transport.js';
export {
  EVENT_TYPE_NAMES,
  EVENT_TYPE_URI_PREFIX,
  EVENT_TYPES,
  type EventType,
  eventTypeUri,
  isEventType,
} from './types.js';
export { checkWebhookUrl } from './url-policy.js';
export { type DeliveryOutcome, DeliveryWorker, type DeliveryWorkerOptions } from './worker.js';
