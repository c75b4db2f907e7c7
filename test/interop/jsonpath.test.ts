/**
 * RFC 9535 (JSONPath): every claim path `/v4/issuers/{did}` publishes is a valid RFC 9535 query
 * by `json-p3` (an RFC 9535 implementation that passes the JSONPath Compliance Test Suite), and
 * selects exactly the claim it names. Names that are not identifiers use double-quoted name
 * selectors (§2.3.1.1): FIWARE VCVerifier's JSONPath library cannot parse single-quoted ones
 * and then treats the constraint as satisfied.
 */
import assert from 'node:assert/strict';
import { jsonpath } from 'json-p3';
import request from 'supertest';
import {
  createTrustRegistry,
  loadTrustAnchors,
  type TrustAnchor,
  trustRoutes,
} from '../../src/trust/index.js';
import { appWithRouters } from '../support/routers.js';

const SERVICE = 'did:web:trust.dataspace.example';
const AWKWARD_KEYS = ['country-code', 'post code', "it's", 'say "hi"', 'straße', 'back\\slash', '1st', 'a.b'];

const anchor: TrustAnchor = {
  did: 'did:web:register.example',
  name: 'Register',
  credentialTypes: ['LegalPersonCredential'],
  claims: [
    { path: 'credentialSubject.country', allowedValues: ['DE'] },
    ...AWKWARD_KEYS.filter((key) => !key.includes('.')).map((key) => ({
      path: `credentialSubject.address.${key}`,
      allowedValues: [key],
    })),
  ],
  validity: {},
  source: 'anchor',
  file: 'trust-anchors/register.json',
};

async function publishedClaims(anchors: readonly TrustAnchor[]) {
  const registry = createTrustRegistry({
    anchors,
    serviceDid: SERVICE,
    serviceTypes: ['MembershipCredential'],
  });
  const app = appWithRouters(
    trustRoutes(registry, {
      publicUrl: 'https://trust.dataspace.example',
      now: () => new Date('2026-03-01T00:00:00Z'),
    }),
  ).callback();
  const claims: Array<{ name: string; path: string; allowedValues: unknown[] }> = [];
  for (const entry of anchors) {
    const response = await request(app)
      .get(`/v4/issuers/${encodeURIComponent(entry.did)}`)
      .expect(200);
    for (const attribute of response.body.attributes as Array<{ body: string }>) {
      claims.push(...JSON.parse(Buffer.from(attribute.body, 'base64').toString('utf8')).claims);
    }
  }
  return claims;
}

describe('RFC 9535 JSONPath: the claim paths of /v4/issuers', () => {
  it('are valid RFC 9535 queries that select exactly the named claim, also for awkward keys', async () => {
    const claims = await publishedClaims([anchor]);
    assert.equal(claims.length, 1 + AWKWARD_KEYS.length - 1);
    for (const claim of claims) {
      const query = jsonpath.compile(claim.path); // throws JSONPathSyntaxError when not RFC 9535
      const keys = claim.name.split('.');
      const subject: Record<string, unknown> = {};
      let cursor = subject;
      for (const [index, key] of keys.entries()) {
        cursor[key] = index === keys.length - 1 ? 'found' : {};
        cursor = cursor[key] as Record<string, unknown>;
      }
      assert.deepEqual(query.query(subject as never).values(), ['found'], claim.path);
    }
  });

  it('use double-quoted name selectors, never single-quoted ones', async () => {
    for (const claim of await publishedClaims([anchor])) {
      assert.doesNotMatch(claim.path, /\['/, claim.path);
    }
    const published = (await publishedClaims([anchor])).map((claim) => claim.path);
    assert.ok(published.includes('$.address["country-code"]'), published.join(' '));
    assert.ok(published.includes('$.address["say \\"hi\\""]'), published.join(' '));
  });

  it('holds for every path of the shipped trust anchors', async () => {
    const shipped = loadTrustAnchors('trust-anchors');
    for (const claim of await publishedClaims(shipped)) {
      assert.doesNotThrow(() => jsonpath.compile(claim.path), claim.path);
      assert.doesNotMatch(claim.path, /\['/, claim.path);
    }
  });

  it('the checker refuses what is not RFC 9535 (it can fail)', () => {
    for (const bad of ['$.address[country-code]', "$.address['unterminated]", '$..', 'address.country']) {
      assert.throws(() => jsonpath.compile(bad), bad);
    }
  });
});
