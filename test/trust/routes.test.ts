import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import request from 'supertest';
import {
  createTrustRegistry,
  type MemberIssuer,
  memberIssuersFrom,
  type TrustAnchor,
  trustRoutes,
} from '../../src/trust/index.js';
import { appWithRouters } from '../support/routers.js';

const PUBLIC_URL = 'https://trust.dataspace.example';
const SERVICE = 'did:web:trust.dataspace.example';
const NOW = new Date('2026-03-01T12:00:00Z');
const PORTED = 'did:web:registry.example%3A8443';

const register: TrustAnchor = {
  did: 'did:web:business-register.example',
  name: 'Business register',
  credentialTypes: ['LegalPersonCredential', 'EmployeeCredential'],
  claims: [
    {
      path: 'credentialSubject.country',
      allowedValues: ['DE', 'ES'],
      credentialTypes: ['LegalPersonCredential'],
    },
    { path: 'credentialSubject.address.post-code', allowedValues: ['28001'] },
  ],
  validity: { from: new Date('2025-01-01T00:00:00Z'), until: new Date('2027-01-01T00:00:00Z') },
  source: 'anchor',
  file: 'trust-anchors/business-register.json',
  homepage: 'https://business-register.example',
};
const expired: TrustAnchor = {
  did: 'did:web:old-register.example',
  name: 'Old register',
  credentialTypes: ['LegalPersonCredential'],
  claims: [],
  validity: { until: new Date('2026-01-01T00:00:00Z') },
  source: 'anchor',
  file: 'trust-anchors/old.json',
};
const ported: TrustAnchor = {
  ...expired,
  did: PORTED,
  name: 'Ported',
  validity: {},
  file: 'trust-anchors/ported.json',
};

function app(members: MemberIssuer[] = []) {
  const registry = createTrustRegistry({
    anchors: [register, expired, ported],
    serviceDid: SERVICE,
    serviceTypes: ['MembershipCredential', 'BoardMemberCredential'],
    members: memberIssuersFrom(async () => members),
  });
  return appWithRouters(trustRoutes(registry, { publicUrl: `${PUBLIC_URL}/`, now: () => NOW })).callback();
}

function expectProblem(response: request.Response, status: number, code: string): void {
  assert.equal(response.status, status);
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
  assert.equal(response.body.code, code);
}

const memberCity: MemberIssuer = {
  did: 'did:web:city.example',
  name: 'City',
  credentialTypes: ['ParkingPermitCredential'],
};

describe('trusted-issuer API: GET /api/v1/trusted-issuers', () => {
  it('lists every entry, including one outside its window, with source and validity', async () => {
    const response = await request(app([memberCity]))
      .get('/api/v1/trusted-issuers')
      .expect(200);
    assert.equal(response.body.total, 5);
    const byDid = new Map(response.body.items.map((item: { did: string }) => [item.did, item]));
    assert.deepEqual(byDid.get(register.did), {
      did: register.did,
      name: 'Business register',
      source: 'anchor',
      credentialTypes: ['LegalPersonCredential', 'EmployeeCredential'],
      claims: register.claims,
      validity: { from: '2025-01-01T00:00:00.000Z', until: '2027-01-01T00:00:00.000Z' },
      homepage: 'https://business-register.example',
    });
    assert.equal((byDid.get(SERVICE) as { source: string }).source, 'service');
    assert.equal((byDid.get('did:web:city.example') as { source: string }).source, 'member');
    assert.deepEqual((byDid.get(expired.did) as { validity: unknown }).validity, {
      until: '2026-01-01T00:00:00.000Z',
    });
  });

  it('pages with limit and the next cursor, service and anchors first, without gaps or repeats', async () => {
    const members = Array.from({ length: 5 }, (_, i) => ({ ...memberCity, did: `did:web:m${i}.example` }));
    const seen: string[] = [];
    let after: string | undefined;
    for (let round = 0; round < 10; round++) {
      const response = await request(app(members))
        .get('/api/v1/trusted-issuers')
        .query({ limit: 3, ...(after ? { after } : {}) })
        .expect(200);
      assert.equal(response.body.total, 9);
      assert.ok(response.body.items.length <= 3);
      seen.push(...response.body.items.map((item: { did: string }) => item.did));
      after = response.body.next;
      if (after === undefined) break;
      assert.equal(after, seen.at(-1));
    }
    assert.deepEqual(seen, [
      register.did,
      expired.did,
      PORTED,
      SERVICE,
      ...members.map((member) => member.did),
    ]);
  });

  it('keeps the whole registry in one answer while it fits the default page of 100 (no next)', async () => {
    const response = await request(app([memberCity]))
      .get('/api/v1/trusted-issuers')
      .expect(200);
    assert.equal(response.body.items.length, 5);
    assert.equal(response.body.next, undefined);
  });

  for (const [query, code] of [
    ['limit=0', 'invalid_page_size'],
    ['limit=1001', 'invalid_page_size'],
    ['limit=ten', 'invalid_page_size'],
    ['after=issuer.example', 'invalid_page_after'],
    ['after=did:web:a.example&after=did:web:b.example', 'invalid_page_after'],
  ] as const) {
    it(`answers 400 ${code} for ${query}`, async () => {
      expectProblem(await request(app()).get(`/api/v1/trusted-issuers?${query}`), 400, code);
    });
  }

  it('gets one entry by its percent-encoded DID', async () => {
    const response = await request(app())
      .get(`/api/v1/trusted-issuers/${encodeURIComponent(register.did)}`)
      .expect(200);
    assert.equal(response.body.did, register.did);
  });

  it('decodes a percent-encoded DID exactly once (did:web with a port)', async () => {
    const response = await request(app())
      .get(`/api/v1/trusted-issuers/${encodeURIComponent(PORTED)}`)
      .expect(200);
    assert.equal(response.body.did, PORTED);
  });

  it('decodes exactly once: a doubly encoded DID never reaches the registered one', async () => {
    const twice = encodeURIComponent(encodeURIComponent(PORTED));
    expectProblem(await request(app()).get(`/api/v1/trusted-issuers/${twice}`), 400, 'invalid_did');
    const colonsKept = `did:web:registry.example${encodeURIComponent('%3A8443')}`;
    expectProblem(await request(app()).get(`/api/v1/trusted-issuers/${colonsKept}`), 404, 'not_found');
  });

  it('answers 404 not_found for an unknown DID and for near misses', async () => {
    for (const did of [
      'did:web:unknown.example',
      'did:web:BUSINESS-REGISTER.example',
      'did:web:business-register.example.',
    ]) {
      expectProblem(
        await request(app()).get(`/api/v1/trusted-issuers/${encodeURIComponent(did)}`),
        404,
        'not_found',
      );
    }
  });

  it('answers 400 invalid_did when the path is not a DID', async () => {
    expectProblem(await request(app()).get('/api/v1/trusted-issuers/issuer.example'), 400, 'invalid_did');
    expectProblem(
      await request(app()).get('/api/v1/trusted-issuers/did%3Aweb%3A%E0%A4%A'),
      400,
      'invalid_did',
    );
  });
});

