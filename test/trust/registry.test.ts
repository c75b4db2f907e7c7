import assert from 'node:assert/strict';
import {
  createTrustRegistry,
  type MemberIssuer,
  memberIssuersFrom,
  type TrustAnchor,
  TrustAnchorError,
  type TrustCheckRequest,
  type TrustRegistry,
} from '../../src/trust/index.js';

const SERVICE = 'did:web:trust.dataspace.example';
const REGISTER = 'did:web:issuer.example';
const NOW = new Date('2026-03-01T12:00:00Z');

function anchor(overrides: Partial<TrustAnchor> = {}): TrustAnchor {
  return {
    did: REGISTER,
    name: 'Business register',
    credentialTypes: ['LegalPersonCredential'],
    claims: [{ path: 'credentialSubject.country', allowedValues: ['DE', 'ES'] }],
    validity: { from: new Date('2025-01-01T00:00:00Z'), until: new Date('2027-01-01T00:00:00Z') },
    source: 'anchor',
    file: 'trust-anchors/issuer.example.json',
    ...overrides,
  };
}

function registry(
  anchors: TrustAnchor[] = [anchor()],
  members?: () => Promise<MemberIssuer[]>,
): TrustRegistry {
  return createTrustRegistry({
    anchors,
    serviceDid: SERVICE,
    serviceTypes: ['MembershipCredential', 'BoardMemberCredential'],
    ...(members ? { members: memberIssuersFrom(members) } : {}),
  });
}

function legalPerson(
  subject: Record<string, unknown> = { id: 'did:web:acme.example', country: 'DE' },
): TrustCheckRequest {
  const types = ['VerifiableCredential', 'LegalPersonCredential'];
  return { issuer: REGISTER, types, credential: { type: types, credentialSubject: subject }, at: NOW };
}

async function code(registry: TrustRegistry, request: TrustCheckRequest): Promise<string> {
  const result = await registry.check(request);
  return result.trusted ? 'trusted' : result.code;
}

