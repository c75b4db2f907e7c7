/**
 * The OpenAPI description of the events API (src/events, docs/events.md): the feed and
 * members' webhook subscriptions with their delivery logs, all behind a connector token with
 * scope `events`.
 */
import {
  databaseErrors,
  dateTime,
  errors,
  integer,
  type Json,
  jsonBody,
  object,
  ok,
  type Paths,
  pathParameter,
  queryParameter,
  ref,
  string,
  writeErrors,
} from './common.js';
import { connectorErrors, connectorSecurity } from './connector-paths.js';

const eventType: Json = {
  type: 'string',
  pattern: '^[a-z]+\\.[a-z]+$',
  description: 'An event type of docs/events.md, e.g. `consent.withdrawn`.',
};
const nullableDateTime: Json = { type: ['string', 'null'], format: 'date-time' };

export const eventsSchemas: Record<string, Json> = {
  FeedItem: object({
    sequence: { ...integer, description: 'The feed position; resume with `after` = this.' },
    id: { type: 'string', format: 'uuid', description: 'The event id (the SET `jti`): de-duplicate on it.' },
    type: eventType,
    subject: string,
    occurredAt: dateTime,
    data: { type: 'object', description: 'The event payload: ids, codes and times, no personal data.' },
    set: {
      type: 'string',
      description:
        'The event as an RFC 8417 Security Event Token (`typ: secevent+jwt`, ES256) signed by the service DID for the calling member (`aud`).',
    },
  }),
  Subscription: object({
    id: string,
    url: { type: 'string', format: 'uri' },
    types: { type: 'array', items: eventType },
    status: {
      type: 'string',
      enum: ['active', 'ended'],
      description: '`ended`: the member left; nothing new is pushed.',
    },
    createdAt: dateTime,
  }),
  DeliveryAttempt: object({
    number: { type: 'integer', minimum: 1 },
    at: dateTime,
    httpStatus: { type: ['integer', 'null'], description: "The receiver's status, when it answered." },
    error: {
      type: ['string', 'null'],
      description:
        '`http_status`, `redirect_refused`, `timeout`, `connection_failed`, `private_address`, … with a short detail; null when delivered.',
    },
    durationMs: integer,
    nextAttemptAt: nullableDateTime,
  }),
  Delivery: object({
    id: string,
    eventId: { type: 'string', format: 'uuid' },
    sequence: integer,
    type: eventType,
    state: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
    createdAt: dateTime,
    nextAttemptAt: nullableDateTime,
    settledAt: nullableDateTime,
    attempts: { type: 'array', items: ref('DeliveryAttempt') },
  }),
};

const security = connectorSecurity('events');
const subscriptionId = pathParameter('id', 'The subscription id.');
const limit = (max: number) =>
  queryParameter('limit', `Page size, 1 to ${max} (default ${max}).`, {
    type: 'integer',
    minimum: 1,
    maximum: max,
  });
const memberReads = { 400: errors[400], ...connectorErrors, ...databaseErrors };

export const eventsPaths: Paths = {
  '/api/v1/events': {
    get: {
      operationId: 'listEvents',
      tags: ['events'],
      summary:
        'The feed: events for every member and those naming the caller, in sequence order, each as a signed SET.',
      security,
      parameters: [
        queryParameter(
          'after',
          'Where to resume: the `next` of the last page (an opaque cursor), or the `seq` of an event received; absent: from the start.',
          { type: 'string', pattern: '^([0-9]{1,15}|[A-Za-z0-9_-]{48})$' },
        ),
        limit(100),
      ],
      responses: {
        200: ok(
          'One page, and where to resume.',
          object({
            items: { type: 'array', items: ref('FeedItem') },
            next: {
              type: 'string',
              pattern: '^[A-Za-z0-9_-]{48}$',
              description:
                'The `after` of the next call: an opaque cursor for the caller alone (it reveals nothing about other members’ events). Every event for the caller up to it has been listed.',
            },
          }),
        ),
        ...memberReads,
      },
    },
  },
  '/api/v1/events/subscriptions': {
    post: {
      operationId: 'createEventSubscription',
      tags: ['events'],
      summary: 'Subscribe a webhook to event types; events appended from now on are pushed to it.',
      security,
      requestBody: jsonBody(
        object({
          url: {
            type: 'string',
            format: 'uri',
            description:
              'https (http only in development mode), a public host name, no user info or fragment.',
          },
          types: { type: 'array', items: eventType, minItems: 1, maxItems: 50 },
        }),
      ),
      responses: {
        201: {
          ...ok('Subscribed.', ref('Subscription')),
          headers: { Location: { description: 'The subscription.', schema: string } },
        },
        ...connectorErrors,
        409: errors[409],
        ...writeErrors,
      },
    },
    get: {
      operationId: 'listEventSubscriptions',
      tags: ['events'],
      summary: "The calling member's subscriptions.",
      security,
      responses: {
        200: ok('Oldest first.', object({ items: { type: 'array', items: ref('Subscription') } })),
        ...connectorErrors,
        ...databaseErrors,
      },
    },
  },
  '/api/v1/events/subscriptions/{id}': {
    get: {
      operationId: 'getEventSubscription',
      tags: ['events'],
      summary: 'One of the calling member’s subscriptions.',
      security,
      parameters: [subscriptionId],
      responses: {
        200: ok('The subscription.', ref('Subscription')),
        404: errors[404],
        ...connectorErrors,
        ...databaseErrors,
      },
    },
    delete: {
      operationId: 'deleteEventSubscription',
      tags: ['events'],
      summary: 'Delete a subscription with its pending deliveries and its log.',
      security,
      parameters: [subscriptionId],
      responses: {
        204: { description: 'Deleted.' },
        404: errors[404],
        ...connectorErrors,
        ...databaseErrors,
      },
    },
  },
  '/api/v1/events/subscriptions/{id}/deliveries': {
    get: {
      operationId: 'listEventDeliveries',
      tags: ['events'],
      summary: 'The delivery log of a subscription, newest first: each delivery with every attempt.',
      security,
      parameters: [
        subscriptionId,
        queryParameter(
          'before',
          'Deliveries of events with a smaller sequence: the `next` of the last page.',
          integer,
        ),
        queryParameter('state', 'Only deliveries in this state.', {
          type: 'string',
          enum: ['pending', 'delivered', 'failed'],
        }),
        limit(100),
      ],
      responses: {
        200: ok(
          'One page.',
          object({
            items: { type: 'array', items: ref('Delivery') },
            next: {
              type: ['integer', 'null'],
              description: 'The `before` of the next (older) page; null at the end.',
            },
          }),
        ),
        404: errors[404],
        ...memberReads,
      },
    },
  },
};
