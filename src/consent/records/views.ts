/** How a consent record reads, for the citizen's dashboard and the API. */
import type { ConsentEventRow, ConsentRecordRow, ConsentStatus } from '../entities.js';
import { type HistoryEvent, historyEvent } from '../history.js';

/** How consent was collected (ISO/IEC TS 27560 `collection_method`). */
export interface CollectionMethod {
  /** `wallet-login`: the citizen logged in with a wallet (OpenID4VP) and agreed on the consent page. */
  readonly method: 'wallet-login';
  /** The OpenID Connect client (the member's app) that sent the citizen, when there was one. */
  readonly clientId?: string;
}

export const COLLECTION_METHODS: readonly CollectionMethod['method'][] = ['wallet-login'];

/** One consent as the citizen (and the API) sees it, with its history. */
export interface ConsentView {
  readonly id: string;
  readonly notice: { readonly id: string; readonly version: number; readonly hash: string };
  readonly controller: string;
  /** The controller's pseudonym for the citizen (what its connector asks the check about). */
  readonly subject: string;
  readonly purposes: readonly string[];
  readonly dataCategories: readonly string[];
  readonly recipients: readonly string[];
  readonly legalBasis: string;
  readonly collectionMethod: CollectionMethod;
  readonly givenAt: string;
  readonly expiresAt: string;
  readonly status: ConsentStatus;
  readonly statusAt: string;
  readonly endedAt?: string;
  /** The ConsentReceiptCredential's id. */
  readonly receiptId: string;
  /** SHA-256 of the record's ISO/IEC TS 27560 form when given (also in the audit log). */
  readonly recordHash: string;
  readonly history: readonly HistoryEvent[];
}

export function consentView(row: ConsentRecordRow, events: readonly ConsentEventRow[]): ConsentView {
  return {
    id: row.id,
    notice: { id: row.noticeId, version: row.noticeVersion, hash: row.noticeHash },
    controller: row.controllerDid,
    subject: row.subjectId,
    purposes: JSON.parse(row.purposes) as string[],
    dataCategories: JSON.parse(row.dataCategories) as string[],
    recipients: JSON.parse(row.recipients) as string[],
    legalBasis: row.legalBasis,
    collectionMethod: JSON.parse(row.collectionMethod) as CollectionMethod,
    givenAt: row.givenAt,
    expiresAt: row.expiresAt,
    status: row.status,
    statusAt: row.statusAt,
    ...(row.endedAt ? { endedAt: row.endedAt } : {}),
    receiptId: row.receiptId,
    recordHash: row.recordHash,
    history: [...events].sort((a, b) => a.seq - b.seq).map(historyEvent),
  };
}
