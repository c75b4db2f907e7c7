/**
 * The natural-person login (`citizen` scope) with an EU PID as SD-JWT VC (`urn:eudi:pid:1`,
 * ARF Annex 3.01 PID Rule Book §4): the DCQL query offers a `dc+sd-jwt` alternative asking for
 * the PID's own claim (`personal_administrative_number`) that the rulebook's identifier claim
 * (`credentialSubject.personalIdentifier`) maps to; a PID from a PID provider that a trust anchor
 * lists for PersonIdentificationCredential logs in and the account keeps the identifier under
 * the rulebook's name; a PID from any other issuer is refused (`untrusted_issuer`).
 */
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { sha256Digest } from '../../src/credentials/sd-jwt/compact.js';
import { disclosure, handMade, kbJwt } from '../credentials/sd-jwt/support.js';
import {
  anchorsDirectory,
  didJwkSigner,
  generateTestKey,
  type TestKey,
  type TestSigner,
} from '../credentials/verify/support.js';
import { startServer, type TestServer } from '../did/helpers.js';
import {
  Browser,
  type Running,
  relyingParty,
  type StartedLogin,
  startLogin,
  startService,
  walletUrls,
} from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';

const PID_VCT = 'urn:eudi:pid:1';

interface Request {
  readonly payload: Record<string, unknown>;
  readonly query: {
    credentials: {
      id: string;
      format: string;
      meta: Record<string, unknown>;
      claims?: { path: string[] }[];
    }[];
    credential_sets?: { options: string[][] }[];
  };
  readonly browser: Browser;
  readonly started: StartedLogin;
}

/** A PID as a PID provider issues it: every person attribute selectively disclosable, no `sub`. */
function pid(provider: TestSigner, holder: TestKey, claims: Record<string, unknown>): string {
  const disclosures = Object.entries(claims).map(([name, value]) => disclosure(`salt-${name}`, name, value));
  const now = Math.floor(Date.now() / 1000);
  return handMade(provider, {
    payload: {
      iss: provider.did,
      iat: now - 60,
      exp: now + 3600,
      vct: PID_VCT,
      cnf: { jwk: holder.publicJwk },
      _sd: disclosures.map(sha256Digest),
      _sd_alg: 'sha-256',
    },
    disclosures,
  });
}

const ERIKA = {
  given_name: 'Erika',
  family_name: 'Mustermann',
  birthdate: '1964-08-12',
  nationalities: ['DE'],
  address: { locality: 'Köln', country: 'DE' },
  personal_administrative_number: 'DE-PAN-0001',
  issuing_authority: 'DE',
  issuing_country: 'DE',
};

