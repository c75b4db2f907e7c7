import { strict as assert } from 'node:assert';
import { verifyCredential } from '../../../src/credentials/verify/verify-credential.js';
import { type LocalWebHost, startLocalWebHost } from './local-web.js';
import {
  assertFails,
  assertVerified,
  credentialBy,
  credentialPayload,
  didJwkSigner,
  FORMATS,
  LEGAL_PERSON,
  legalPerson,
  offlineDeps,
  signedBy,
  TYP,
} from './support.js';

const issuer = didJwkSigner('EdDSA');
const subject = didJwkSigner('EdDSA');
// No claim constraint on the anchor: only the schema judges the subject's claims here.
const deps = offlineDeps({
  anchors: [{ did: issuer.did, credentialTypes: [LEGAL_PERSON, 'ParkingPermitCredential'] }],
});
const verify = (token: string) => verifyCredential(token, deps);

describe('schema: the credential in data-model form validates against the data space schema of its type', () => {
  for (const format of FORMATS) {
    it(`accepts a LegalPersonCredential that fits credential-schemas/LegalPersonCredential (${format})`, async () => {
      const result = await verify(credentialBy(issuer, format, { subject: legalPerson(subject.did) }));
      assertVerified(result, { status: 'no_status' });
    });

    it(`rejects a LegalPersonCredential with country "XX" (schema_violation, ${format})`, async () => {
      const token = credentialBy(issuer, format, { subject: legalPerson(subject.did, { country: 'XX' }) });
      const result = await verify(token);
      assertFails(result, 'schema', 'schema_violation');
      assert.match(result.checks.find((c) => c.check === 'schema')?.detail ?? '', /country/);
    });

    it(`rejects a LegalPersonCredential without legalName (schema_violation, ${format})`, async () => {
      const { legalName: _, ...withoutName } = legalPerson(subject.did);
      const token = credentialBy(issuer, format, { subject: { ...withoutName, id: subject.did } });
      assertFails(await verify(token), 'schema', 'schema_violation');
    });
  }

  it('skips a type the data space defines no schema for (no_schema) and still verifies', async () => {
    const token = credentialBy(issuer, 'vc+jwt', {
      subject: { id: subject.did, zone: 'A' },
      types: ['ParkingPermitCredential'],
    });
    assertVerified(await verify(token), { status: 'no_status', schema: 'no_schema' });
  });
});

describe('schema: a credentialSchema named in the credential is never fetched', () => {
  let host: LocalWebHost;
  before(async () => {
    host = await startLocalWebHost();
    host.serve('/schema.json', { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' });
  });
  after(() => host.close());

  it('validates against the local schema, not the permissive one the credential points at (schema_violation)', async () => {
    const payload = credentialPayload('vc+jwt', {
      issuer: issuer.did,
      subject: legalPerson(subject.did, { country: 'XX' }),
    });
    const withSchema = {
      ...payload,
      credentialSchema: { id: `http://localhost:${host.port}/schema.json`, type: 'JsonSchema' },
    };
    assertFails(
      await verify(signedBy(issuer, withSchema, { typ: TYP['vc+jwt'] })),
      'schema',
      'schema_violation',
    );
    assert.equal(host.requests, 0);
  });
});
