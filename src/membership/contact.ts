import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { GovernanceError } from '../governance/errors.js';

/**
 * The `contact` of an application: who the governance authority writes to. It is stored with
 * the application, so it is held to a closed schema with size bounds: nothing but an email
 * (RFC 5321 bounds: 254 characters), a name and a phone, never arbitrary data.
 */
export const CONTACT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['email'],
  properties: {
    email: { type: 'string', format: 'email', minLength: 3, maxLength: 254 },
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    phone: { type: 'string', pattern: '^\\+?[0-9][0-9 ()./-]{4,24}$' },
  },
} as const;

const ajv = new Ajv2020({ strict: true, allErrors: false });
addFormatsModule.default(ajv);
const validate = ajv.compile(CONTACT_SCHEMA);

/** The contact as stored, or GovernanceError 422 `invalid_contact` saying what is wrong. */
export function checkContact(contact: unknown): { email: string; name?: string; phone?: string } {
  if (!validate(contact)) {
    const [error] = validate.errors ?? [];
    const where = error?.instancePath || '/';
    throw new GovernanceError(
      422,
      'invalid_contact',
      `contact ${where} ${error?.message ?? 'is invalid'} (an object of email, and optionally name and phone)`,
    );
  }
  return contact as { email: string; name?: string; phone?: string };
}
