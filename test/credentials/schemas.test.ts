import assert from 'node:assert/strict';
import {
  createSchemaRegistry,
  loadCredentialSchemas,
  type SchemaRegistry,
} from '../../src/credentials/schemas/index.js';

const SHIPPED_CREDENTIAL_SCHEMAS = new URL('../../credential-schemas', import.meta.url).pathname;

const registry: SchemaRegistry = createSchemaRegistry(loadCredentialSchemas(SHIPPED_CREDENTIAL_SCHEMAS));

const V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
const V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';

function credential(type: string, subject: Record<string, unknown>, shape: '1.1' | '2.0' = '2.0') {
  return {
    '@context': [shape === '1.1' ? V1_CONTEXT : V2_CONTEXT],
    type: ['VerifiableCredential', type],
    issuer: shape === '1.1' ? 'did:web:issuer.example' : { id: 'did:web:issuer.example', name: 'Issuer' },
    ...(shape === '1.1' ? { issuanceDate: '2026-01-01T00:00:00Z' } : { validFrom: '2026-01-01T00:00:00Z' }),
    credentialSubject: subject,
  };
}

const legalPersonSubject = {
  id: 'did:web:acme.example',
  legalName: 'ACME Datenwerke GmbH',
  registrationNumber: 'HRB 123456',
  country: 'DE',
};
const membershipSubject = {
  id: 'did:web:acme.example',
  legalName: 'ACME Datenwerke GmbH',
  roles: ['data-provider', 'service-provider'],
  sides: ['supply'],
  memberSince: '2026-02-01T10:00:00Z',
  rulebookVersion: '1.0.0',
};
const boardSubject = {
  id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
  name: 'Ana García',
  role: 'chair',
  since: '2026-01-01T00:00:00Z',
};
const applicationSubject = {
  id: 'did:web:city.example',
  legalName: 'Ayuntamiento de Ejemplo',
  registrationNumber: 'P2800000A',
  country: 'ES',
  roles: ['public-authority', 'data-provider'],
  contact: { email: 'datos@city.example', name: 'Oficina de datos' },
};

/** The violations of a credential that must fail with schema_violation. */
function violations(type: string, subject: Record<string, unknown>): { path: string; message: string }[] {
  const result = registry.validate(type, credential(type, subject));
  assert.equal(result.valid, false, 'the credential was valid');
  assert.ok(!result.valid);
  assert.equal(result.code, 'schema_violation');
  return [...result.errors];
}

function hasViolation(list: { path: string; message: string }[], path: string, message?: RegExp): void {
  const found = list.find(
    (violation) => violation.path === path && (!message || message.test(violation.message)),
  );
  assert.ok(found, `no violation at ${path}: ${JSON.stringify(list)}`);
}

