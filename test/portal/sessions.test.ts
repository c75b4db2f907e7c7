/**
 * The portal's sessions (issue 14 item 4; docs/portal.md "Sessions"): server-side rows keyed by
 * the hash of the id, sealed contents, cookie attributes, idle and absolute expiry, the sweep,
 * logout (with RP-initiated logout at the provider), and sessions ending with a suspension.
 */
import { strict as assert } from 'node:assert';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import Koa from 'koa';
import request from 'supertest';
import { PortalSessionEntity } from '../../src/portal/entities.js';
import { hashSessionId } from '../../src/portal/sessions.js';
import { browserSigningRequests } from '../../src/portal/signing-requests.js';
import { type ConsentWorld, consentWorld, decide, newCitizen } from '../consent/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { csrfOf, errorCodeOf, sessionCookie, sessionOf } from './support.js';

const IDLE_MS = 1800 * 1000;
const MAX_MS = 28_800 * 1000;

describeEachDatabase('portal sessions', (fresh) => {
  let world: ConsentWorld;
  before(async function () {
    this.timeout(180_000);
    // Listening: the portal fetches the provider's discovery document from PUBLIC_URL.
    world = await consentWorld(await fresh(), { listen: true });
  });
  after(async () => world?.close());
  afterEach(() => {
    world.clock.offsetMs = 0;
  });

  const rows = () => world.service.dataSource.getRepository(PortalSessionEntity);
  const dashboard = (cookie?: string) => {
    const call = request(world.app).get('/portal/consents');
    return cookie ? call.set('Cookie', cookie) : call;
  };
  const loggedIn = (html: string) => /id="consents"|id="no-consents"/.test(html);

  describe('the cookie (RFC 6265bis)', () => {
    it('starts a login in a new session: HttpOnly, SameSite=Lax, scoped to /portal, not Secure in development', async () => {
      const response = await request(world.app).get('/portal/login').expect(303);
      const location = new URL(response.headers.location as string);
      assert.equal(`${location.origin}${location.pathname}`, `${world.service.config.publicUrl}/oidc/auth`);
      assert.equal(location.searchParams.get('client_id'), 'dataspace-trust-portal');
      assert.equal(
        location.searchParams.get('redirect_uri'),
        `${world.service.config.publicUrl}/portal/callback`,
      );
      assert.equal(location.searchParams.get('code_challenge_method'), 'S256', 'RFC 7636 PKCE');
      assert.equal(location.searchParams.get('scope'), 'openid citizen');
      assert.ok(location.searchParams.get('state'));
      assert.ok(location.searchParams.get('nonce'));
      const cookie = sessionCookie(response.headers['set-cookie']);
      assert.equal(cookie.attributes.has('httponly'), true);
      assert.equal(cookie.attributes.get('samesite'), 'lax');
      assert.equal(cookie.attributes.get('path'), '/portal');
      assert.equal(cookie.attributes.has('secure'), false, 'http://localhost is development mode');
      assert.equal(response.headers['cache-control'], 'no-store');
    });

    it('is Secure outside development mode', async function () {
      this.timeout(120_000);
      const service = await openTestService(await fresh(), { PUBLIC_URL: 'https://trust.example' });
      try {
        const cookie = await sessionOf(service, await newCitizen());
        const page = await request(service.app.callback()).get('/portal/account/erase').set('Cookie', cookie);
        const response = await request(service.app.callback())
          .post('/portal/account/erase')
          .set('Cookie', cookie)
          .set('Origin', 'https://trust.example')
          .type('form')
          .send({ csrf_token: csrfOf(page.text) })
          .expect(200);
        const set = sessionCookie(response.headers['set-cookie']);
        assert.equal(set.attributes.has('secure'), true);
        assert.equal(set.attributes.has('httponly'), true);
        assert.equal(set.attributes.get('samesite'), 'lax');
      } finally {
        await service.close();
      }
    });
  });

  describe('storage', () => {
    it('keys the row by the SHA-256 of the id and seals what it holds', async () => {
      const citizen = await newCitizen();
      const cookie = await sessionOf(world.service, citizen);
      const id = cookie.split('=')[1] as string;
      assert.equal(await rows().findOneBy({ idHash: id }), null);
      const row = await rows().findOneBy({ idHash: hashSessionId(id) });
      assert.ok(row);
      assert.equal(row.data.includes(citizen.key), false);
      assert.equal(row.data.includes(citizen.wallet), false);
      assert.ok(loggedIn((await dashboard(cookie).expect(200)).text));
    });

    it('refuses an unknown or malformed session id (the login page, not the dashboard)', async () => {
      for (const value of ['x'.repeat(43), 'short', '../../etc']) {
        const page = await dashboard(`portal_session=${value}`).expect(200);
        assert.equal(loggedIn(page.text), false);
        assert.match(page.text, /id="login"/);
      }
    });
  });

  describe('expiry', () => {
    it('ends a session unused for the idle time', async () => {
      const cookie = await sessionOf(world.service, await newCitizen());
      world.clock.offsetMs = IDLE_MS + 1000;
      const page = await dashboard(cookie).expect(200);
      assert.equal(loggedIn(page.text), false);
      const id = cookie.split('=')[1] as string;
      assert.equal(await rows().findOneBy({ idHash: hashSessionId(id) }), null, 'the expired row is deleted');
    });

    it('keeps a session in use alive, up to its absolute expiry', async () => {
      const cookie = await sessionOf(world.service, await newCitizen());
      const step = IDLE_MS - 5 * 60_000;
      let elapsed = 0;
      while (elapsed + step < MAX_MS) {
        elapsed += step;
        world.clock.offsetMs = elapsed;
        assert.ok(
          loggedIn((await dashboard(cookie).expect(200)).text),
          `alive after ${elapsed / 60_000} min`,
        );
      }
      world.clock.offsetMs = MAX_MS + 1000;
      assert.equal(loggedIn((await dashboard(cookie).expect(200)).text), false);
    });

    it('is deleted by the service’s sweep once expired', async () => {
      const cookie = await sessionOf(world.service, await newCitizen());
      const id = cookie.split('=')[1] as string;
      world.clock.offsetMs = MAX_MS + 1000;
      const swept = await world.service.sweep();
      assert.ok((swept?.portal_session ?? 0) >= 1);
      assert.equal(await rows().findOneBy({ idHash: hashSessionId(id) }), null);
    });
  });

  describe('login answers (OpenID Connect Core §3.1.2.5, RFC 6749 §10.12)', () => {
    it('refuses a callback in a browser that started no login (login_failed)', async () => {
      const response = await request(world.app).get('/portal/callback?code=abc&state=xyz').expect(400);
      assert.equal(errorCodeOf(response.text), 'login_failed');
    });

    it('refuses an answer whose state is not this browser’s (login_failed), and shows the provider’s refusal (login_refused)', async () => {
      const started = await request(world.app).get('/portal/login').expect(303);
      const cookie = `portal_session=${sessionCookie(started.headers['set-cookie']).value}`;
      const state = new URL(started.headers.location as string).searchParams.get('state') as string;
      const forged = await request(world.app)
        .get(
          `/portal/callback?code=abc&state=another&iss=${encodeURIComponent(`${world.service.config.publicUrl}/oidc`)}`,
        )
        .set('Cookie', cookie)
        .expect(400);
      assert.equal(errorCodeOf(forged.text), 'login_failed');
      const foreignError = await request(world.app)
        .get('/portal/callback?error=access_denied&state=another')
        .set('Cookie', cookie)
        .expect(400);
      assert.equal(errorCodeOf(foreignError.text), 'login_failed');
      const refused = await request(world.app)
        .get(`/portal/callback?error=access_denied&state=${state}`)
        .set('Cookie', cookie)
        .expect(403);
      assert.equal(errorCodeOf(refused.text), 'login_refused');
    });
  });

  describe('logout', () => {
    it('ends the session, clears the cookie and sends the browser to the provider’s end_session endpoint', async () => {
      const cookie = await sessionOf(world.service, await newCitizen());
      const id = cookie.split('=')[1] as string;
      const page = await dashboard(cookie).expect(200);
      const response = await request(world.app)
        .post('/portal/logout')
        .set('Cookie', cookie)
        .set('Origin', world.service.config.publicUrl)
        .type('form')
        .send({ csrf_token: csrfOf(page.text) })
        .expect(303);
      const cleared = sessionCookie(response.headers['set-cookie']);
      assert.equal(cleared.value, '');
      assert.match(cleared.attributes.get('expires') ?? '', /1970/);
      assert.equal(await rows().findOneBy({ idHash: hashSessionId(id) }), null);
      const location = new URL(response.headers.location as string);
      assert.equal(location.pathname, '/oidc/session/end');
      assert.equal(
        location.searchParams.get('post_logout_redirect_uri'),
        `${world.service.config.publicUrl}/portal/logged-out`,
      );
      // The provider accepts the portal's registered post-logout URI (it asks to confirm).
      const ended = await request(world.app).get(`${location.pathname}${location.search}`);
      assert.equal(ended.status, 200, ended.text);
      assert.equal(loggedIn((await dashboard(cookie).expect(200)).text), false);
    });

    it('refuses a logout without the session’s CSRF token, and the session stays', async () => {
      const cookie = await sessionOf(world.service, await newCitizen());
      const response = await request(world.app)
        .post('/portal/logout')
        .set('Cookie', cookie)
        .type('form')
        .send({})
        .expect(403);
      assert.equal(errorCodeOf(response.text), 'csrf_token_missing');
      assert.ok(loggedIn((await dashboard(cookie).expect(200)).text));
    });
  });

  describe('sessions end with the registry (architecture: "a suspension ends sessions")', () => {
    it('ends the portal sessions of a member’s accounts in the suspension’s transaction', async function () {
      this.timeout(60_000);
      const did = world.utility.did;
      const account = await world.service.oidc.accounts.record(did, did, {}, undefined, [
        { issuer: world.service.identity.did, subject: did, types: ['MembershipCredential'] },
      ]);
      const cookie = await sessionOf(world.service, await newCitizen(), account.accountId);
      const other = await sessionOf(world.service, await newCitizen(), 'another-account');
      await decide(world, 'suspend', did);
      assert.equal(loggedIn((await dashboard(cookie).expect(200)).text), false);
      assert.ok(loggedIn((await dashboard(other).expect(200)).text));
    });
  });

  describe('signing requests kept in a board member’s session, in place', () => {
    const states = (n: number) => Array.from({ length: n }, (_, i) => `state-of-tab-${i}-${'x'.repeat(20)}`);
    /** The workspace's list, as src/portal/board/workspace-routes.ts keeps it: in place. */
    const workspaceRequests = () =>
      browserSigningRequests({
        sessions: world.service.portal.sessions,
        list: 'signing',
        rotate: false,
        developmentMode: true,
        path: '/portal',
      });
    /** A koa context of a request (the in-place list never touches it: no cookie is set again). */
    const context = () => {
      const incoming = new IncomingMessage(new Socket());
      return new Koa().createContext(incoming, new ServerResponse(incoming));
    };

    it('two changes at once both count: each starts from what the session holds then', async () => {
      const sessions = world.service.portal.sessions;
      const session = await sessions.create({ boardMember: world.city.did });
      const [first, second] = states(2) as [string, string];
      await Promise.all(
        [first, second].map((state) =>
          sessions.change(session.id, (data) => ({ ...data, signing: [...(data.signing ?? []), state] })),
        ),
      );
      const stored = await sessions.find(session.id);
      assert.deepEqual([...(stored?.data.signing ?? [])].sort(), [first, second].sort());
      assert.equal(stored?.data.boardMember, world.city.did, 'the rest of the session is kept');
    });

    it('two tabs opening a request each from the same page: both are kept, in the same session', async () => {
      const sessions = world.service.portal.sessions;
      const session = await sessions.create({ boardMember: world.city.did });
      const requests = workspaceRequests();
      const [first, second] = states(2) as [string, string];
      // Both tabs hold the session as it was before either opened its request.
      const [a, b] = await Promise.all([
        requests.keep(context(), session, first),
        requests.keep(context(), session, second),
      ]);
      assert.equal(a.id, session.id);
      assert.equal(b.id, session.id);
      const stored = await sessions.find(session.id);
      assert.ok(requests.opened(stored, first), 'the first tab’s request');
      assert.ok(requests.opened(stored, second), 'the second tab’s request');
    });

    it('a session gone: nothing is written, and opening a request is refused (login_required)', async () => {
      const sessions = world.service.portal.sessions;
      const session = await sessions.create({ boardMember: world.city.did });
      await sessions.end(session.id);
      assert.equal(await sessions.change(session.id, (data) => ({ ...data, signing: ['s'] })), undefined);
      const requests = workspaceRequests();
      await assert.rejects(
        requests.keep(context(), session, states(1)[0] as string),
        (error: { code?: string }) => error.code === 'login_required',
      );
      assert.equal(await rows().countBy({ idHash: hashSessionId(session.id) }), 0);
    });
  });
});
