import { strict as assert } from 'node:assert';
import { checkContact } from '../../src/membership/contact.js';

function refusal(contact: unknown): string | undefined {
  try {
    checkContact(contact);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('membership: the contact of an application is a closed, bounded object (issue 8 item 8)', () => {
  it('accepts an email with an optional name and phone', () => {
    const contact = { email: 'board@city.example', name: 'Ada', phone: '+49 30 1234567' };
    assert.deepEqual(checkContact(contact), contact);
  });

  for (const [name, contact] of [
    ['no email', { name: 'Ada' }],
    ['an unknown member', { email: 'a@city.example', notes: 'x' }],
    ['60 KB of anything', { email: 'a@city.example', extra: 'x'.repeat(60_000) }],
    ['an email of 300 characters', { email: `${'a'.repeat(290)}@city.example` }],
    ['a name of 201 characters', { email: 'a@city.example', name: 'x'.repeat(201) }],
    ['a deep array', { email: 'a@city.example', name: [[[['x']]]] }],
    ['not an object', ['a@city.example']],
    ['nothing', undefined],
  ] as const) {
    it(`refuses ${name}: invalid_contact`, () => {
      assert.equal(refusal(contact), 'invalid_contact');
    });
  }
});
