import type { StatusPurpose } from './entities.js';

/** A `credentialStatus` entry (Bitstring Status List §2.1). */
export interface BitstringStatusListEntry {
  readonly id: string;
  readonly type: 'BitstringStatusListEntry';
  readonly statusPurpose: StatusPurpose;
  /** Base-10, as a string. */
  readonly statusListIndex: string;
  readonly statusListCredential: string;
}

/** The unsigned status list credential (§2.2), a VC Data Model 2.0 credential. */
export interface BitstringStatusListCredential {
  readonly '@context': readonly ['https://www.w3.org/ns/credentials/v2'];
  readonly id: string;
  readonly type: readonly ['VerifiableCredential', 'BitstringStatusListCredential'];
  readonly issuer: string;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly credentialSubject: {
    readonly id: string;
    readonly type: 'BitstringStatusList';
    readonly statusPurpose: StatusPurpose;
    readonly encodedList: string;
    /** Milliseconds a verifier may cache the list (§2.2), aligned with Cache-Control. */
    readonly ttl: number;
  };
}

/** `${publicUrl}/status/${listId}`: where the list is published, and the credential's `id`. */
export function statusListUrl(publicUrl: string, listId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/status/${encodeURIComponent(listId)}`;
}

/** The entry for one index. Its `id` is the list URL with the index as fragment, never the list URL itself. */
export function statusListEntry(
  publicUrl: string,
  allocation: { readonly listId: string; readonly index: number; readonly purpose: StatusPurpose },
): BitstringStatusListEntry {
  const listUrl = statusListUrl(publicUrl, allocation.listId);
  return {
    id: `${listUrl}#${allocation.index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: allocation.purpose,
    statusListIndex: String(allocation.index),
    statusListCredential: listUrl,
  };
}

export interface ListCredentialInput {
  readonly listUrl: string;
  readonly issuer: string;
  readonly purpose: StatusPurpose;
  readonly encodedList: string;
  readonly validFrom: Date;
  readonly validUntil: Date;
  readonly ttlMs: number;
}

/** The BitstringStatusListCredential of a list, before it is secured. */
export function statusListCredential(input: ListCredentialInput): BitstringStatusListCredential {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: input.listUrl,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuer,
    validFrom: dateTime(input.validFrom),
    validUntil: dateTime(input.validUntil),
    credentialSubject: {
      id: `${input.listUrl}#list`,
      type: 'BitstringStatusList',
      statusPurpose: input.purpose,
      encodedList: input.encodedList,
      ttl: input.ttlMs,
    },
  };
}

/** An XML Schema dateTimeStamp in UTC, whole seconds. */
function dateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