describe('trusted-issuer registry: check()', () => {
  it('trusts an anchor for its type, with its claims and window satisfied', async () => {
    const result = await registry().check(legalPerson());
    assert.ok(result.trusted);
    assert.equal(result.anchor.did, REGISTER);
    assert.equal(result.anchor.source, 'anchor');
  });

  describe('the issuer DID matches exactly (DID Core §3.1: DIDs compare as strings)', () => {
    const nearMisses = [
      'did:web:issuer.example.evil.com',
      'did:web:ISSUER.example',
      'did:web:issuer.example.',
      'did:web:issuer.example:',
      'did:web:issuer.example%3A443',
      'did:web:evil.issuer.example',
      'did:web:issuer.exampl',
      'did:WEB:issuer.example',
      ' did:web:issuer.example',
      'did:web:issuer.example ',
      'did:web:issuer%2Eexample',
      'did:web:issuer.example#key-1',
      'https://issuer.example',
    ];
    for (const issuer of nearMisses) {
      it(`does not match ${JSON.stringify(issuer)} (untrusted_issuer)`, async () => {
        assert.equal(await code(registry(), { ...legalPerson(), issuer }), 'untrusted_issuer');
      });
    }
    it('answers untrusted_issuer for a non-string issuer', async () => {
      const issuer = { id: REGISTER } as unknown as string;
      assert.equal(await code(registry(), { ...legalPerson(), issuer }), 'untrusted_issuer');
    });
  });

  describe('credential types', () => {
    it('answers type_not_allowed, not untrusted_issuer, for a known issuer and another type', async () => {
      const request = { ...legalPerson(), types: ['VerifiableCredential', 'MembershipCredential'] };
      assert.equal(await code(registry(), request), 'type_not_allowed');
    });

    it('requires every specific type to be allowed, not just one (type_not_allowed)', async () => {
      const request = {
        ...legalPerson(),
        types: ['VerifiableCredential', 'LegalPersonCredential', 'MembershipCredential'],
      };
      assert.equal(await code(registry(), request), 'type_not_allowed');
    });

    it('ignores the base type VerifiableCredential', async () => {
      assert.equal(await code(registry(), { ...legalPerson(), types: ['LegalPersonCredential'] }), 'trusted');
    });

    it('trusts nobody for a credential with only the base type (type_not_allowed)', async () => {
      assert.equal(
        await code(registry(), { ...legalPerson(), types: ['VerifiableCredential'] }),
        'type_not_allowed',
      );
      assert.equal(await code(registry(), { ...legalPerson(), types: [] }), 'type_not_allowed');
    });
  });

  describe('validity window: validFrom inclusive, validUntil exclusive', () => {
    it('trusts at validFrom exactly', async () => {
      assert.equal(
        await code(registry(), { ...legalPerson(), at: new Date('2025-01-01T00:00:00Z') }),
        'trusted',
      );
    });
    it('answers outside_validity a millisecond before validFrom', async () => {
      const at = new Date('2024-12-31T23:59:59.999Z');
      assert.equal(await code(registry(), { ...legalPerson(), at }), 'outside_validity');
    });
    it('answers outside_validity at validUntil', async () => {
      assert.equal(
        await code(registry(), { ...legalPerson(), at: new Date('2027-01-01T00:00:00Z') }),
        'outside_validity',
      );
    });
    it('answers outside_validity for an invalid date rather than trusting', async () => {
      assert.equal(
        await code(registry(), { ...legalPerson(), at: new Date('nonsense') }),
        'outside_validity',
      );
    });
    it('trusts an anchor without a window at any time', async () => {
      const open = registry([anchor({ validity: {} })]);
      assert.equal(await code(open, { ...legalPerson(), at: new Date('1990-01-01T00:00:00Z') }), 'trusted');
    });
  });

  describe('claim constraints (trust-anchors/README.md "claims")', () => {
    it('answers claim_not_allowed for a value outside allowedValues', async () => {
      assert.equal(await code(registry(), legalPerson({ country: 'FR' })), 'claim_not_allowed');
    });
    it('compares exactly: "de" is not "DE" (claim_not_allowed)', async () => {
      assert.equal(await code(registry(), legalPerson({ country: 'de' })), 'claim_not_allowed');
    });
    it('fails closed when the constrained claim is absent (claim_not_allowed)', async () => {
      assert.equal(await code(registry(), legalPerson({ id: 'did:web:acme.example' })), 'claim_not_allowed');
    });
    it('fails closed when the credential has no subject (claim_not_allowed)', async () => {
      const request = { ...legalPerson(), credential: { type: ['LegalPersonCredential'] } };
      assert.equal(await code(registry(), request), 'claim_not_allowed');
    });
    it('rejects a non-scalar value (claim_not_allowed)', async () => {
      assert.equal(await code(registry(), legalPerson({ country: { code: 'DE' } })), 'claim_not_allowed');
    });
    it('follows nested paths', async () => {
      const nested = registry([
        anchor({ claims: [{ path: 'credentialSubject.address.countryCode', allowedValues: ['ES'] }] }),
      ]);
      assert.equal(await code(nested, legalPerson({ address: { countryCode: 'ES' } })), 'trusted');
      assert.equal(await code(nested, legalPerson({ address: { countryCode: 'PT' } })), 'claim_not_allowed');
    });
    it('requires every element of an array to be allowed, and the array not to be empty', async () => {
      const roles = registry([
        anchor({ claims: [{ path: 'credentialSubject.roles', allowedValues: ['a', 'b'] }] }),
      ]);
      assert.equal(await code(roles, legalPerson({ roles: ['a', 'b'] })), 'trusted');
      assert.equal(await code(roles, legalPerson({ roles: ['a', 'c'] })), 'claim_not_allowed');
      assert.equal(await code(roles, legalPerson({ roles: [] })), 'claim_not_allowed');
    });
    it('requires every subject to satisfy the constraint', async () => {
      const request = {
        ...legalPerson(),
        credential: { credentialSubject: [{ country: 'DE' }, { country: 'FR' }] },
      };
      assert.equal(await code(registry(), request), 'claim_not_allowed');
    });
    it('does not read inherited properties as claims', async () => {
      const subject = Object.create({ country: 'DE' }) as Record<string, unknown>;
      assert.equal(await code(registry(), legalPerson(subject)), 'claim_not_allowed');
    });
    it('applies a constraint scoped to credentialTypes only to those types', async () => {
      const scoped = registry([
        anchor({
          credentialTypes: ['LegalPersonCredential', 'EmployeeCredential'],
          claims: [
            {
              path: 'credentialSubject.country',
              allowedValues: ['DE'],
              credentialTypes: ['LegalPersonCredential'],
            },
          ],
        }),
      ]);
      const employee = {
        ...legalPerson({ name: 'Ana' }),
        types: ['VerifiableCredential', 'EmployeeCredential'],
      };
      assert.equal(await code(scoped, employee), 'trusted');
      assert.equal(await code(scoped, legalPerson({ country: 'FR' })), 'claim_not_allowed');
    });
  });

  describe('the service itself', () => {
    it('is trusted for the data space types it issues', async () => {
      const request = {
        ...legalPerson(),
        issuer: SERVICE,
        types: ['VerifiableCredential', 'MembershipCredential'],
      };
      const result = await registry().check(request);
      assert.ok(result.trusted);
      assert.equal(result.anchor.source, 'service');
    });
    it('is not trusted for other types (type_not_allowed)', async () => {
      assert.equal(await code(registry(), { ...legalPerson(), issuer: SERVICE }), 'type_not_allowed');
    });
    it('refuses an anchor file claiming the service DID (trust_anchor_conflict)', () => {
      assert.throws(
        () => registry([anchor({ did: SERVICE })]),
        (error: unknown) =>
          error instanceof TrustAnchorError &&
          error.code === 'trust_anchor_conflict' &&
          error.message.startsWith('trust-anchors/issuer.example.json: '),
      );
    });
    it('refuses an invalid service DID or no service types (invalid_service_issuer)', () => {
      const invalid = (error: unknown) =>
        error instanceof TrustAnchorError && error.code === 'invalid_service_issuer';
      assert.throws(
        () => createTrustRegistry({ anchors: [], serviceDid: 'localhost', serviceTypes: ['M'] }),
        invalid,
      );
      assert.throws(
        () => createTrustRegistry({ anchors: [], serviceDid: SERVICE, serviceTypes: [] }),
        invalid,
      );
      assert.throws(
        () =>
          createTrustRegistry({ anchors: [], serviceDid: SERVICE, serviceTypes: ['VerifiableCredential'] }),
        invalid,
      );
    });
  });

  describe('admitted members (memberIssuers)', () => {
    const MEMBER = 'did:web:city.example';
    const members = async (): Promise<MemberIssuer[]> => [
      { did: MEMBER, name: 'City', credentialTypes: ['VerifiableCredential', 'CitizenCardCredential'] },
      { did: 'not a did', name: 'Broken', credentialTypes: ['CitizenCardCredential'] },
      { did: 'did:web:empty.example', name: 'No types', credentialTypes: ['VerifiableCredential'] },
      { did: REGISTER, name: 'Member with the anchor DID', credentialTypes: ['MembershipCredential'] },
    ];

    it('trusts a member for the types it was admitted for, with source member', async () => {
      const request = {
        ...legalPerson(),
        issuer: MEMBER,
        types: ['VerifiableCredential', 'CitizenCardCredential'],
      };
      const result = await registry([anchor()], members).check(request);
      assert.ok(result.trusted);
      assert.equal(result.anchor.source, 'member');
    });

    it('does not trust a member for other types (type_not_allowed)', async () => {
      assert.equal(
        await code(registry([anchor()], members), { ...legalPerson(), issuer: MEMBER }),
        'type_not_allowed',
      );
    });

    it('reads members afresh on every check, so a removed member is untrusted at once (untrusted_issuer)', async () => {
      let current: MemberIssuer[] = [
        { did: MEMBER, name: 'City', credentialTypes: ['CitizenCardCredential'] },
      ];
      const live = registry([], async () => current);
      const request = { ...legalPerson(), issuer: MEMBER, types: ['CitizenCardCredential'] };
      assert.equal(await code(live, request), 'trusted');
      current = [];
      assert.equal(await code(live, request), 'untrusted_issuer');
    });

    it('lets an anchor win over a member record with the same DID', async () => {
      const list = registry([anchor()], members);
      const entry = await list.get(REGISTER);
      assert.equal(entry?.source, 'anchor');
      const request = { ...legalPerson(), types: ['MembershipCredential'] };
      assert.equal(await code(list, request), 'type_not_allowed');
    });

    it('leaves out member records that could never match; lists the service and anchors first', async () => {
      const dids = (await registry([anchor()], members).page({ limit: 100 })).items.map((entry) => entry.did);
      assert.deepEqual(dids, [REGISTER, SERVICE, MEMBER]);
    });

    it('rejects when the member source fails, rather than answering', async () => {
      const failing = registry([], async () => {
        throw new Error('database down');
      });
      await assert.rejects(
        failing.check({ ...legalPerson(), issuer: 'did:web:unknown.example' }),
        /database down/,
      );
    });
  });

  describe('page() and get()', () => {
    it('lists every entry by DID with its source', async () => {
      const entries = (await registry().page({ limit: 100 })).items;
      assert.deepEqual(
        entries.map((entry) => [entry.did, entry.source]),
        [
          [REGISTER, 'anchor'],
          [SERVICE, 'service'],
        ],
      );
    });
    it('gets exactly one DID, and nothing for a near miss', async () => {
      assert.equal((await registry().get(REGISTER))?.name, 'Business register');
      assert.equal(await registry().get('did:web:ISSUER.example'), undefined);
    });
  });
});