describe('EBSI Trusted Issuers Registry API v4: GET /v4/issuers/{did} (as FIWARE VCVerifier reads it)', () => {
  it('answers { did, attributes: [{ hash, body, issuerType, tao, rootTao }] }, one attribute per type', async () => {
    const response = await request(app())
      .get(`/v4/issuers/${encodeURIComponent(register.did)}`)
      .expect(200);
    assert.equal(response.body.did, register.did);
    assert.equal(response.body.attributes.length, 2);
    for (const attribute of response.body.attributes) {
      assert.deepEqual(Object.keys(attribute).sort(), ['body', 'hash', 'issuerType', 'rootTao', 'tao']);
      assert.equal(attribute.issuerType, 'TI');
      assert.equal(attribute.tao, SERVICE);
      assert.equal(attribute.rootTao, SERVICE);
      // FIWARE trusted-issuers-list: standard base64 of the SHA-256 of the JSON the body encodes.
      const json = Buffer.from(attribute.body, 'base64');
      assert.equal(attribute.hash, createHash('sha256').update(json).digest('base64'));
      assert.match(attribute.hash, /^[A-Za-z0-9+/]{43}=$/);
    }
  });

  it('encodes each body as standard base64 of FIWARE TIL Credentials JSON: validFor, credentialsType, claims', async () => {
    const response = await request(app())
      .get(`/v4/issuers/${encodeURIComponent(register.did)}`)
      .expect(200);
    const bodies = response.body.attributes.map((attribute: { body: string }) => {
      assert.match(attribute.body, /^[A-Za-z0-9+/]+=*$/);
      return JSON.parse(Buffer.from(attribute.body, 'base64').toString('utf8'));
    });
    assert.deepEqual(bodies, [
      {
        validFor: { from: '2025-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' },
        credentialsType: 'LegalPersonCredential',
        claims: [
          { name: 'country', path: '$.country', allowedValues: ['DE', 'ES'] },
          { name: 'address.post-code', path: '$.address["post-code"]', allowedValues: ['28001'] },
        ],
      },
      {
        validFor: { from: '2025-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' },
        credentialsType: 'EmployeeCredential',
        claims: [{ name: 'address.post-code', path: '$.address["post-code"]', allowedValues: ['28001'] }],
      },
    ]);
  });

  it('serves the service as the RootTAO of its own types, without validFor', async () => {
    const response = await request(app())
      .get(`/v4/issuers/${encodeURIComponent(SERVICE)}`)
      .expect(200);
    assert.deepEqual(
      response.body.attributes.map((attribute: { issuerType: string; body: string }) => [
        attribute.issuerType,
        JSON.parse(Buffer.from(attribute.body, 'base64').toString('utf8')),
      ]),
      [
        ['RootTAO', { credentialsType: 'MembershipCredential', claims: [] }],
        ['RootTAO', { credentialsType: 'BoardMemberCredential', claims: [] }],
      ],
    );
  });

  it('serves admitted members as TIs accredited by the service', async () => {
    const response = await request(app([memberCity]))
      .get('/v4/issuers/did:web:city.example')
      .expect(200);
    assert.equal(response.body.attributes[0].issuerType, 'TI');
    assert.equal(response.body.attributes[0].tao, SERVICE);
  });

  it('takes the DID as VCVerifier sends it: unencoded, with did:web port encoding left as is', async () => {
    const plain = await request(app()).get(`/v4/issuers/${register.did}`).expect(200);
    assert.equal(plain.body.did, register.did);
    const withPort = await request(app()).get(`/v4/issuers/${PORTED}`).expect(200);
    assert.equal(withPort.body.did, PORTED);
  });

  it('answers 404 not_found for an entry outside its window, since VCVerifier ignores validFor', async () => {
    expectProblem(await request(app()).get(`/v4/issuers/${expired.did}`), 404, 'not_found');
  });

  it('answers 404 not_found for unknown DIDs and near misses', async () => {
    for (const did of [
      'did:web:unknown.example',
      'did:web:business-register.example.evil.com',
      'did:web:Business-register.example',
    ]) {
      expectProblem(await request(app()).get(`/v4/issuers/${did}`), 404, 'not_found');
    }
  });

  it('answers 400 invalid_did when the path is not a DID', async () => {
    expectProblem(await request(app()).get('/v4/issuers/business-register.example'), 400, 'invalid_did');
  });
});

