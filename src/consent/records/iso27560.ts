/**
 * A consent record in the information structure of ISO/IEC TS 27560:2023 (consent record
 * information structure), with its field names, and DPV terms as values, as the DPVCG guide
 * "Consent Records and Receipts as per ISO/IEC TS 27560:2023 using DPV" maps them:
 * `purposes[].lawful_basis` (dpv:hasLegalBasis), `pii_information[].pii_type`
 * (dpv:hasPersonalData), `pii_controllers` (dpv:hasDataController), `recipient_third_parties`
 * (dpv:hasRecipient), `events[].event_state` (dpv:ConsentStatus). The citizen's export and the
 * record hash use it.
 */
import { canonicalJson } from '../../json/canonical.js';
import { sha256Hex } from '../deps.js';
import type { ConsentRecordRow } from '../entities.js';
import type { HistoryEvent } from '../history.js';
import type { CollectionMethod } from './views.js';

/** `schema_version` of every record this service writes. */
export const ISO_27560_SCHEMA = 'ISO/IEC TS 27560:2023; dataspace-trust consent record v1';

export interface Iso27560Purpose {
  readonly purpose: string;
  readonly lawful_basis: string;
  readonly pii_information: readonly { readonly pii_type: string }[];
  readonly pii_controllers: readonly string[];
  readonly collection_method: string;
  /** ISO 8601 duration, e.g. P365D. */
  readonly retention_period: string;
  readonly jurisdiction: string;
  readonly recipient_third_parties: readonly string[];
  readonly withdrawal_method: string;
}

export interface Iso27560Party {
  readonly party_id: string;
  readonly party_name?: string;
  readonly party_role: 'dpv:DataController' | 'dpv:Recipient';
}

export interface Iso27560Event {
  readonly event_time: string;
  /** How long the consent is valid from this event (given events only). */
  readonly validity_duration?: string;
  /** Who caused it: the citizen (by the controller's pseudonym) or the service. */
  readonly entity_id: string;
  /** The consent type (the notice's legal basis). */
  readonly event_type: string;
  readonly event_state: string;
}

export interface Iso27560Record {
  readonly schema_version: string;
  readonly record_id: string;
  /** The controller's pseudonym for the citizen. */
  readonly pii_principal_id: string;
  readonly privacy_notice: {
    readonly notice_id: string;
    readonly version: number;
    readonly hash: string;
    readonly url: string;
  };
  readonly language: string;
  readonly purposes: readonly Iso27560Purpose[];
  readonly parties: readonly Iso27560Party[];
  readonly events: readonly Iso27560Event[];
}

/** What the conversion needs beside the record's row and history. */
export interface Iso27560Context {
  readonly publicUrl: string;
  readonly withdrawalUrl: string;
  readonly serviceDid: string;
  /** The notice version's language and jurisdiction. */
  readonly notice: { readonly language: string; readonly jurisdiction: string };
  /** Registered legal names of the members concerned, when known. */
  readonly names?: ReadonlyMap<string, string>;
}

const STATE: Readonly<Record<string, string>> = {
  given: 'dpv:ConsentGiven',
  withdrawn: 'dpv:ConsentWithdrawn',
  // Replaced by the citizen's newer consent to the same notice: withdrawn by the data subject.
  superseded: 'dpv:ConsentWithdrawn',
  expired: 'dpv:ConsentExpired',
};

const days = (from: string, to: string): number =>
  Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

export function iso27560Record(
  row: ConsentRecordRow,
  history: readonly HistoryEvent[],
  context: Iso27560Context,
): Iso27560Record {
  const recipients = JSON.parse(row.recipients) as string[];
  const collection = JSON.parse(row.collectionMethod) as CollectionMethod;
  const period = `P${days(row.givenAt, row.expiresAt)}D`;
  const name = (did: string) => context.names?.get(did);
  const party = (did: string, role: Iso27560Party['party_role']): Iso27560Party => {
    const partyName = name(did);
    return { party_id: did, ...(partyName ? { party_name: partyName } : {}), party_role: role };
  };
  return {
    schema_version: ISO_27560_SCHEMA,
    record_id: row.id,
    pii_principal_id: row.subjectId,
    privacy_notice: {
      notice_id: row.noticeId,
      version: row.noticeVersion,
      hash: row.noticeHash,
      url: `${context.publicUrl}/api/v1/notices/${row.noticeId}/versions/${row.noticeVersion}`,
    },
    language: context.notice.language,
    purposes: (JSON.parse(row.purposes) as string[]).map((purpose) => ({
      purpose,
      lawful_basis: row.legalBasis,
      pii_information: (JSON.parse(row.dataCategories) as string[]).map((pii_type) => ({ pii_type })),
      pii_controllers: [row.controllerDid],
      collection_method: collection.method,
      retention_period: period,
      jurisdiction: context.notice.jurisdiction,
      recipient_third_parties: recipients,
      withdrawal_method: context.withdrawalUrl,
    })),
    parties: [
      party(row.controllerDid, 'dpv:DataController'),
      ...recipients.map((did) => party(did, 'dpv:Recipient')),
    ],
    events: history
      .filter((event) => event.event !== 'erased')
      .map((event) => ({
        event_time: event.event === 'given' ? row.givenAt : event.at,
        ...(event.event === 'given' ? { validity_duration: period } : {}),
        entity_id: event.actor === 'citizen' ? row.subjectId : context.serviceDid,
        event_type: row.legalBasis,
        event_state: STATE[event.event] ?? 'dpv:ConsentUnknown',
      })),
  };
}

/**
 * SHA-256 of the record's given facts (canonical JSON): what was consented to, by whom (as the
 * controller's pseudonym), to which notice version, when, until when. Fixed when given; it is in
 * the public audit log, so the controller can show its record was not altered since.
 */
export function recordHash(row: Omit<ConsentRecordRow, 'recordHash'>): string {
  return sha256Hex(
    canonicalJson({
      record_id: row.id,
      pii_principal_id: row.subjectId,
      notice: { id: row.noticeId, version: row.noticeVersion, hash: row.noticeHash },
      controller: row.controllerDid,
      purposes: JSON.parse(row.purposes),
      data_categories: JSON.parse(row.dataCategories),
      recipients: JSON.parse(row.recipients),
      lawful_basis: row.legalBasis,
      collection_method: JSON.parse(row.collectionMethod),
      given_at: row.givenAt,
      expires_at: row.expiresAt,
      receipt_id: row.receiptId,
    }),
  );
}
