/**
 * The check, assembled: read the subject's consents with one indexed query (never from a cache:
 * a withdrawal counts from the commit on; concurrent checks share one statement per turn), keep
 * those the caller may ask about, run every named check on each, and answer permitted when one
 * consent passes them all.
 */
import type { DataSource } from 'typeorm';
import { BatchedRead, type BatchedReadStatement } from '../../db/index.js';
import { isDid } from '../../trust/index.js';
import { ConsentError } from '../errors.js';
import type { MemberDirectory } from '../ports.js';
import { checkCategory } from './checks/category.js';
import { checkController } from './checks/controller.js';
import { checkExpiry } from './checks/expiry.js';
import { checkPurpose } from './checks/purpose.js';
import { checkRecipient } from './checks/recipient.js';
import { checkStatus } from './checks/status.js';
import type {
  CheckContext,
  CheckedConsent,
  ConsentCheck,
  ConsentQuestion,
  ConsentReasonCode,
} from './types.js';

/** Every check, in the order it runs. */
export const CONSENT_CHECKS: readonly ConsentCheck[] = [
  checkStatus,
  checkExpiry,
  checkController,
  checkPurpose,
  checkCategory,
  checkRecipient,
];

export interface ConsentReason {
  readonly code: ConsentReasonCode;
  /** The consent that failed the check (absent for `no_consent`). */
  readonly consentId?: string;
}

/** The answer: permitted, by which consent until when; or not, and why (every failing check of every consent). */
export interface ConsentAnswer {
  readonly permitted: boolean;
  readonly consentId?: string;
  readonly expiresAt?: string;
  readonly reasons: readonly ConsentReason[];
  readonly checkedAt: string;
}

const SUBJECT = /^[A-Za-z0-9_-]{43}$/;
const PURPOSE = /^dpv:[A-Z][A-Za-z0-9]{0,99}$/;
const CATEGORY = /^pd:[A-Z][A-Za-z0-9]{0,99}$/;

/** The question from a request body; `invalid_request` naming the field otherwise. */
export function parseQuestion(body: unknown): ConsentQuestion {
  const invalid = (detail: string): never => {
    throw new ConsentError('invalid_request', detail);
  };
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    invalid('the body must be a JSON object');
  const { subject, purpose, dataCategory, recipient, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) invalid(`unknown field ${JSON.stringify(unknown)}`);
  if (typeof subject !== 'string' || !SUBJECT.test(subject))
    invalid('subject must be a pairwise identifier (43 base64url characters)');
  if (typeof purpose !== 'string' || !PURPOSE.test(purpose))
    invalid('purpose must be a DPV purpose such as dpv:ServiceProvision');
  if (typeof dataCategory !== 'string' || !CATEGORY.test(dataCategory)) {
    invalid('dataCategory must be a DPV personal-data category such as pd:Location');
  }
  if (recipient !== undefined && (typeof recipient !== 'string' || !isDid(recipient)))
    invalid('recipient must be a DID');
  return {
    subject: subject as string,
    purpose: purpose as string,
    dataCategory: dataCategory as string,
    ...(recipient === undefined ? {} : { recipient: recipient as string }),
  };
}

interface Row extends Record<string, unknown> {
  /** Only in the rows of the statement over many subjects. */
  subject_id?: string;
  id: string;
  controller_did: string;
  purposes: string;
  data_categories: string;
  recipients: string;
  status: 'given' | 'withdrawn' | 'expired';
  expires_at: string;
}

const CONSENT_COLUMNS = 'id, controller_did, purposes, data_categories, recipients, status, expires_at';

/**
 * The one indexed read (consent_record_subject), coalesced per event-loop turn on PostgreSQL
 * (src/db/batched-read.ts). Replaced consents are history, not answers.
 */
const CONSENTS_OF_SUBJECT: BatchedReadStatement<Row> = {
  many: {
    name: 'consent_check_subjects',
    text: `SELECT subject_id, ${CONSENT_COLUMNS} FROM consent_record WHERE subject_id = ANY($1) AND status <> 'superseded'`,
  },
  one: {
    name: 'consent_check_subject',
    text: `SELECT ${CONSENT_COLUMNS} FROM consent_record WHERE subject_id = $1 AND status <> 'superseded'`,
  },
  keyOf: (row) => [row.subject_id],
};

export class ConsentChecker {
  private readonly consentsOf: BatchedRead<Row>;

  constructor(
    dataSource: DataSource,
    private readonly members: MemberDirectory,
  ) {
    this.consentsOf = new BatchedRead<Row>(dataSource, CONSENTS_OF_SUBJECT);
  }

  /**
   * Answers `question` for `caller`, the DID of an authenticated, active member. Throws
   * ConsentError `not_a_party` (403) when consents exist for the subject but the caller is
   * neither their controller nor a named recipient of any.
   */
  async check(caller: string, question: ConsentQuestion, now: Date): Promise<ConsentAnswer> {
    const rows = await this.consentsOf.read(question.subject);
    const checkedAt = now.toISOString();
    if (rows.length === 0) return { permitted: false, reasons: [{ code: 'no_consent' }], checkedAt };
    const visible = rows
      .map(consentOf)
      .filter((consent) => consent.controller === caller || consent.recipients.includes(caller));
    if (visible.length === 0) {
      throw new ConsentError(
        'not_a_party',
        'the caller is neither the controller nor a named recipient of this subject’s consents',
      );
    }
    // The caller's own membership was checked when its token was; the other controllers and the
    // recipient named in the question are read now.
    const recipient = question.recipient ?? caller;
    const active = new Map<string, boolean>([[caller, true]]);
    for (const did of [...visible.map((consent) => consent.controller), recipient]) {
      if (active.has(did)) continue;
      const member = await this.members.member(did);
      active.set(did, member?.status === 'active');
    }
    const context: CheckContext = {
      question,
      caller,
      recipient,
      now,
      memberActive: (did) => active.get(did) === true,
    };
    const reasons: ConsentReason[] = [];
    let best: CheckedConsent | undefined;
    for (const consent of visible) {
      const failures = CONSENT_CHECKS.map((check) => check(consent, context)).filter(
        (result) => result.result === 'failed',
      );
      if (failures.length === 0) {
        if (!best || consent.expiresAt > best.expiresAt) best = consent;
      } else {
        for (const failure of failures)
          reasons.push({ code: failure.code as ConsentReasonCode, consentId: consent.id });
      }
    }
    if (best)
      return { permitted: true, consentId: best.id, expiresAt: best.expiresAt, reasons: [], checkedAt };
    return { permitted: false, reasons, checkedAt };
  }
}

function consentOf(row: Row): CheckedConsent {
  return {
    id: row.id,
    controller: row.controller_did,
    purposes: JSON.parse(row.purposes) as string[],
    dataCategories: JSON.parse(row.data_categories) as string[],
    recipients: JSON.parse(row.recipients) as string[],
    status: row.status,
    expiresAt: row.expires_at,
  };
}
