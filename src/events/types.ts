/**
 * The registry of event types: every event the outbox accepts and a subscription may name.
 * A type is `<capability>.<what happened>`; the SET carries it as the URI
 * `urn:dataspace-trust:event:<type>` (RFC 8417 §2.2 names event types by URI).
 *
 * The rule for every payload: no personal data. An event names members by DID, citizens only
 * by the pairwise identifier their controller already knows, and otherwise carries ids, codes
 * and times. Anything a receiver needs beyond that it reads through the API it is entitled to.
 */

/** Who an event type is meant for, as the docs describe it (the appender passes the DIDs). */
export interface EventTypeInfo {
  /** One line for docs/events.md. */
  readonly description: string;
  /** The payload's fields (all optional ones marked), for the docs. */
  readonly data: Readonly<Record<string, string>>;
}

export const EVENT_TYPES = {
  'consent.given': {
    description: 'A citizen gave consent to a notice. Audience: the controller and the named recipients.',
    data: {
      consentId: 'the consent record id',
      subject: 'the pairwise identifier of the citizen for the receiving controller',
      noticeId: 'the notice id',
      noticeVersion: 'the notice version',
      purposes: 'the purposes consented to',
      expiresAt: 'when the consent expires (optional)',
    },
  },
  'consent.withdrawn': {
    description: 'A citizen withdrew a consent. Audience: the controller and the named recipients.',
    data: { consentId: 'the consent record id', subject: 'the pairwise identifier', withdrawnAt: 'when' },
  },
  'consent.expired': {
    description: 'A consent reached its expiry. Audience: the controller and the named recipients.',
    data: { consentId: 'the consent record id', subject: 'the pairwise identifier', expiredAt: 'when' },
  },
  'member.suspended': {
    description: 'The board suspended a member. Audience: every member.',
    data: { member: 'the member DID', motion: 'the motion that decided it' },
  },
  'member.reinstated': {
    description: 'The board reinstated a suspended member. Audience: every member.',
    data: { member: 'the member DID', motion: 'the motion that decided it' },
  },
  'member.revoked': {
    description: 'The board revoked a membership. Audience: every member.',
    data: { member: 'the member DID', motion: 'the motion that decided it' },
  },
  'member.withdrawn': {
    description: 'A member left by its own signed statement. Audience: every member.',
    data: { member: 'the member DID' },
  },
  // The data-sharing agreements' (src/agreements, docs/agreements.md).
  'agreement.activated': {
    description: 'Both parties signed an agreement. Audience: the two parties.',
    data: { agreementId: 'the agreement id', provider: 'DID', consumer: 'DID' },
  },
  'agreement.suspended': {
    description: 'An agreement was suspended (a party was suspended). Audience: the two parties.',
    data: { agreementId: 'the agreement id', provider: 'DID', consumer: 'DID' },
  },
  'agreement.reinstated': {
    description: 'A suspended agreement is active again. Audience: the two parties.',
    data: { agreementId: 'the agreement id', provider: 'DID', consumer: 'DID' },
  },
  'agreement.terminated': {
    description: 'An agreement was terminated. Audience: the two parties.',
    data: { agreementId: 'the agreement id', provider: 'DID', consumer: 'DID' },
  },
  'agreement.expired': {
    description: 'An agreement reached its end. Audience: the two parties.',
    data: { agreementId: 'the agreement id', provider: 'DID', consumer: 'DID' },
  },
} as const satisfies Readonly<Record<string, EventTypeInfo>>;

/** A known event type name, e.g. `consent.withdrawn`. */
export type EventType = keyof typeof EVENT_TYPES;

/** Every known type, in registry order. */
export const EVENT_TYPE_NAMES: readonly EventType[] = Object.keys(EVENT_TYPES) as EventType[];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(EVENT_TYPES, value);
}

/** The prefix of the URI that names an event type in a SET's `events` claim. */
export const EVENT_TYPE_URI_PREFIX = 'urn:dataspace-trust:event:';

/** `consent.withdrawn` → `urn:dataspace-trust:event:consent.withdrawn`. */
export function eventTypeUri(type: EventType): string {
  return `${EVENT_TYPE_URI_PREFIX}${type}`;
}
