/**
 * Events as RFC 8417 Security Event Tokens, signed by the service DID (ES256, `kid` the DID
 * URL of the key), the same for a push (RFC 8935) and for the feed; only `aud` and `iat`
 * differ per receiver and moment.
 *
 * Header: `{ alg: "ES256", typ: "secevent+jwt", kid }` (RFC 8417 §2.3 explicit typing).
 * Claims: `iss` the service DID; `aud` the receiving member's DID; `iat` when signed; `jti` the
 * event id (de-duplicate on it); `toe` when the event happened (RFC 8417 §2.2); `sub_id` the
 * subject (RFC 9493: format `did` for a DID, else `opaque`); `seq` the feed sequence (a private
 * claim: a receiver may resume the feed with `after=seq`); `events` one member, the type's URI
 * (`urn:dataspace-trust:event:<type>`) → the event's data. No `exp`: a SET records a fact.
 */
import type { JWTPayload } from 'jose';
import type { JwtSigner } from '../credentials/sign.js';
import { type EventType, eventTypeUri } from './types.js';

/** The JOSE `typ` of a SET (RFC 8417 §2.3). */
export const SET_TYP = 'secevent+jwt';
/** The media type of a pushed SET (RFC 8935 §2). */
export const SET_MEDIA_TYPE = 'application/secevent+jwt';

/** An event as stored and as the feed lists it. */
export interface StoredEvent {
  readonly sequence: number;
  readonly id: string;
  readonly type: EventType;
  readonly subject: string;
  readonly occurredAt: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A subject identifier (RFC 9493 §3). */
export type SubjectIdentifier =
  | { readonly format: 'did'; readonly url: string }
  | { readonly format: 'opaque'; readonly id: string };

export function subjectIdentifier(subject: string): SubjectIdentifier {
  return subject.startsWith('did:') ? { format: 'did', url: subject } : { format: 'opaque', id: subject };
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** The claims of the SET of `event` for `audience`, issued at `now`. */
export function setClaims(event: StoredEvent, issuer: string, audience: string, now: Date): JWTPayload {
  return {
    iss: issuer,
    aud: audience,
    iat: seconds(now),
    jti: event.id,
    toe: seconds(new Date(event.occurredAt)),
    sub_id: subjectIdentifier(event.subject),
    seq: event.sequence,
    events: { [eventTypeUri(event.type)]: event.data },
  };
}

/** Signs SETs with the service DID's P-256 key. */
export interface SetSigner {
  sign(event: StoredEvent, audience: string, now: Date): Promise<string>;
}

export function setSigner(signer: JwtSigner): SetSigner {
  return {
    sign: (event, audience, now) =>
      signer.sign(setClaims(event, signer.did, audience, now), { typ: SET_TYP, algorithm: 'ES256' }),
  };
}