describe('EBSI Trusted Issuers Registry API v4: GET /v4/issuers (pagination)', () => {
  const members: MemberIssuer[] = Array.from({ length: 12 }, (_, i) => ({
    did: `did:web:member-${String(i).padStart(2, '0')}.example`,
    name: `Member ${i}`,
    credentialTypes: ['ParkingPermitCredential'],
  }));
  const link = (after: number, size: number) =>
    `${PUBLIC_URL}/v4/issuers?page[after]=${after}&page[size]=${size}`;

  it('answers the first page of 10 by default, with self, items, total, pageSize and links', async () => {
    const response = await request(app(members)).get('/v4/issuers').expect(200);
    // 12 members + register + ported + service; the expired anchor is not listed.
    assert.equal(response.body.total, 15);
    assert.equal(response.body.pageSize, 10);
    assert.equal(response.body.self, link(1, 10));
    assert.deepEqual(response.body.links, {
      first: link(1, 10),
      prev: link(1, 10),
      next: link(2, 10),
      last: link(2, 10),
    });
    assert.equal(response.body.items.length, 10);
    assert.deepEqual(response.body.items[0], {
      did: register.did,
      href: `${PUBLIC_URL}/v4/issuers/${encodeURIComponent(register.did)}`,
    });
  });

  it('walks every page in registry order (service and anchors by DID, then members by DID) without gaps or repeats', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const response = await request(app(members))
        .get(`/v4/issuers?page[size]=4&page[after]=${page}`)
        .expect(200);
      assert.equal(response.body.self, link(page, 4));
      assert.equal(response.body.links.last, link(4, 4));
      assert.equal(response.body.links.prev, link(Math.max(1, page - 1), 4));
      assert.equal(response.body.links.next, link(Math.min(4, page + 1), 4));
      seen.push(...response.body.items.map((item: { did: string }) => item.did));
    }
    assert.equal(seen.length, 15);
    assert.deepEqual(seen.slice(0, 3), [register.did, PORTED, SERVICE]);
    assert.deepEqual(
      seen.slice(3),
      members.map((member) => member.did),
    );
    assert.ok(!seen.includes(expired.did));
  });

  it('follows its own href to the detail of each listed issuer', async () => {
    const list = await request(app(members)).get('/v4/issuers?page[size]=100').expect(200);
    for (const item of list.body.items) {
      const detail = await request(app(members)).get(new URL(item.href).pathname).expect(200);
      assert.equal(detail.body.did, item.did);
    }
  });

  it('keeps pageSize at the requested size on a short last page', async () => {
    const response = await request(app(members)).get('/v4/issuers?page[after]=2').expect(200);
    assert.equal(response.body.items.length, 5);
    assert.equal(response.body.pageSize, 10);
    assert.equal(response.body.links.next, response.body.self);
  });

  it('answers at /v4/issuers/ too (the trusted-issuers-list path)', async () => {
    const response = await request(app()).get('/v4/issuers/').expect(200);
    assert.equal(response.body.total, 3);
  });

  for (const [query, code] of [
    ['page[size]=0', 'invalid_page_size'],
    ['page[size]=101', 'invalid_page_size'],
    ['page[size]=ten', 'invalid_page_size'],
    ['page[size]=5&page[size]=6', 'invalid_page_size'],
    ['page[after]=0', 'invalid_page_after'],
    ['page[after]=-1', 'invalid_page_after'],
    ['page[after]=did:web:x.example', 'invalid_page_after'],
    ['page[after]=3', 'invalid_page_after'],
  ] as const) {
    it(`answers 400 ${code} for ${query}`, async () => {
      expectProblem(await request(app(members)).get(`/v4/issuers?${query}`), 400, code);
    });
  }
});
