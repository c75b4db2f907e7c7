/**
 * An application signed through the wallet (issue 14 item 2): the portal asks the applicant's
 * wallet for an OpenID4VP presentation of its evidence credentials whose `transaction_data` item
 * is the application form, and the wallet signs the item's hash into the presentation
 * (OpenID4VP 1.0 §5.1, §8.4; `transaction_data_hashes` as Appendix B.3.3 defines them, here in
 * the JWT VP). The application is then the applicant DID's statement, as the self-issued
 * MembershipApplicationCredential of the API is. Read here from the bytes, independently of the
 * OpenID4VP verifier that received it.
 *
 * The item: `{ "type": "dataspace_membership_application", "credential_ids": [...],
 * "legalName", "registrationNumber", "country", "roles": [...], "contact": {...} }`.
 *
 * Codes (GovernanceError):
 * - `invalid_presentation` (400): not one compact JWS presentation;
 * - `application_not_signed` (400): the item's SHA-256 is not in the presentation's
 *   `transaction_data_hashes` (or `transaction_data_hashes_alg` is not `sha-256`): the form was
 *   changed after the wallet signed it;
 * - `invalid_application` (422): the item is not an application form (type, fields, bounds);
 * - `invalid_contact` (422): see contact.ts.
 */
import { JwsFormatError, parseCompactJws } from '../credentials/verify/compact-jws.js';
import { GovernanceError } from '../governance/errors.js';
import { signsTransactionItem } from '../governance/signed-statement.js';
import { checkContact } from './contact.js';

export const APPLICATION_TRANSACTION_TYPE = 'dataspace_membership_application';

/** What the portal hands over: the wallet's presentation and the item, both verbatim. */
export interface PresentedApplication {
  /** The JWT VP, verbatim. */
  readonly presentation: string;
  /** The `transaction_data` item string, verbatim (base64url JSON). */
  readonly transactionData: string;
  /** The nonce the verifier gave the wallet (the OpenID4VP request's). */
  readonly nonce: string;
}

/** The application's fields, as the API's application credential carries them. */
export interface ApplicationForm {
  readonly legalName: string;
  readonly registrationNumber: string;
  readonly country: string;
  readonly roles: readonly string[];
  readonly contact: { email: string; name?: string; phone?: string };
}

function invalid(message: string): never {
  throw new GovernanceError(422, 'invalid_application', message);
}

const text = (value: unknown, name: string, max: number): string => {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max)
    invalid(`${name} is a text of 1 to ${max} characters`);
  return value.trim();
};

/**
 * The form's fields checked and trimmed (the bounds the registry keeps, and the schema's), or
 * `invalid_application` / `invalid_contact`. Whether the roles are the rulebook's is an
 * admission check, run with the others.
 */
export function checkApplicationForm(form: Readonly<Record<string, unknown>>): ApplicationForm {
  const roles = form.roles;
  if (
    !Array.isArray(roles) ||
    roles.length === 0 ||
    roles.length > 10 ||
    !roles.every((role) => typeof role === 'string' && /^[a-z][a-z0-9-]{0,63}$/.test(role)) ||
    new Set(roles).size !== roles.length
  )
    invalid('roles is a list of 1 to 10 distinct role ids');
  const country = form.country;
  if (typeof country !== 'string' || !/^[A-Z]{2}$/.test(country))
    invalid('country is an ISO 3166-1 alpha-2 code');
  return {
    legalName: text(form.legalName, 'legalName', 300),
    registrationNumber: text(form.registrationNumber, 'registrationNumber', 100),
    country,
    roles: roles as string[],
    contact: checkContact(form.contact),
  };
}

/** The base64url item of a form, with the credential query ids its presentation answers. */
export function applicationItem(form: ApplicationForm, credentialIds: readonly string[]) {
  return {
    type: APPLICATION_TRANSACTION_TYPE,
    credential_ids: [...credentialIds],
    legalName: form.legalName,
    registrationNumber: form.registrationNumber,
    country: form.country,
    roles: [...form.roles],
    contact: form.contact,
  };
}

/**
 * The form of a presented application, once the presentation is known to sign its item (the
 * signature itself is the credentials pipeline's, run by the caller on the same bytes).
 */
export function readPresentedApplication(presented: PresentedApplication): ApplicationForm {
  if (typeof presented.presentation !== 'string' || typeof presented.transactionData !== 'string')
    throw new GovernanceError(400, 'invalid_presentation', 'a presentation and its application item');
  let payload: Record<string, unknown>;
  try {
    payload = parseCompactJws(presented.presentation).payload;
  } catch (error) {
    if (error instanceof JwsFormatError)
      throw new GovernanceError(400, 'invalid_presentation', 'the presentation is not a compact JWS');
    throw error;
  }
  if (!signsTransactionItem(payload, presented.transactionData))
    throw new GovernanceError(
      400,
      'application_not_signed',
      'the presentation does not sign this application (changed after the wallet signed it?)',
    );
  let item: unknown;
  try {
    item = JSON.parse(Buffer.from(presented.transactionData, 'base64url').toString('utf8'));
  } catch {
    invalid('the application item is not base64url JSON');
  }
  if (item === null || typeof item !== 'object' || Array.isArray(item)) invalid('the item is not an object');
  const fields = item as Record<string, unknown>;
  if (fields.type !== APPLICATION_TRANSACTION_TYPE)
    invalid(`the item's type is not ${APPLICATION_TRANSACTION_TYPE}`);
  return checkApplicationForm(fields);
}