describeEachDatabase('EU PID (urn:eudi:pid:1) as SD-JWT VC in the natural-person login', (fresh) => {
  const provider = didJwkSigner('ES256');
  let running: Running;
  let rp: client.Configuration;
  let anchors: { dir: string; remove: () => void };
  // A PID provider named by its URL (issue 12), its key in its /.well-known/jwt-vc-issuer.
  let metadataServer: TestServer;
  let httpsProvider: TestSigner;

  before(async function () {
    this.timeout(60_000);
    metadataServer = await startServer();
    const url = `http://localhost:${metadataServer.port}`;
    httpsProvider = { did: url, kid: 'pid-key', key: generateTestKey('ES256') };
    const metadata = { issuer: url, jwks: { keys: [{ ...httpsProvider.key.publicJwk, kid: 'pid-key' }] } };
    metadataServer.handler = (request, response) => {
      if (request.url !== '/.well-known/jwt-vc-issuer') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
    };
    anchors = anchorsDirectory([
      { did: provider.did, credentialTypes: ['PersonIdentificationCredential'] },
      { issuer: url, credentialTypes: ['PersonIdentificationCredential'] },
    ]);
    running = await startService(await fresh(), { TRUST_ANCHORS_DIR: anchors.dir });
    rp = await relyingParty(running, ['citizen'], 'city-app');
  });
  after(async () => {
    await running?.close();
    await metadataServer?.close();
    anchors?.remove();
  });

  async function open(): Promise<Request> {
    const browser = new Browser(running.publicUrl);
    const started = await startLogin(rp, 'openid citizen');
    const page = await browser.navigate(started.authorizationUrl.href);
    const link = new URL(walletUrls(await page.response.text()).sameDevice);
    const requestObject = await (await fetch(link.searchParams.get('request_uri') as string)).text();
    const payload = decodeJwt(requestObject) as Record<string, unknown>;
    return { payload, query: payload.dcql_query as Request['query'], browser, started };
  }

  /** Presents only the disclosures of `names`, with a key binding JWT for this request. */
  function present(holder: TestKey, sdJwt: string, request: Request, names: readonly string[]): string {
    const [jws, ...rest] = sdJwt.split('~');
    const kept = rest.filter(
      (part) => part !== '' && names.includes(JSON.parse(Buffer.from(part, 'base64url').toString())[1]),
    );
    const presented = `${[jws, ...kept].join('~')}~`;
    return `${presented}${kbJwt(holder, presented, {
      iat: Math.floor(Date.now() / 1000),
      aud: request.payload.client_id,
      nonce: request.payload.nonce,
      sd_hash: sha256Digest(presented),
    })}`;
  }

  async function post(request: Request, vpToken: Record<string, string[]>) {
    const response = await fetch(request.payload.response_uri as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        vp_token: JSON.stringify(vpToken),
        state: request.payload.state as string,
      }).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  }

  function refused(result: { status: number; body: Record<string, string> }, code: string): void {
    assert.equal(result.status, 400, JSON.stringify(result.body));
    assert.equal(result.body.error, 'access_denied');
    assert.match(result.body.error_description ?? '', new RegExp(code));
  }

  it('asks for the PID by vct_values with its own claim name for the rulebook identifier', async () => {
    const request = await open();
    const sd = request.query.credentials.find((c) => c.id === 'citizen-sd-jwt');
    assert.ok(sd, JSON.stringify(request.query));
    assert.deepEqual(sd.meta, { vct_values: [PID_VCT] });
    assert.deepEqual(
      sd.claims?.map((c) => c.path),
      [['personal_administrative_number']],
    );
    assert.deepEqual(request.query.credential_sets, [{ options: [['citizen'], ['citizen-sd-jwt']] }]);
  });

  it('logs in with a PID from the trusted PID provider; the account keeps the identifier under the rulebook name and the holder as the did:jwk of cnf', async () => {
    const holder = generateTestKey('ES256');
    const request = await open();
    const result = await post(request, {
      'citizen-sd-jwt': [
        present(holder, pid(provider, holder, ERIKA), request, ['personal_administrative_number']),
      ],
    });
    assert.equal(result.status, 200, JSON.stringify(result.body));
    const back = await request.browser.navigate(result.body.redirect_uri as string);
    const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
      pkceCodeVerifier: request.started.verifier,
      expectedState: request.started.state,
    });
    const claims = tokens.claims();
    assert.ok(claims?.sub);
    // The citizen scope releases no claim of the PID itself (no name, no birth date).
    assert.equal(claims?.given_name, undefined);
    assert.equal(claims?.birthdate, undefined);
    const holderDid = `did:jwk:${Buffer.from(JSON.stringify({ crv: 'P-256', kty: 'EC', x: holder.publicJwk.x, y: holder.publicJwk.y })).toString('base64url')}`;
    const account = await running.service.oidc.accounts.find(claims?.sub as string);
    assert.equal(account?.issuer, provider.did);
    assert.equal(account?.subject, holderDid);
    assert.deepEqual(account?.naturalPerson, {
      issuer: provider.did,
      type: 'PersonIdentificationCredential',
      holder: holderDid,
      identifier: { claim: 'credentialSubject.personalIdentifier', value: 'DE-PAN-0001' },
    });
  });

  it('logs in with a PID from a PID provider named by an https URL that a trust anchor lists (issue 12)', async () => {
    const holder = generateTestKey('EdDSA');
    const request = await open();
    const result = await post(request, {
      'citizen-sd-jwt': [
        present(holder, pid(httpsProvider, holder, ERIKA), request, ['personal_administrative_number']),
      ],
    });
    assert.equal(result.status, 200, JSON.stringify(result.body));
    const back = await request.browser.navigate(result.body.redirect_uri as string);
    const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
      pkceCodeVerifier: request.started.verifier,
      expectedState: request.started.state,
    });
    const account = await running.service.oidc.accounts.find(tokens.claims()?.sub as string);
    assert.equal(account?.issuer, httpsProvider.did);
    assert.deepEqual(account?.naturalPerson?.identifier, {
      claim: 'credentialSubject.personalIdentifier',
      value: 'DE-PAN-0001',
    });
    assert.deepEqual(metadataServer.requests, ['/.well-known/jwt-vc-issuer']);
  });

  it('refuses a PID from a PID provider no trust anchor lists (trusted_issuer: untrusted_issuer)', async () => {
    const holder = generateTestKey('EdDSA');
    const request = await open();
    const stranger = didJwkSigner('ES256');
    refused(
      await post(request, {
        'citizen-sd-jwt': [
          present(holder, pid(stranger, holder, ERIKA), request, ['personal_administrative_number']),
        ],
      }),
      'untrusted_issuer',
    );
  });

  it('refuses a PID whose personal_administrative_number is withheld (query_not_satisfied)', async () => {
    const holder = generateTestKey('EdDSA');
    const request = await open();
    refused(
      await post(request, {
        'citizen-sd-jwt': [present(holder, pid(provider, holder, ERIKA), request, ['given_name'])],
      }),
      'query_not_satisfied',
    );
  });

  it('refuses a PID whose disclosed claims break the PID Rule Book encodings (schema: schema_violation)', async () => {
    const holder = generateTestKey('EdDSA');
    const request = await open();
    refused(
      await post(request, {
        'citizen-sd-jwt': [
          present(holder, pid(provider, holder, { ...ERIKA, nationalities: 'German' }), request, [
            'personal_administrative_number',
            'nationalities',
          ]),
        ],
      }),
      'schema_violation',
    );
  });
});
