import { canonicalJson, type JsonValue } from './canonical.js';
import { AuditError } from './errors.js';

/**
 * A governance event to record. The log adds the sequence, time and hashes.
 *
 * Everything in an event is published at `GET /api/v1/audit`: put only public facts in it,
 * never secrets and no personal data beyond DIDs and legal names.
 */
export interface AuditEvent {
  /** Dotted, lower case: `membership.application.submitted`, `governance.vote.cast`, `member.suspended`… */
  readonly kind: string;
  /** Who acted: a DID, or `operator` (the CLI) or `service` (the service on its own). */
  readonly actor: string;
  /** What the event is about: a DID, a motion id, a credential id… */
  readonly subject?: string | null;
  /** Public facts as a JSON object (default `{}`), stored and hashed in canonical form. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** An event that passed validation, with its data in canonical form. */
export interface ValidEvent {
  readonly kind: string;
  readonly actor: string;
  readonly subject: string | null;
  readonly data: { readonly [key: string]: JsonValue };
  /** `canonicalJson(data)`: what the `data` column holds. */
  readonly dataText: string;
}

/** Canonical data above this many characters is refused: entries record facts, not documents. */
export const MAX_DATA_LENGTH = 16_384;
const MAX_DATA_DEPTH = 16;
const KIND = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*){1,5}$/;
const DID = /^did:[a-z0-9]+:[\x21-\x7e]+$/;
const NO_CONTROL = /^[^\p{Cc}]+$/u;
// A guard against the most likely leak: a field that plainly carries a secret.
const SECRET_NAME = /password|passphrase|secret|private_?key|api_?key/i;

/** Checks an event and puts its data in canonical form; throws an AuditError saying what is wrong. */
export function validateEvent(event: AuditEvent): ValidEvent {
  const { kind, actor } = event;
  if (typeof kind !== 'string' || kind.length > 100 || !KIND.test(kind)) {
    throw new AuditError(
      'invalid_kind',
      `kind must be dotted lower-case words (e.g. member.suspended), got ${show(kind)}`,
    );
  }
  if (
    typeof actor !== 'string' ||
    actor.length > 500 ||
    !(actor === 'operator' || actor === 'service' || DID.test(actor))
  ) {
    throw new AuditError('invalid_actor', `actor must be a DID, "operator" or "service", got ${show(actor)}`);
  }
  const subject = event.subject ?? null;
  if (
    subject !== null &&
    (typeof subject !== 'string' || subject.length > 500 || !NO_CONTROL.test(subject))
  ) {
    throw new AuditError(
      'invalid_subject',
      'subject must be a non-empty string of at most 500 characters without control characters',
    );
  }
  const data = event.data ?? {};
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new AuditError('invalid_data', 'data must be a JSON object');
  }
  refuseSecrets(data, MAX_DATA_DEPTH);
  let dataText: string;
  try {
    dataText = canonicalJson(data, MAX_DATA_DEPTH);
  } catch (error) {
    throw new AuditError('invalid_data', `data must be plain JSON: ${(error as Error).message}`);
  }
  if (dataText.length > MAX_DATA_LENGTH) {
    throw new AuditError(
      'data_too_large',
      `data takes ${dataText.length} characters; at most ${MAX_DATA_LENGTH}`,
    );
  }
  return { kind, actor, subject, data: JSON.parse(dataText) as ValidEvent['data'], dataText };
}

function refuseSecrets(value: unknown, depth: number): void {
  if (depth < 0 || value === null || typeof value !== 'object') return;
  for (const [key, member] of Object.entries(value)) {
    if (!Array.isArray(value) && SECRET_NAME.test(key)) {
      throw new AuditError('forbidden_field', `data must not carry secrets; refused field "${key}"`);
    }
    refuseSecrets(member, depth - 1);
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
}
