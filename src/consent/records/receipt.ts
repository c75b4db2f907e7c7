/**
 * The ConsentReceiptCredential's subject (credential-schemas/ConsentReceiptCredential/v1.json):
 * an ISO/IEC TS 27560 consent receipt carrying the record's facts. Its `id` is the DID of the
 * wallet the citizen gave consent with: the receipt belongs to the citizen, who proves control
 * of that DID (holder binding) whenever they present it; anyone can check its signature, that
 * the service issued it, and its status through POST /api/v1/credentials/verify.
 */
import type { NoticeContent } from '../notices/content.js';

const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function receiptSubject(facts: {
  readonly wallet: string;
  readonly consentId: string;
  readonly notice: NoticeContent;
  readonly noticeHash: string;
  readonly controllerName?: string;
  readonly subjectId: string;
  readonly purposes: readonly string[];
  readonly givenAt: Date;
  readonly expiresAt: Date;
}): Record<string, unknown> & { id: string } {
  const { notice } = facts;
  return {
    id: facts.wallet,
    consentId: facts.consentId,
    noticeId: notice.id,
    noticeVersion: notice.version,
    noticeHash: facts.noticeHash,
    controller: notice.controller,
    ...(facts.controllerName ? { controllerName: facts.controllerName } : {}),
    dataSubject: facts.subjectId,
    purposes: [...facts.purposes],
    dataCategories: [...notice.dataCategories],
    recipients: [...notice.recipients],
    legalBasis: notice.legalBasis,
    jurisdiction: notice.jurisdiction,
    givenAt: isoSeconds(facts.givenAt),
    expiresAt: isoSeconds(facts.expiresAt),
  };
}
