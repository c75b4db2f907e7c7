/**
 * VCDM 2.0 §4.3 / VCDM 1.1 §5.3: every term of an issued credential is defined by a context
 * it names. `jsonld` 9 expands our credentials of both data models in safe mode (an undefined
 * term is an error there), with a document loader that serves only local copies: the W3C
 * contexts from @digitalbazaar/credentials-context and our data-space context as the service
 * serves it at GET /contexts/dataspace/v3. Nothing is fetched from the network.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { contexts as w3cContexts } from '@digitalbazaar/credentials-context';
import jsonld from 'jsonld';
import request from 'supertest';
import { DATA_SPACE_CREDENTIAL_FORMAT } from '../../src/credentials/issue/issuer.js';
import { credentialView } from '../../src/credentials/verify/model.js';
import type { CredentialFormat } from '../../src/credentials/verify/result.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';

const PUBLIC_URL = 'https://trust.dataspace.example';
const DATASPACE_CONTEXT = `${PUBLIC_URL}/contexts/dataspace/v3`;

function loaderWith(local: ReadonlyMap<string, unknown>) {
  return async (url: string) => {
    const document = local.get(url) ?? w3cContexts.get(url);
    if (document === undefined) throw new Error(`no local copy of ${url}: nothing is fetched`);
    return { contextUrl: null, documentUrl: url, document };
  };
}

/** jsonld.expand with the options it takes at run time (`safe` is not in @types/jsonld). */
const expand = jsonld.expand as unknown as (
  input: object,
  options: { documentLoader: ReturnType<typeof loaderWith>; safe: boolean },
) => Promise<Array<Record<string, unknown>>>;

function documentOf(format: CredentialFormat, jwt: string): Record<string, unknown> {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
  return { ...credentialView(format, payload).document };
}

describeEachDatabase(
  'interop: JSON-LD (jsonld 9, safe mode) expands our credentials of both data models',
  (fresh) => {
    let service: Service;
    let loader: ReturnType<typeof loaderWith>;

    before(async () => {
      service = await openTestService(await fresh(), { PUBLIC_URL });
      const served = await request(service.app.callback()).get('/contexts/dataspace/v3').expect(200);
      assert.match(served.headers['content-type'] ?? '', /^application\/ld\+json/);
      loader = loaderWith(new Map([[DATASPACE_CONTEXT, JSON.parse(served.text)]]));
    });
    after(async () => service?.close());

    const subjects = {
      MembershipCredential: {
        id: 'did:example:member',
        legalName: 'Stadtwerke Musterstadt GmbH',
        roles: ['data-provider'],
        sides: ['supply'],
        memberSince: '2026-01-01T00:00:00Z',
        rulebookVersion: '1.0',
      },
      BoardMemberCredential: {
        id: 'did:example:board',
        name: 'Erika Mustermann',
        role: 'chair',
        since: '2026-01-01T00:00:00Z',
        seat: 'A',
        organization: 'did:example:city',
      },
      ConsentReceiptCredential: {
        id: 'did:example:wallet',
        consentId: 'consent-8c5a2a4e-5b0e-4a53-9f4e-8d2c1f0b7a11',
        noticeId: 'notice-2f0c1c1e-9a3b-4b7e-8f0a-3c6d5e4f2a10',
        noticeVersion: 1,
        noticeHash: 'a'.repeat(64),
        controller: 'did:example:city',
        controllerName: 'City of Example',
        dataSubject: 'Xy'.repeat(21).concat('Z'),
        purposes: ['dpv:ServiceProvision', 'dpv:ImproveTransportMobility'],
        dataCategories: ['pd:Location'],
        recipients: ['did:example:transit'],
        legalBasis: 'dpv:Consent',
        jurisdiction: 'DE',
        givenAt: '2026-01-01T00:00:00Z',
        expiresAt: '2027-01-01T00:00:00Z',
      },
    } as const;

    for (const format of ['jwt_vc_json', 'vc+jwt'] as const) {
      for (const [type, subject] of Object.entries(subjects)) {
        it(`expands a ${type} issued as ${format} without error`, async () => {
          const issued = await service.credentials.issuer.issue({ type, format, subject });
          const document = documentOf(format, issued.jwt);
          assert.ok((document['@context'] as string[]).includes(DATASPACE_CONTEXT));
          const expanded = await expand(document, { documentLoader: loader, safe: true }).catch(
            (error: { details?: unknown }) => {
              throw new Error(`safe mode refused: ${JSON.stringify(error.details)}`);
            },
          );
          assert.equal(expanded.length, 1);
          const types = expanded[0]?.['@type'] as string[];
          assert.ok(types.includes(`urn:dataspace-trust:vocab:${type}`), JSON.stringify(types));
        });
      }
    }

    it('expands the BitstringStatusListCredential the service publishes (vc+jwt)', async () => {
      const issued = await service.credentials.issuer.issue({
        type: 'MembershipCredential',
        format: 'vc+jwt',
        subject: subjects.MembershipCredential,
      });
      const listUrl = new URL(String(issued.statusEntries[0]?.statusListCredential));
      const served = await request(service.app.callback()).get(listUrl.pathname).expect(200);
      const list = documentOf('vc+jwt', served.text.trim());
      const expanded = await expand(list, { documentLoader: loader, safe: true });
      assert.equal(expanded.length, 1);
    });

    it('issues the data space credentials as jwt_vc_json (OpenID4VP 1.0 Appendix B.1.3.1)', () => {
      assert.equal(DATA_SPACE_CREDENTIAL_FORMAT, 'jwt_vc_json');
    });

    it('refuses, in safe mode, a claim our context does not define (the check can fail)', async () => {
      const issued = await service.credentials.issuer.issue({
        type: 'MembershipCredential',
        format: 'vc+jwt',
        subject: subjects.MembershipCredential,
      });
      const document = documentOf('vc+jwt', issued.jwt);
      const tampered = {
        ...document,
        credentialSubject: { ...(document.credentialSubject as object), favouriteColour: 'blue' },
      };
      await assert.rejects(
        expand(tampered, { documentLoader: loader, safe: true }),
        (error: { name?: string }) => error.name === 'jsonld.ValidationError',
      );
    });
  },
);

describe('the data-space context defines every claim the schemas name', () => {
  const context = JSON.parse(readFileSync('credential-schemas/contexts/dataspace/v3.jsonld', 'utf8'))[
    '@context'
  ];
  const envelope = new Set([
    '@context',
    'type',
    'id',
    'issuer',
    'issuanceDate',
    'expirationDate',
    'validFrom',
    'validUntil',
    'credentialSubject',
  ]);
  for (const type of [
    'LegalPersonCredential',
    'MembershipCredential',
    'BoardMemberCredential',
    'MembershipApplicationCredential',
    'PersonIdentificationCredential',
    'ConsentReceiptCredential',
    'DataSharingAgreementCredential',
  ]) {
    it(`defines ${type} and each property of its schema`, () => {
      const schema = JSON.parse(readFileSync(`credential-schemas/${type}/v1.json`, 'utf8'));
      const names = new Set<string>();
      const walk = (node: unknown) => {
        if (node === null || typeof node !== 'object') return;
        const properties = (node as { properties?: Record<string, unknown> }).properties;
        if (properties) for (const name of Object.keys(properties)) names.add(name);
        for (const child of Object.values(node)) walk(child);
      };
      walk(schema);
      assert.ok(context[type], `${type} is defined`);
      const missing = [...names].filter((name) => !envelope.has(name) && context[name] === undefined);
      assert.deepEqual(missing, []);
    });
  }
});
