/**
 * Issue 12: trust anchors that name an SD-JWT VC issuer by its https URL (SD-JWT VC §3.2.2.2
 * `iss`), under the did:web address rules (trust-anchors/README.md, docs/verification.md).
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import {
  createTrustRegistry,
  loadTrustAnchors,
  type TrustAnchor,
  TrustAnchorError,
  type TrustCheckRequest,
  trustRoutes,
} from '../../src/trust/index.js';
import { appWithRouters } from '../support/routers.js';
import { directoryWith } from '../support/temp-dir.js';

const PID_PROVIDER = 'https://pid.issuer.example';
const SERVICE = 'did:web:trust.dataspace.example';
const NOW = new Date('2026-03-01T12:00:00Z');
const PID_TYPES = ['VerifiableCredential', 'PersonIdentificationCredential'];

const pidFile = {
  issuer: PID_PROVIDER,
  name: 'PID provider <Land & "Bund">',
  credentialTypes: ['PersonIdentificationCredential'],
};

function load(files: Record<string, unknown>, developmentMode = false): TrustAnchor[] {
  const { dir, remove } = directoryWith(files);
  try {
    return loadTrustAnchors(dir, { developmentMode });
  } finally {
    remove();
  }
}

function loadError(issuer: unknown, developmentMode = false): TrustAnchorError {
  try {
    load({ 'pid.json': { ...pidFile, issuer } }, developmentMode);
  } catch (error) {
    assert.ok(error instanceof TrustAnchorError, `expected a TrustAnchorError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${String(issuer)} loaded without error`);
}

describe('trust anchors naming an https issuer: loading (trust-anchors/README.md)', () => {
  it('loads an https issuer as the anchor identifier, compared exactly', () => {
    const [anchor] = load({ 'pid.json': pidFile });
    assert.equal(anchor?.did, PID_PROVIDER);
    assert.deepEqual(anchor?.credentialTypes, ['PersonIdentificationCredential']);
  });

  it('loads an https issuer with a path and a port', () => {
    const [anchor] = load({ 'pid.json': { ...pidFile, issuer: 'https://pid.example:8443/tenants/de' } });
    assert.equal(anchor?.did, 'https://pid.example:8443/tenants/de');
  });

  it('loads http://localhost only in development mode', () => {
    const [anchor] = load({ 'pid.json': { ...pidFile, issuer: 'http://localhost:4230' } }, true);
    assert.equal(anchor?.did, 'http://localhost:4230');
    assert.match(loadError('http://localhost:4230').message, /uses http: \(https only/);
  });

  const refused: [string, unknown, RegExp][] = [
    ['http:// outside loopback', 'http://pid.example', /uses http: \(https only/],
    ['http:// even in development (not localhost)', 'http://pid.example', /uses http:/],
    ['a fragment', 'https://pid.example#key-1', /has a fragment/],
    ['a query', 'https://pid.example?tenant=a', /has a query/],
    ['userinfo', 'https://user:secret@pid.example', /has userinfo/],
    ['userinfo that hides the host', 'https://pid.example@evil.example', /has userinfo/],
    ['a dot-dot segment', 'https://pid.example/a/../b', /not in canonical form|"\.\."/],
    ['an encoded dot-dot', 'https://pid.example/a/%2e%2e/b', /encoded/],
    ['an encoded slash', 'https://pid.example/a%2Fb', /encoded/],
    ['an empty segment', 'https://pid.example//b', /empty/],
    ['a trailing slash', 'https://pid.example/', /canonical form; write it as https:\/\/pid\.example$/],
    ['an upper-case host', 'https://PID.example', /canonical form; write it as https:\/\/pid\.example$/],
    ['the default port', 'https://pid.example:443', /canonical form; write it as https:\/\/pid\.example$/],
    ['a backslash', 'https://pid.example\\evil', /backslash/],
    ['an IP literal', 'https://127.0.0.1', /not an IP address/],
    ['an IPv4 in another spelling', 'https://2130706433', /not an IP address/],
    ['localhost in production mode', 'https://localhost', /fully qualified/],
    ['a trailing-dot host', 'https://pid.example.', /end with a dot/],
    ['another scheme', 'ftp://pid.example', /is not an https URL/],
  ];
  for (const [what, issuer, message] of refused) {
    it(`refuses ${what} at load (trust_anchor_invalid)`, () => {
      const error = loadError(issuer, what.includes('development'));
      assert.equal(error.code, 'trust_anchor_invalid');
      assert.match(error.message, /pid\.json: \/issuer /);
      assert.match(error.message, message);
    });
  }

  it('refuses a file that names both did and issuer (trust_anchor_invalid)', () => {
    assert.throws(
      () => load({ 'pid.json': { ...pidFile, did: 'did:web:pid.example' } }),
      (error: TrustAnchorError) =>
        error.code === 'trust_anchor_invalid' && /exactly one of did and issuer/.test(error.message),
    );
  });

  it('refuses an https URL written in did (trust_anchor_invalid)', () => {
    assert.throws(
      () => load({ 'pid.json': { ...pidFile, issuer: undefined, did: PID_PROVIDER } }),
      (error: TrustAnchorError) =>
        error.code === 'trust_anchor_invalid' && /not a syntactically valid DID/.test(error.message),
    );
  });

  it('refuses the same issuer in two files (trust_anchor_duplicate_did)', () => {
    assert.throws(
      () => load({ 'a.json': pidFile, 'b.json': pidFile }),
      (error: TrustAnchorError) =>
        error.code === 'trust_anchor_duplicate_did' &&
        /issuer https:\/\/pid\.issuer\.example/.test(error.message),
    );
  });
});

function registry() {
  const [anchor] = load({ 'pid.json': pidFile }) as [TrustAnchor];
  return createTrustRegistry({
    anchors: [anchor, { ...anchor, did: 'https://diploma.example', credentialTypes: ['DiplomaCredential'] }],
    serviceDid: SERVICE,
    serviceTypes: ['MembershipCredential'],
  });
}

function pid(issuer: string, httpsIssuerAllowed = true): TrustCheckRequest {
  return {
    issuer,
    httpsIssuerAllowed,
    types: PID_TYPES,
    credential: { type: PID_TYPES, credentialSubject: { given_name: 'Erika' } },
    at: NOW,
  };
}

async function code(check: TrustCheckRequest): Promise<string> {
  const result = await registry().check(check);
  return result.trusted ? 'trusted' : result.code;
}

describe('trusted-issuer registry: https issuers', () => {
  it('trusts a listed https issuer for its type in an SD-JWT VC', async () => {
    assert.equal(await code(pid(PID_PROVIDER)), 'trusted');
  });
  it('refuses an https issuer no anchor lists (untrusted_issuer)', async () => {
    assert.equal(await code(pid('https://other-pid.example')), 'untrusted_issuer');
  });
  it('refuses a near miss of a listed issuer (untrusted_issuer)', async () => {
    assert.equal(await code(pid(`${PID_PROVIDER}/`)), 'untrusted_issuer');
    assert.equal(await code(pid('https://PID.issuer.example')), 'untrusted_issuer');
  });
  it('refuses a listed https issuer for a type it is not trusted for (type_not_allowed)', async () => {
    assert.equal(await code(pid('https://diploma.example')), 'type_not_allowed');
  });
  it('refuses a listed https issuer for a JWT VC format, which names issuers by DID (untrusted_issuer)', async () => {
    assert.equal(await code(pid(PID_PROVIDER, false)), 'untrusted_issuer');
  });
  it('leaves https issuers out of the EBSI TIR v4 view, pages and total', async () => {
    const page = await registry().pageTrustedAt({ at: NOW, page: 1, size: 10 });
    assert.deepEqual(
      page.items.map((entry) => entry.did),
      [SERVICE],
    );
    assert.equal(page.total, 1);
  });
});

describe('trusted-issuer API: https issuers', () => {
  const app = () =>
    appWithRouters(
      trustRoutes(registry(), { publicUrl: 'https://trust.dataspace.example', now: () => NOW }),
    ).callback();

  it('lists an https issuer with issuer instead of did, after the DIDs', async () => {
    const response = await request(app()).get('/api/v1/trusted-issuers').expect(200);
    assert.deepEqual(
      response.body.items.map((item: { did?: string; issuer?: string }) => [item.did, item.issuer]),
      [
        [SERVICE, undefined],
        [undefined, 'https://diploma.example'],
        [undefined, PID_PROVIDER],
      ],
    );
    assert.equal(response.body.items[2].name, pidFile.name);
  });

  it('pages after an https issuer', async () => {
    const first = await request(app()).get('/api/v1/trusted-issuers?limit=2').expect(200);
    assert.equal(first.body.next, 'https://diploma.example');
    const rest = await request(app())
      .get(`/api/v1/trusted-issuers?limit=2&after=${encodeURIComponent(first.body.next)}`)
      .expect(200);
    assert.deepEqual(
      rest.body.items.map((item: { issuer: string }) => item.issuer),
      [PID_PROVIDER],
    );
  });

  it('refuses an after that is neither a DID nor a canonical https issuer (invalid_page_after)', async () => {
    const response = await request(app()).get(
      `/api/v1/trusted-issuers?after=${encodeURIComponent('https://pid.issuer.example/')}`,
    );
    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'invalid_page_after');
  });

  it('answers one https issuer by its percent-encoded identifier', async () => {
    const response = await request(app())
      .get(`/api/v1/trusted-issuers/${encodeURIComponent(PID_PROVIDER)}`)
      .expect(200);
    assert.equal(response.body.issuer, PID_PROVIDER);
    assert.equal(response.body.did, undefined);
  });

  it('refuses a path that is not a canonical https issuer (invalid_issuer)', async () => {
    const response = await request(app()).get(
      `/api/v1/trusted-issuers/${encodeURIComponent('https://user@pid.issuer.example')}`,
    );
    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'invalid_issuer');
  });

  it('does not serve an https issuer in the EBSI TIR v4 API (invalid_did)', async () => {
    const list = await request(app()).get('/v4/issuers').expect(200);
    assert.deepEqual(
      list.body.items.map((item: { did: string }) => item.did),
      [SERVICE],
    );
    const one = await request(app()).get(`/v4/issuers/${encodeURIComponent(PID_PROVIDER)}`);
    assert.equal(one.status, 400);
    assert.equal(one.body.code, 'invalid_did');
  });
});
