/**
 * The OpenAPI 3.1 description at /api/v1/openapi.json: it is a sound 3.1 document, it
 * describes exactly the JSON routes the app has (the protocol endpoints of OpenID Connect and
 * OpenID4VP excepted, as it says), and the answers of the service, errors included, validate
 * against it.
 */
import { strict as assert } from 'node:assert';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import request from 'supertest';
import { OPENAPI_PATH, UNDESCRIBED_PREFIXES } from '../../src/http/openapi/index.js';
import type { Service } from '../../src/service.js';
import { admit, jwkMember, type Member } from '../connectors/support.js';
import {
  type Actor,
  anchorsDir,
  applicationCredential,
  legalPersonCredential,
  motion,
  newActor,
  presentation,
  seatBoard,
  vote,
} from '../governance/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { checkAgreementRoutes } from './openapi-agreements.js';
import {
  appRoutes,
  type Document,
  newAjv,
  OPENAPI_31_CORE,
  ResponseChecker,
  references,
  resolve,
  schemasOf,
} from './openapi-check.js';
import { checkConsentRoutes } from './openapi-consent.js';
import { checkEventRoutes } from './openapi-events.js';

const seconds = () => Math.floor(Date.now() / 1000);

describeEachDatabase('the OpenAPI description', (fresh) => {
  let service: Service;
  let app: ReturnType<Service['app']['callback']>;
  let document: Document;
  let checker: ResponseChecker;
  let board: Actor[];
  let register: Actor;
  const admitted: { provider?: Member; authority?: Member } = {};

  before(async function () {
    this.timeout(120_000);
    register = await newActor();
    service = await openTestService(await fresh(), {
      TRUST_ANCHORS_DIR: anchorsDir(register),
      RATE_LIMIT_PER_ADDRESS: '12',
    });
    app = service.app.callback();
    board = await seatBoard(service);
    const served = await request(app)
      .get(OPENAPI_PATH)
      .expect(200)
      .expect('Content-Type', /^application\/json/);
    document = served.body as Document;
    checker = new ResponseChecker(document);
    checker.check('get', OPENAPI_PATH, served);
  });
  after(async () => {
    await service?.close();
  });

  /** A request through the app whose answer must validate against the document. */
  const call = async (
    method: 'get' | 'post',
    described: string,
    path: string,
    body?: unknown,
  ): Promise<request.Response> => {
    const pending =
      method === 'get'
        ? request(app).get(path)
        : request(app)
            .post(path)
            .send(body as object);
    return checker.check(method, described, await pending);
  };

  it('is an OpenAPI 3.1 document on the 2020-12 dialect, served for PUBLIC_URL', () => {
    const ajv = newAjv();
    const validate = ajv.compile(OPENAPI_31_CORE);
    assert.ok(validate(document), ajv.errorsText(validate.errors));
    assert.deepEqual(document.servers, [{ url: 'http://localhost:3000' }]);
    // Each schema compiles under ajv 2020-12 strict: unknown keywords or bad types would throw.
    const compiler = new ResponseChecker(document);
    for (const schema of schemasOf(document)) compiler.compile(schema);
  });

  it('resolves every reference, names each operation once and declares each path parameter', () => {
    for (const target of references(document)) resolve(document, { $ref: target });
    const operationIds = Object.values(document.paths).flatMap((item) =>
      Object.values(item).map((operation) => operation.operationId),
    );
    assert.equal(new Set(operationIds).size, operationIds.length, 'operationIds are unique');
    for (const [path, item] of Object.entries(document.paths)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
      for (const [method, operation] of Object.entries(item)) {
        const declared = ((operation.parameters ?? []) as { name: string; in: string; required?: boolean }[])
          .filter((parameter) => parameter.in === 'path')
          .map((parameter) => {
            assert.equal(parameter.required, true, `${method} ${path}: path parameters are required`);
            return parameter.name;
          })
          .sort();
        assert.deepEqual(declared, inPath, `${method.toUpperCase()} ${path} declares its path parameters`);
      }
    }
  });

  it("describes every route of the app's routers, and only routes that exist", () => {
    const routes = appRoutes(service.app);
    const undescribed = (path: string) => UNDESCRIBED_PREFIXES.some((prefix) => path.startsWith(prefix));
    const actual = new Set(
      routes.filter((route) => !undescribed(route.path)).map((r) => `${r.method} ${r.path}`),
    );
    const described = new Set(
      Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method} ${path}`),
      ),
    );
    assert.deepEqual(
      [...actual].filter((route) => !described.has(route)),
      [],
      'routes missing from the document',
    );
    assert.deepEqual(
      [...described].filter((route) => !actual.has(route)),
      [],
      'documented routes that do not exist',
    );
    assert.ok(
      routes.some((route) => undescribed(route.path)),
      'the protocol routes are left out on purpose',
    );
    assert.match(String((document.info as { description: string }).description), /\/oid4vp\/response/);
  });

  it('the answers of a membership admitted through the API, and of governance, validate', async function () {
    this.timeout(60_000);
    const did = service.identity.did;
    const org = { legalName: 'Data Provider Ltd', registrationNumber: 'HRB 42', country: 'DE' };
    const challenge = async () =>
      (await call('get', '/api/v1/membership/challenge', '/api/v1/membership/challenge')).body
        .challenge as string;
    const applicant = await newActor();
    const vp = await presentation(applicant, did, await challenge(), [
      await legalPersonCredential(register, applicant.did, org),
      await applicationCredential(applicant, org, ['data-provider']),
    ]);
    const applied = await call('post', '/api/v1/membership/applications', '/api/v1/membership/applications', {
      presentation: vp,
    });
    assert.equal(applied.status, 201);
    const motionId = applied.body.motionId as string;
    for (const member of board.slice(0, 2)) {
      const voted = await call('post', '/api/v1/motions/{id}/votes', `/api/v1/motions/${motionId}/votes`, {
        vote: await vote(member, did, motionId, 'approve'),
      });
      assert.equal(voted.status, 201);
    }
    await call(
      'get',
      '/api/v1/membership/applications/{id}',
      `/api/v1/membership/applications/${applied.body.id}`,
    );
    const collected = await call(
      'post',
      '/api/v1/membership/applications/{id}/credential',
      `/api/v1/membership/applications/${applied.body.id}/credential`,
      { presentation: await presentation(applicant, did, await challenge(), []) },
    );
    assert.equal(collected.status, 200);
    const credential = collected.body.credential as string;
    const offered = await call(
      'post',
      '/api/v1/membership/applications/{id}/credential-offer',
      `/api/v1/membership/applications/${applied.body.id}/credential-offer`,
      { presentation: await presentation(applicant, did, await challenge(), []) },
    );
    assert.equal(offered.status, 201);

    const verified = await call('post', '/api/v1/credentials/verify', '/api/v1/credentials/verify', {
      credential,
    });
    assert.equal(verified.body.verified, true);
    await call('post', '/api/v1/credentials/verify', '/api/v1/credentials/verify', {
      credential: 'not.a.jwt',
    });
    await call('post', '/api/v1/presentations/verify', '/api/v1/presentations/verify', {
      presentation: await presentation(applicant, 'https://verifier.example', 'nonce-1', [credential]),
      challenge: 'nonce-1',
      domain: 'https://verifier.example',
    });

    const memberPath = `/api/v1/members/${encodeURIComponent(applicant.did)}`;
    assert.equal((await call('get', '/api/v1/members', '/api/v1/members?limit=1')).body.items.length, 1);
    await call('get', '/api/v1/members/{did}', memberPath);
    await call(
      'get',
      '/api/v1/trusted-issuers/{did}',
      `/api/v1/trusted-issuers/${encodeURIComponent(applicant.did)}`,
    );
    const listUrl = (decodeJwt(credential).credentialStatus ??
      (decodeJwt(credential).vc as { credentialStatus?: unknown })?.credentialStatus) as
      | { statusListCredential: string }
      | { statusListCredential: string }[];
    const statusUrl = new URL((Array.isArray(listUrl) ? listUrl[0] : listUrl)?.statusListCredential ?? '');
    const list = await call('get', '/status/{listId}', statusUrl.pathname);
    assert.equal(list.status, 200);

    // SD-JWT VC (docs/sd-jwt.md): the Token Status List and the vct type metadata.
    const holderJwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const sdJwt = await service.credentials.issuer.issue({
      type: 'MembershipCredential',
      subject: {
        id: applicant.did,
        legalName: 'Data Provider Ltd',
        roles: ['data-provider'],
        sides: ['supply'],
        memberSince: '2026-01-01T00:00:00Z',
        rulebookVersion: '1.0.0',
      },
      format: 'dc+sd-jwt',
      holderKey: holderJwk,
    });
    const tokenList = new URL((sdJwt.statusEntries[0] as { status_list: { uri: string } }).status_list.uri);
    assert.equal((await call('get', '/status-lists/{listId}', tokenList.pathname)).status, 200);
    assert.equal((await call('get', '/vct/{name}', '/vct/membership')).status, 200);

    const opened = await call('post', '/api/v1/motions', '/api/v1/motions', {
      motion: await motion(board[0] as Actor, did, 'suspend', applicant.did),
    });
    assert.equal(opened.status, 201);
    await call('get', '/api/v1/motions', '/api/v1/motions?status=open');
    await call('get', '/api/v1/motions/{id}', `/api/v1/motions/${opened.body.id}`);
    await call('get', '/api/v1/board', '/api/v1/board');

    const stranger = await newActor();
    const refused = await call('post', '/api/v1/members/{did}/withdrawal', `${memberPath}/withdrawal`, {
      withdrawal: await stranger.sign({
        iss: stranger.did,
        aud: did,
        action: 'withdraw',
        iat: seconds(),
        jti: randomUUID(),
      }),
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'not_member_itself');
    const withdrawn = await call('post', '/api/v1/members/{did}/withdrawal', `${memberPath}/withdrawal`, {
      withdrawal: await applicant.sign({
        iss: applicant.did,
        aud: did,
        action: 'withdraw',
        iat: seconds(),
        jti: randomUUID(),
      }),
    });
    assert.equal(withdrawn.body.status, 'withdrawn');
  });

  it('the answers of every described read validate', async () => {
    await call('get', '/api/v1/trusted-issuers', '/api/v1/trusted-issuers?limit=1');
    await call(
      'get',
      '/api/v1/trusted-issuers/{did}',
      `/api/v1/trusted-issuers/${encodeURIComponent(register.did)}`,
    );
    const ebsi = await call('get', '/v4/issuers', '/v4/issuers?page[size]=2');
    assert.ok(ebsi.body.total >= 1);
    await call('get', '/v4/issuers/{did}', `/v4/issuers/${encodeURIComponent(register.did)}`);
    const schemas = await call('get', '/api/v1/schemas', '/api/v1/schemas');
    for (const schema of schemas.body.items as { type: string; version: string }[])
      await call(
        'get',
        '/api/v1/schemas/{type}/{version}',
        `/api/v1/schemas/${schema.type}/${schema.version}`,
      );
    await call('get', '/contexts/{name}/{version}', '/contexts/dataspace/v1');
    await call('get', '/api/v1/audit', '/api/v1/audit?limit=5');
    await call('get', '/api/v1/audit/checkpoint', '/api/v1/audit/checkpoint');
    await call('get', '/api/v1/audit/checkpoints', '/api/v1/audit/checkpoints');
    const rulebook = await call('get', '/api/v1/rulebook', '/api/v1/rulebook');
    await call('get', '/api/v1/rulebook/versions', '/api/v1/rulebook/versions');
    await call(
      'get',
      '/api/v1/rulebook/versions/{version}',
      `/api/v1/rulebook/versions/${rulebook.body.version}`,
    );
    await call('get', '/.well-known/did.json', '/.well-known/did.json');
    await call('get', '/.well-known/openid-credential-issuer', '/.well-known/openid-credential-issuer');
    await call('get', '/.well-known/oauth-authorization-server', '/.well-known/oauth-authorization-server');
    await call('get', '/health/live', '/health/live');
    await call('get', '/health/ready', '/health/ready');
    await call('get', '/api/v1/members', '/api/v1/members');
    await call('get', '/api/v1/motions', '/api/v1/motions');
  });

  it('the connector routes answer as described: 200 with a token, 401 and 403 with a challenge', async function () {
    this.timeout(60_000);
    const member = await jwkMember('ES256');
    await admit({ service, board, register }, member);
    const issuer = service.oidc.issuer;
    const token = async (scope: string): Promise<string> => {
      const now = seconds();
      const assertion = await new SignJWT({
        iss: member.did,
        sub: member.did,
        aud: issuer,
        jti: randomUUID(),
        exp: now + 60,
      })
        .setProtectedHeader({ alg: 'ES256', kid: member.connectorKey.kid })
        .sign(member.connectorKey.key);
      const answer = await request(app).post('/oidc/token').type('form').send({
        grant_type: 'client_credentials',
        client_id: member.did,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope,
      });
      assert.equal(answer.status, 200, answer.text);
      return answer.body.access_token as string;
    };
    const path = '/api/v1/connectors/me';
    const ok = checker.check(
      'get',
      path,
      await request(app)
        .get(path)
        .auth(await token('events'), { type: 'bearer' }),
    );
    assert.equal(ok.body.did, member.did);
    const missing = checker.check('get', path, await request(app).get(path));
    assert.equal(missing.body.code, 'invalid_token');
    const bad = checker.check('get', path, await request(app).get(path).auth('x.y.z', { type: 'bearer' }));
    assert.equal(bad.body.code, 'invalid_token');
    const unscoped = checker.check(
      'get',
      path,
      await request(app)
        .get(path)
        .auth(await token(''), { type: 'bearer' }),
    );
    assert.equal(unscoped.status, 403);
    assert.equal(unscoped.body.code, 'insufficient_scope');
    const redirectUris = checker.check(
      'get',
      '/api/v1/connectors/me/redirect-uris',
      await request(app)
        .get('/api/v1/connectors/me/redirect-uris')
        .auth(await token('notices'), { type: 'bearer' }),
    );
    assert.deepEqual(redirectUris.body, { redirectUris: [] });
  });

  it('the events routes answer as described (docs/events.md)', async function () {
    this.timeout(60_000);
    const member = await jwkMember('ES256');
    await admit({ service, board, register }, member);
    admitted.provider = member;
    await checkEventRoutes(service, checker, member);
  });

  it('the consent routes answer as described (docs/consent.md)', async function () {
    this.timeout(60_000);
    const member = await jwkMember('ES256');
    await admit({ service, board, register }, member, ['public-authority'], 'City of Example');
    admitted.authority = member;
    await checkConsentRoutes(service, checker, member);
  });

  it('the agreement routes answer as described (docs/agreements.md)', async function () {
    this.timeout(60_000);
    // The members admitted above (admissions count against the address rate limit): a data
    // provider offers, a public authority (on the demand side too) accepts.
    await checkAgreementRoutes(service, checker, admitted.provider as Member, admitted.authority as Member);
  });

  it('error answers validate as problem+json with their code: 404, 400, 429 with Retry-After', async () => {
    const codes: [string, string, string, number, string][] = [
      ['get', '/api/v1/members/{did}', '/api/v1/members/did%3Aexample%3Anobody', 404, 'not_found'],
      ['get', '/api/v1/motions/{id}', '/api/v1/motions/nothing', 404, 'not_found'],
      [
        'get',
        '/api/v1/membership/applications/{id}',
        '/api/v1/membership/applications/nothing',
        404,
        'not_found',
      ],
      ['get', '/api/v1/rulebook/versions/{version}', '/api/v1/rulebook/versions/999', 404, 'not_found'],
      ['get', '/api/v1/schemas/{type}/{version}', '/api/v1/schemas/Nothing/v1', 404, 'not_found'],
      ['get', '/contexts/{name}/{version}', '/contexts/nothing/v1', 404, 'not_found'],
      ['get', '/status/{listId}', '/status/nothing', 404, 'not_found'],
      ['get', '/v4/issuers/{did}', '/v4/issuers/did%3Aexample%3Anobody', 404, 'not_found'],
      ['get', '/api/v1/trusted-issuers/{did}', '/api/v1/trusted-issuers/not-a-did', 400, 'invalid_did'],
      ['get', '/api/v1/trusted-issuers', '/api/v1/trusted-issuers?limit=0', 400, 'invalid_page_size'],
      ['get', '/v4/issuers', '/v4/issuers?page[after]=99', 400, 'invalid_page_after'],
      ['get', '/api/v1/audit', '/api/v1/audit?limit=501', 400, 'invalid_limit'],
      ['get', '/api/v1/audit/checkpoints', '/api/v1/audit/checkpoints?after=x', 400, 'invalid_after'],
      ['get', '/api/v1/motions', '/api/v1/motions?status=maybe', 400, 'invalid_request'],
      ['get', '/api/v1/members', '/api/v1/members?limit=many', 400, 'invalid_page_size'],
      ['get', '/api/v1/members', '/api/v1/members?status=bogus', 400, 'invalid_filter'],
      ['get', '/api/v1/members', '/api/v1/members?side=middle', 400, 'invalid_filter'],
      ['get', '/api/v1/members', '/api/v1/members?role=bogus', 400, 'invalid_filter'],
    ];
    for (const [method, described, path, status, code] of codes) {
      const answer = await call(method as 'get', described, path);
      assert.equal(answer.status, status, path);
      assert.equal(answer.body.code, code, path);
    }
    const noField = await call('post', '/api/v1/credentials/verify', '/api/v1/credentials/verify', {});
    assert.equal(noField.body.code, 'invalid_request');
    const text = checker.check(
      'post',
      '/api/v1/presentations/verify',
      await request(app).post('/api/v1/presentations/verify').set('Content-Type', 'text/plain').send('x'),
    );
    assert.equal(text.status, 415);
    assert.equal(text.body.code, 'unsupported_media_type');
    const badJson = await call('post', '/api/v1/motions', '/api/v1/motions', '{');
    assert.equal(badJson.status, 400);
    let limited: request.Response | undefined;
    for (let i = 0; i < 20 && limited?.status !== 429; i++)
      limited = await call('get', '/api/v1/membership/challenge', '/api/v1/membership/challenge');
    assert.equal(limited?.status, 429);
    assert.equal(limited?.body.code, 'rate_limited');
  });

  it('every described read was answered 200 and validated above', () => {
    const reads = Object.entries(document.paths)
      .filter(([, item]) => item.get)
      .map(([path]) => `get ${path} 200`);
    assert.deepEqual(
      reads.filter((read) => !checker.seen.has(read)),
      [],
    );
  });
});

describeEachDatabase('the OpenAPI description under a PUBLIC_URL path', (fresh) => {
  it('is served under that path, names it as the server, and describes the DID document at /did.json', async function () {
    this.timeout(60_000);
    const service = await openTestService(await fresh(), { PUBLIC_URL: 'http://localhost:3000/trust' });
    try {
      const app = service.app.callback();
      await request(app).get(OPENAPI_PATH).expect(404);
      const document = (await request(app).get(`/trust${OPENAPI_PATH}`).expect(200)).body as Document;
      assert.deepEqual(document.servers, [{ url: 'http://localhost:3000/trust' }]);
      assert.ok(document.paths['/did.json']?.get);
      assert.equal(document.paths['/.well-known/did.json'], undefined);
      const checker = new ResponseChecker(document);
      checker.check('get', '/did.json', await request(app).get('/trust/did.json'));
    } finally {
      await service.close();
    }
  });
});
