/**
 * Published URLs, page framing and the request log (issue 8, items 5 and 9). Every URL the
 * service publishes comes from PUBLIC_URL, never from `Host` or `X-Forwarded-*`; cookies carry
 * `Secure` when PUBLIC_URL is https, even behind a TLS-terminating proxy without TRUST_PROXY;
 * every page forbids framing and runs only its own nonce'd script; the request log never holds
 * a login's `state`, code or response code.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger } from '../../src/log/logger.js';
import { openService, type Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService, testConfig } from '../support/service.js';
import { REDIRECT_URI } from './support.js';

const PUBLIC_URL = 'https://trust.example';
const DISCOVERY = '/oidc/.well-known/openid-configuration';

/** Every string value of the discovery document that is a URL. */
function urlsOf(metadata: Record<string, unknown>): string[] {
  return Object.values(metadata).filter(
    (value): value is string => typeof value === 'string' && /^[a-z]+:\/\//.test(value),
  );
}

function authorizationQuery(): Record<string, string> {
  return {
    client_id: 'portal',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: REDIRECT_URI,
    state: 'S'.repeat(24),
    code_challenge: 'x'.repeat(43),
    code_challenge_method: 'S256',
  };
}

describeEachDatabase('published URLs come from PUBLIC_URL', (fresh) => {
  for (const trustProxy of ['false', 'true']) {
    describe(`TRUST_PROXY=${trustProxy}`, () => {
      let service: Service;
      before(async function () {
        this.timeout(60_000);
        service = await openTestService(await fresh(), { PUBLIC_URL, TRUST_PROXY: trustProxy });
        await service.oidc.clients.add({ clientId: 'portal', redirectUris: [REDIRECT_URI] });
      });
      after(async () => service?.close());

      it('answers discovery under PUBLIC_URL whatever Host and X-Forwarded-* say', async () => {
        const answer = await request(service.app.callback())
          .get(DISCOVERY)
          .set('Host', 'evil.example')
          .set('X-Forwarded-Host', 'evil.example')
          .set('X-Forwarded-Proto', 'http')
          .expect(200);
        assert.equal(answer.body.issuer, `${PUBLIC_URL}/oidc`);
        const urls = urlsOf(answer.body);
        assert.ok(urls.length >= 6, urls.join(' '));
        for (const url of urls)
          assert.ok(url.startsWith(`${PUBLIC_URL}/oidc/`) || url === `${PUBLIC_URL}/oidc`, url);
        assert.equal(answer.body.token_endpoint, `${PUBLIC_URL}/oidc/token`);
      });

      it('sets Secure cookies for an https PUBLIC_URL reached over plain http (a TLS-terminating proxy)', async () => {
        const answer = await request(service.app.callback())
          .get('/oidc/auth')
          .query(authorizationQuery())
          .set('Host', 'evil.example')
          .expect(303);
        const cookies = answer.headers['set-cookie'] as unknown as string[];
        assert.ok(cookies.length > 0);
        for (const cookie of cookies) assert.match(cookie, /;\s*secure/i, cookie);
        assert.ok((answer.headers.location as string).startsWith('/oidc/interaction/'));
      });
    });
  }
});

describeEachDatabase('pages may not be framed and run only their own script', (fresh) => {
  let service: Service;
  before(async function () {
    this.timeout(60_000);
    service = await openTestService(await fresh());
    await service.oidc.clients.add({ clientId: 'portal', redirectUris: [REDIRECT_URI] });
  });
  after(async () => service?.close());

  function assertNoFraming(response: request.Response): string {
    const csp = response.headers['content-security-policy'] as string;
    assert.ok(csp, 'Content-Security-Policy is set');
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /default-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(response.headers['x-frame-options'], 'DENY');
    return csp;
  }

  it('the login page: its polling script carries the nonce of its own Content-Security-Policy', async () => {
    const agent = request.agent(service.app.callback());
    const started = await agent.get('/oidc/auth').query(authorizationQuery()).expect(303);
    const page = await agent.get(started.headers.location as string).expect(200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    const csp = assertNoFraming(page);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce);
    const scripts = [...page.text.matchAll(/<script([^>]*)>/g)].map((match) => match[1]);
    assert.ok(scripts.length > 0);
    for (const attributes of scripts) assert.equal(attributes, ` nonce="${nonce}"`);
    const other = await agent.get('/oidc/auth').query(authorizationQuery()).expect(303);
    const second = await agent.get(other.headers.location as string).expect(200);
    // A nonce is base64: compared as text, never as a pattern ('+' would be a quantifier).
    assert.ok(
      !(second.headers['content-security-policy'] as string).includes(`'nonce-${nonce}'`),
      'one nonce per response',
    );
  });

  it('the logout page and the provider error page', async () => {
    const app = service.app.callback();
    const logout = await request(app).get('/oidc/session/end').expect(200);
    assert.match(logout.headers['content-type'] as string, /text\/html/);
    assertNoFraming(logout);
    const error = await request(app)
      .get('/oidc/auth')
      .query({ ...authorizationQuery(), client_id: 'nobody' });
    assert.equal(error.status, 400);
    assert.match(error.headers['content-type'] as string, /text\/html/);
    assertNoFraming(error);
  });

  it('an API answer and a 404 carry the same headers', async () => {
    const app = service.app.callback();
    assertNoFraming(await request(app).get('/health/live'));
    assertNoFraming(await request(app).get('/no/such/page').expect(404));
  });
});

describeEachDatabase('the request log', (fresh) => {
  it("never writes a login's state, code or response code", async function () {
    this.timeout(60_000);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const service = await openService(testConfig(await fresh()), createLogger('info', sink), { quiet: true });
    try {
      await service.oidc.clients.add({ clientId: 'portal', redirectUris: [REDIRECT_URI] });
      const agent = request.agent(service.app.callback());
      const state = 'S'.repeat(24);
      const started = await agent.get('/oidc/auth').query(authorizationQuery()).expect(303);
      const page = await agent.get(started.headers.location as string).expect(200);
      const requestUri = new URL(
        decodeURIComponent(/request_uri=([^&"]+)/.exec(page.text)?.[1] as string).replace(/&amp;/g, '&'),
      );
      const transactionState = requestUri.pathname.split('/').at(-1) as string;
      assert.ok(transactionState.length >= 32);
      await agent.get(`${requestUri.pathname}${requestUri.search}`).expect(200);
      await agent.get(`${new URL(started.headers.location as string, PUBLIC_URL).pathname}/callback`).query({
        response_code: 'R'.repeat(30),
        code: 'C'.repeat(30),
      });
      const log = lines.join('');
      assert.match(log, /"msg":"request"/);
      for (const secret of [state, transactionState, 'R'.repeat(30), 'C'.repeat(30)])
        assert.ok(!log.includes(secret), `${secret} is not in the log`);
      assert.match(log, /\/oid4vp\/request\/:state/);
      assert.match(log, /response_code=\[redacted\]/);
      // The provider's own routes are logged with their mount path (SRE: "/token" was unfindable).
      assert.match(log, /"path":"\/oidc\/auth"/);
      assert.doesNotMatch(log, /"path":"\/auth"/);
    } finally {
      await service.close();
    }
  });
});
