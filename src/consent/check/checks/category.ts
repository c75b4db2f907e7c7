/**
 * `category` → `category_not_covered`. The consent covers the personal-data categories its
 * notice named (ISO/IEC TS 27560 `pii_information`), compared exactly as DPV compact IRIs.
 */
import { type CheckContext, type CheckedConsent, type ConsentCheckResult, failed, passed } from '../types.js';

export function checkCategory(consent: CheckedConsent, context: CheckContext): ConsentCheckResult {
  return consent.dataCategories.includes(context.question.dataCategory)
    ? passed('category')
    : failed('category', 'category_not_covered');
}