describe('credential schemas (credential-schemas/, JSON Schema 2020-12)', () => {
  describe('the shipped schemas', () => {
    it('load, one v1 per data-space type, each with its urn $id', () => {
      assert.deepEqual(
        registry.list().map((schema) => [schema.type, schema.version, schema.id]),
        [
          ['BoardMemberCredential', 'v1', 'urn:dataspace-trust:schema:BoardMemberCredential:v1'],
          ['ConsentReceiptCredential', 'v1', 'urn:dataspace-trust:schema:ConsentReceiptCredential:v1'],
          [
            'DataSharingAgreementCredential',
            'v1',
            'urn:dataspace-trust:schema:DataSharingAgreementCredential:v1',
          ],
          ['LegalPersonCredential', 'v1', 'urn:dataspace-trust:schema:LegalPersonCredential:v1'],
          [
            'MembershipApplicationCredential',
            'v1',
            'urn:dataspace-trust:schema:MembershipApplicationCredential:v1',
          ],
          ['MembershipCredential', 'v1', 'urn:dataspace-trust:schema:MembershipCredential:v1'],
          [
            'PersonIdentificationCredential',
            'v1',
            'urn:dataspace-trust:schema:PersonIdentificationCredential:v1',
          ],
        ],
      );
    });

    it('list the 249 officially assigned ISO 3166-1 alpha-2 codes, identically where a country is asked', () => {
      const enumOf = (type: string): string[] => {
        const defs = registry.forType(type)?.document.$defs as
          | Record<string, { enum?: string[] }>
          | undefined;
        return defs?.countryCode?.enum ?? [];
      };
      const codes = enumOf('LegalPersonCredential');
      assert.equal(codes.length, 249);
      assert.deepEqual(enumOf('MembershipApplicationCredential'), codes);
      for (const code of ['DE', 'ES', 'GB', 'GR', 'SS', 'BQ', 'AX']) assert.ok(codes.includes(code), code);
      for (const code of ['UK', 'EL', 'EU', 'XK', 'XX', 'AN', 'CS']) assert.ok(!codes.includes(code), code);
    });
  });

  describe('LegalPersonCredential v1', () => {
    it('accepts the VCDM 2.0 shape', () => {
      assert.deepEqual(
        registry.validate('LegalPersonCredential', credential('LegalPersonCredential', legalPersonSubject)),
        {
          valid: true,
          schema: 'urn:dataspace-trust:schema:LegalPersonCredential:v1',
        },
      );
    });

    it('accepts the VCDM 1.1 shape with the optional fields and extra subject properties', () => {
      const subject = {
        ...legalPersonSubject,
        vatId: 'DE123456789',
        lei: '529900T8BM49AURSDO55',
        website: 'https://acme.example',
        address: {
          streetAddress: 'Hauptstraße 1',
          postalCode: '10115',
          locality: 'Berlin',
          countryCode: 'DE',
        },
        registrationAuthority: 'Amtsgericht Berlin (Charlottenburg)',
        naceCode: 'J62.01',
      };
      const result = registry.validate(
        'LegalPersonCredential',
        credential('LegalPersonCredential', subject, '1.1'),
      );
      assert.equal(result.valid, true, JSON.stringify(result));
    });

    it('rejects a missing legalName, at its own path (schema_violation)', () => {
      const { legalName: _, ...subject } = legalPersonSubject;
      hasViolation(
        violations('LegalPersonCredential', subject),
        '/credentialSubject/legalName',
        /is required/,
      );
    });

    it('rejects a blank legalName (schema_violation)', () => {
      hasViolation(
        violations('LegalPersonCredential', { ...legalPersonSubject, legalName: '  ' }),
        '/credentialSubject/legalName',
      );
    });

    for (const country of ['XX', 'de', 'GER', 'UK', 'EU', 'D', '', 276]) {
      it(`rejects country ${JSON.stringify(country)} (schema_violation)`, () => {
        hasViolation(
          violations('LegalPersonCredential', { ...legalPersonSubject, country }),
          '/credentialSubject/country',
        );
      });
    }

    it('rejects a subject id that is not a DID (schema_violation)', () => {
      hasViolation(
        violations('LegalPersonCredential', { ...legalPersonSubject, id: 'https://acme.example' }),
        '/credentialSubject/id',
      );
    });

    it('rejects an LEI that is not 18 alphanumerics and 2 digits (schema_violation)', () => {
      hasViolation(
        violations('LegalPersonCredential', { ...legalPersonSubject, lei: '529900T8BM49AURSDO5X' }),
        '/credentialSubject/lei',
      );
    });

    it('rejects a credential whose type lacks LegalPersonCredential (schema_violation)', () => {
      const other = {
        ...credential('LegalPersonCredential', legalPersonSubject),
        type: ['VerifiableCredential', 'OtherCredential'],
      };
      const result = registry.validate('LegalPersonCredential', other);
      assert.ok(!result.valid);
      assert.equal(result.code, 'schema_violation');
      hasViolation([...result.errors], '/type');
    });

    it('rejects several subjects and a credential without @context (schema_violation)', () => {
      const many = {
        ...credential('LegalPersonCredential', legalPersonSubject),
        credentialSubject: [legalPersonSubject],
      };
      const { '@context': _, ...noContext } = credential('LegalPersonCredential', legalPersonSubject);
      for (const [bad, path] of [
        [many, '/credentialSubject'],
        [noContext, '/@context'],
      ] as const) {
        const result = registry.validate('LegalPersonCredential', bad);
        assert.ok(!result.valid);
        assert.equal(result.code, 'schema_violation');
        hasViolation([...result.errors], path);
      }
    });
  });

  describe('MembershipCredential v1', () => {
    it('accepts a valid membership', () => {
      assert.equal(
        registry.validate('MembershipCredential', credential('MembershipCredential', membershipSubject))
          .valid,
        true,
      );
    });
    it('rejects empty roles (schema_violation)', () => {
      hasViolation(
        violations('MembershipCredential', { ...membershipSubject, roles: [] }),
        '/credentialSubject/roles',
      );
    });
    it('rejects an unknown role (schema_violation)', () => {
      hasViolation(
        violations('MembershipCredential', { ...membershipSubject, roles: ['data-broker'] }),
        '/credentialSubject/roles/0',
      );
    });
    it('rejects a repeated role (schema_violation)', () => {
      const roles = ['data-provider', 'data-provider'];
      hasViolation(
        violations('MembershipCredential', { ...membershipSubject, roles }),
        '/credentialSubject/roles',
      );
    });
    it('rejects an unknown side and a date without time (schema_violation)', () => {
      const list = violations('MembershipCredential', {
        ...membershipSubject,
        sides: ['both'],
        memberSince: '2026-02-01',
      });
      hasViolation(list, '/credentialSubject/sides/0');
      hasViolation(list, '/credentialSubject/memberSince');
    });
  });

  describe('BoardMemberCredential v1', () => {
    it('accepts a valid board seat', () => {
      const subject = { ...boardSubject, seat: 'city-representative', organization: 'did:web:city.example' };
      assert.equal(
        registry.validate('BoardMemberCredential', credential('BoardMemberCredential', subject)).valid,
        true,
      );
    });
    it('rejects an unknown board role and a missing since (schema_violation)', () => {
      const { since: _, ...subject } = boardSubject;
      const list = violations('BoardMemberCredential', { ...subject, role: 'king' });
      hasViolation(list, '/credentialSubject/role');
      hasViolation(list, '/credentialSubject/since', /is required/);
    });
  });

  describe('MembershipApplicationCredential v1', () => {
    it('accepts a valid application', () => {
      const result = registry.validate(
        'MembershipApplicationCredential',
        credential('MembershipApplicationCredential', applicationSubject),
      );
      assert.equal(result.valid, true, JSON.stringify(result));
    });
    it('rejects a contact given as a bare string, and one without email (schema_violation)', () => {
      hasViolation(
        violations('MembershipApplicationCredential', {
          ...applicationSubject,
          contact: 'datos@city.example',
        }),
        '/credentialSubject/contact',
      );
      hasViolation(
        violations('MembershipApplicationCredential', { ...applicationSubject, contact: { name: 'X' } }),
        '/credentialSubject/contact/email',
        /is required/,
      );
    });
    it('rejects an invalid email and country "GER" (schema_violation)', () => {
      const list = violations('MembershipApplicationCredential', {
        ...applicationSubject,
        country: 'GER',
        contact: { email: 'not-an-email' },
      });
      hasViolation(list, '/credentialSubject/country');
      hasViolation(list, '/credentialSubject/contact/email');
    });
  });

  describe('the registry', () => {
    it('answers unknown_schema for a type or version it does not have', () => {
      for (const result of [
        registry.validate('PassportCredential', {}),
        registry.validate(
          'LegalPersonCredential',
          credential('LegalPersonCredential', legalPersonSubject),
          'v9',
        ),
      ]) {
        assert.ok(!result.valid);
        assert.equal(result.code, 'unknown_schema');
      }
    });

    it('answers schema_violation, never throws, for a non-object credential', () => {
      for (const bad of [null, 'eyJhbGciOiJFZERTQSJ9.e30.sig', 42, []]) {
        const result = registry.validate('LegalPersonCredential', bad);
        assert.ok(!result.valid);
        assert.equal(result.code, 'schema_violation');
      }
    });
  });
});
