/**
 * The portal's public pages (issue 14 items 1, 4 and 5), through `app.callback()`: no login,
 * each page answers with what the capabilities hold — the member directory with its search,
 * filters and paging links, a page per member (and a readable 404), the trusted issuers, the
 * rulebook with every adopted version and the diff between two, the board's decided motions
 * with each signed vote and how to check it, the audit log verified against its signed
 * checkpoint — escaped by default, under a strict CSP, in English and German (by
 * `Accept-Language` and by the switch), from two catalogues with the same keys.
 */
import { strict as assert } from 'node:assert';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import request from 'supertest';
import { MemberEntity, type MemberRow } from '../../src/membership/entities.js';
import { writeMemberFacets } from '../../src/membership/members.js';
import { CATALOGUES, LOCALES, negotiateLocale } from '../../src/portal/i18n/index.js';
import { dropAppendOnlyTriggers } from '../audit/support.js';
import { seatBoard } from '../governance/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { HOSTILE_NAME, HTTPS_ISSUER, type PublicWorld, publicWorld } from './public-support.js';
import { errorCodeOf } from './support.js';

/** The text of the element with this id (its inner HTML, tags removed). */
function textOf(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `the page has #${id}`);
  const open = html.indexOf('>', start) + 1;
  const tag = html.lastIndexOf('<', start);
  const name = /^<([a-z0-9]+)/.exec(html.slice(tag))?.[1] ?? 'div';
  const end = html.indexOf(`</${name}>`, open);
  return html.slice(open, end).replace(/<[^>]+>/g, '');
}

/** The `data-did` of every row of a table. */
const rowDids = (html: string) => [...html.matchAll(/<tr data-did="([^"]+)"/g)].map((m) => m[1]);

/** A whole link (`href`) of the page with this id, its `&amp;` unescaped. */
function hrefOf(html: string, id: string): string {
  const match = new RegExp(`<a href="([^"]+)"[^>]*id="${id}"`).exec(html);
  assert.ok(match?.[1], `the page has a link #${id}`);
  return match[1].replaceAll('&amp;', '&');
}

describe('the catalogues (issue 14 item 5)', () => {
  it('every language has exactly the keys of English, none empty, with the same placeholders', () => {
    const english = CATALOGUES.en;
    const placeholders = (text: string) => [...text.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1]).sort();
    for (const locale of LOCALES) {
      const catalogue = CATALOGUES[locale];
      assert.deepEqual(
        Object.keys(catalogue).sort(),
        Object.keys(english).sort(),
        `${locale}: the same keys`,
      );
      for (const [key, text] of Object.entries(catalogue)) {
        assert.equal(typeof text, 'string', `${locale} ${key}`);
        assert.notEqual(text.trim(), '', `${locale} ${key} is not empty`);
        assert.deepEqual(
          placeholders(text),
          placeholders(english[key as keyof typeof english]),
          `${locale} ${key}: same placeholders`,
        );
      }
    }
  });

  it('chooses the cookie’s language, else the best of Accept-Language that the portal speaks, else English', () => {
    assert.equal(negotiateLocale('de', 'en'), 'de');
    assert.equal(negotiateLocale('xx', 'de-AT,en;q=0.5'), 'de');
    assert.equal(negotiateLocale(undefined, 'fr, en;q=0.8, de;q=0.9'), 'de');
    assert.equal(negotiateLocale(undefined, 'fr, de;q=0'), 'en');
    assert.equal(negotiateLocale(undefined, ''), 'en');
    assert.equal(negotiateLocale(undefined, undefined), 'en');
  });
});

describeEachDatabase('the public pages (issue 14 item 1)', (fresh) => {
  let world: PublicWorld;
  let app: ReturnType<PublicWorld['service']['app']['callback']>;

  before(async function () {
    this.timeout(180_000);
    world = await publicWorld(await fresh());
    app = world.service.app.callback();
  });
  after(async () => world?.close());

  const get = (path: string, language = 'en') => request(app).get(path).set('Accept-Language', language);

  describe('every page: escaping by default, strict CSP, no framing', () => {
    it('answers HTML whose every <script> and <style> carries the response’s nonce, and may not be framed', async () => {
      for (const path of [
        '/portal/',
        '/portal/members',
        `/portal/members/${encodeURIComponent(world.city)}`,
        '/portal/issuers',
        '/portal/rulebook',
        '/portal/rulebook/diff?from=1.1.0&to=1.2.0',
        '/portal/board',
        `/portal/board/motions/${world.suspension}`,
        '/portal/audit',
      ]) {
        const response = await get(path).expect(200);
        assert.match(response.headers['content-type'], /^text\/html/);
        const csp = response.headers['content-security-policy'] as string;
        assert.match(csp, /frame-ancestors 'none'/, path);
        assert.equal(response.headers['x-frame-options'], 'DENY', path);
        const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
        assert.ok(nonce, path);
        const tags = [...response.text.matchAll(/<(script|style)\b([^>]*)>/g)];
        assert.ok(tags.length > 0, path);
        for (const tag of tags)
          assert.match(tag[2] as string, new RegExp(`nonce="${nonce.replace(/[+/=]/g, '\\$&')}"`), path);
        assert.doesNotMatch(response.text, /\son[a-z]+="/i, `${path}: no inline event handler`);
      }
    });

    it('escapes a hostile legal name in the directory, on its page and among the decided motions', async () => {
      const directory = await get('/portal/members').expect(200);
      assert.ok(!directory.text.includes(HOSTILE_NAME), 'the raw name is never in the page');
      assert.ok(directory.text.includes('&lt;script>alert(1)&lt;/script>'));
      const page = await get(`/portal/members/${encodeURIComponent(world.hostile)}`).expect(200);
      assert.ok(!page.text.includes(HOSTILE_NAME));
      assert.equal(textOf(page.text, 'member-name'), '&lt;script>alert(1)&lt;/script>');
      assert.match(page.text, /<title>&lt;script>alert\(1\)&lt;\/script> · /);
    });
  });

  describe('home', () => {
    it('links every public page and the citizen’s dashboard', async () => {
      const home = await get('/portal/').expect(200);
      for (const path of ['members', 'issuers', 'rulebook', 'board', 'audit', 'consents'])
        assert.match(home.text, new RegExp(`<a href="/portal/${path}" id="home-${path}">`));
      await request(app).get('/portal').expect(303).expect('Location', '/portal/');
    });
  });

  describe('member directory: search, filters, paging', () => {
    it('lists every member, and finds them by part of the name in any case', async () => {
      const all = await get('/portal/members').expect(200);
      assert.deepEqual(rowDids(all.text).sort(), [world.city, world.provider, world.hostile].sort());
      assert.match(
        all.text,
        /<a href="\/portal\/members" aria-current="page">/,
        'the navigation marks where you are',
      );
      const found = await get('/portal/members?q=CITY%20of').expect(200);
      assert.deepEqual(rowDids(found.text), [world.city]);
      assert.match(found.text, /<input type="search" name="q" id="q" value="CITY of"/);
      const wildcard = await get('/portal/members?q=%25').expect(200);
      assert.deepEqual(rowDids(wildcard.text), [], 'a % is a character to find, not a wildcard');
      assert.match(wildcard.text, /id="no-members"/);
    });

    it('filters by role, side and status', async () => {
      assert.deepEqual(rowDids((await get('/portal/members?role=data-provider').expect(200)).text), [
        world.provider,
      ]);
      assert.deepEqual(
        rowDids((await get('/portal/members?side=demand').expect(200)).text).sort(),
        [world.city, world.hostile].sort(),
      );
      const suspended = await get('/portal/members?status=suspended').expect(200);
      assert.deepEqual(rowDids(suspended.text), [world.provider]);
      assert.match(suspended.text, /<option value="suspended" selected>/);
      assert.deepEqual(rowDids((await get('/portal/members?status=active&side=supply').expect(200)).text), [
        world.city,
      ]);
    });

    it('refuses a filter that is not one of its values, with a readable page that names the code', async () => {
      const status = await get('/portal/members?status=bogus').expect(400);
      assert.equal(errorCodeOf(status.text), 'invalid_query');
      const side = await get('/portal/members?side=both').expect(400);
      assert.equal(errorCodeOf(side.text), 'invalid_query');
      const long = await get(`/portal/members?q=${'x'.repeat(201)}`).expect(400);
      assert.equal(errorCodeOf(long.text), 'invalid_query');
    });

    it('pages by links: 20 members a page, the next page after the last DID, and back to the first', async function () {
      this.timeout(30_000);
      const { dataSource } = world.service;
      await dataSource.transaction(async (manager) => {
        for (let i = 0; i < 25; i++) {
          const row: MemberRow = {
            did: `did:web:paging${String(i).padStart(2, '0')}.example`,
            legalName: `Paging Org ${i}`,
            registrationNumber: `P ${i}`,
            country: 'AT',
            roles: JSON.stringify(['data-consumer']),
            sides: JSON.stringify(['demand']),
            status: 'active',
            memberSince: '2026-01-01T00:00:00Z',
            rulebookVersion: '1.1.0',
            applicationId: `paging-${i}`,
            credentialId: null,
            credentialValidUntil: null,
            updatedAt: '2026-01-01T00:00:00.000Z',
          };
          await manager.getRepository(MemberEntity).insert(row);
          await writeMemberFacets(manager, row);
        }
      });
      const first = await get('/portal/members?q=paging%20org').expect(200);
      const firstDids = rowDids(first.text);
      assert.equal(firstDids.length, 20);
      assert.doesNotMatch(first.text, /id="first-page"/);
      const next = hrefOf(first.text, 'next-page');
      assert.equal(new URL(next, 'http://x').searchParams.get('after'), firstDids.at(-1));
      assert.equal(new URL(next, 'http://x').searchParams.get('q'), 'paging org', 'the search stays on');
      const second = await get(next).expect(200);
      const secondDids = rowDids(second.text);
      assert.equal(secondDids.length, 5);
      assert.ok(secondDids.every((did) => (did as string) > (firstDids.at(-1) as string)));
      assert.doesNotMatch(second.text, /id="next-page"/);
      assert.equal(hrefOf(second.text, 'first-page'), '/portal/members?q=paging+org');
    });
  });

  describe('a member’s page', () => {
    it('shows its DID, roles, sides, since when, its status history from the audit log and its issuer rights', async () => {
      const page = await get(`/portal/members/${encodeURIComponent(world.provider)}`).expect(200);
      assert.equal(textOf(page.text, 'member-did'), world.provider);
      assert.equal(textOf(page.text, 'member-status'), 'Suspended');
      assert.match(textOf(page.text, 'member-facts'), /Data provider/);
      assert.match(textOf(page.text, 'member-facts'), /Supply \(provides data\)/);
      const history = textOf(page.text, 'history');
      assert.ok(history.indexOf('Admitted') < history.indexOf('Suspended'), 'admitted, then suspended');
      assert.ok(
        page.text.includes(`/portal/board/motions/${world.suspension}`),
        'the suspension links its motion',
      );
      assert.match(page.text, /id="no-issuer-rights"/, 'a suspended member is no trusted issuer');

      const city = await get(`/portal/members/${encodeURIComponent(world.city)}`).expect(200);
      assert.equal(textOf(city.text, 'member-status'), 'Active');
      assert.match(textOf(city.text, 'issuer-rights'), /DataProductCredential/);
      const consumer = await get(`/portal/members/${encodeURIComponent(world.hostile)}`).expect(200);
      assert.match(consumer.text, /id="no-issuer-rights"/, 'a data consumer issues nothing');
    });

    it('answers 404 with a readable page for a DID that is no member', async () => {
      const missing = await get(`/portal/members/${encodeURIComponent('did:web:nobody.example')}`).expect(
        404,
      );
      assert.match(missing.text, /<h1>No such member<\/h1>/);
      assert.equal(errorCodeOf(missing.text), 'not_found');
      assert.equal(textOf(missing.text, 'not-found-name'), 'did:web:nobody.example');
      const german = await get(
        `/portal/members/${encodeURIComponent('did:web:nobody.example')}`,
        'de',
      ).expect(404);
      assert.match(german.text, /<h1>Kein solches Mitglied<\/h1>/);
    });
  });

  describe('trusted issuers', () => {
    it('lists the trust anchors and the members whose roles issue something, with their types', async () => {
      const page = await get('/portal/issuers').expect(200);
      const dids = rowDids(page.text);
      assert.ok(dids.includes(world.city), 'the city issues DataProductCredential');
      assert.ok(!dids.includes(world.hostile), 'a data consumer is no issuer');
      assert.ok(!dids.includes(world.provider), 'a suspended member is no issuer');
      assert.match(page.text, /Business Register of Example/);
      assert.match(page.text, /Trust anchor/);
    });

    it('shows an anchor naming an https issuer by its URL, escaped, as trusted for SD-JWT VCs only (issue 12)', async () => {
      const page = await get('/portal/issuers').expect(200);
      assert.ok(rowDids(page.text).includes(HTTPS_ISSUER));
      assert.ok(!page.text.includes(HOSTILE_NAME), 'the raw name is never in the page');
      assert.ok(page.text.includes('&lt;script>alert(1)&lt;/script>'));
      assert.match(page.text, /Named by its web address: trusted for SD-JWT VCs only/);
      const german = await get('/portal/issuers', 'de').expect(200);
      assert.match(german.text, /Über seine Webadresse benannt/);
    });
  });

  describe('the rulebook', () => {
    it('renders the version in force readably and lists every adopted version', async () => {
      const page = await get('/portal/rulebook').expect(200);
      assert.equal(textOf(page.text, 'rulebook-version'), '1.2.0');
      assert.match(page.text, /<h1>The rulebook in force \(version 1\.2\.0\)<\/h1>/);
      assert.match(page.text, /Public authority/);
      assert.match(page.text, /LegalPersonCredential/);
      assert.match(page.text, /It can be renewed in the last 45 days\./);
      assert.match(page.text, /Rulebook amendment/);
      const versions = textOf(page.text, 'rulebook-versions');
      assert.match(versions, /1\.2\.0 \(in force\)/);
      assert.match(versions, /1\.1\.0/);
      assert.ok(
        page.text.includes(`/portal/board/motions/${world.amendment}`),
        'adopted by the amendment motion',
      );
    });

    it('shows an older version as no longer in force, and 404 for a version never adopted', async () => {
      const old = await get('/portal/rulebook/versions/1.1.0').expect(200);
      assert.match(old.text, /This version is no longer in force\./);
      assert.match(old.text, /It can be renewed in the last 60 days\./);
      const missing = await get('/portal/rulebook/versions/9.9.9').expect(404);
      assert.equal(errorCodeOf(missing.text), 'not_found');
    });

    it('diffs two versions with + and − markers and words for screen readers', async () => {
      const diff = await get('/portal/rulebook/diff?from=1.1.0&to=1.2.0').expect(200);
      assert.match(textOf(diff.text, 'diff-summary'), /2 lines added, 2 lines removed\./);
      assert.match(
        diff.text,
        /data-change="removed"><span class="visually-hidden">Removed: <\/span>− {5}&quot;renewalWindowDays&quot;: 60<\/li>/,
      );
      assert.match(
        diff.text,
        /data-change="added"><span class="visually-hidden">Added: <\/span>\+ {5}&quot;renewalWindowDays&quot;: 45<\/li>/,
      );
      assert.match(
        diff.text,
        /data-change="removed">[^<]*<[^>]+>[^<]*<\/span>− {3}&quot;version&quot;: &quot;1\.1\.0&quot;<\/li>/,
      );
      const same = await get('/portal/rulebook/diff?from=1.2.0&to=1.2.0').expect(200);
      assert.match(same.text, /id="no-difference"/);
      assert.equal(
        errorCodeOf((await get('/portal/rulebook/diff?from=1.1.0').expect(400)).text),
        'invalid_query',
      );
      assert.equal(
        errorCodeOf((await get('/portal/rulebook/diff?from=1.1.0&to=3.0.0').expect(404)).text),
        'not_found',
      );
    });
  });

  describe('the board and its decided motions', () => {
    it('lists the seats and the decided motions, latest decision first', async () => {
      const page = await get('/portal/board').expect(200);
      for (const member of world.board) assert.ok(page.text.includes(member.did));
      const motions = [...page.text.matchAll(/<tr data-motion-id="([^"]+)"/g)].map((m) => m[1]);
      assert.equal(motions.length, 5, 'three admissions, a suspension, an amendment');
      assert.equal(motions[0], world.amendment);
      assert.equal(motions[1], world.suspension);
      assert.equal(
        errorCodeOf((await get('/portal/board?before=nocursor').expect(400)).text),
        'invalid_query',
      );
    });

    it('pages the decided motions by their decision time and id, in SQL, with no motion twice', async () => {
      const { engine } = world.service.governance;
      const seen: string[] = [];
      let before: { decidedAt: string; id: string } | undefined;
      for (;;) {
        const page = await engine.decidedPage({ limit: 2, ...(before ? { before } : {}) });
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((motion) => motion.id));
        if (!page.next) break;
        before = page.next;
      }
      assert.equal(seen.length, 5);
      assert.equal(new Set(seen).size, 5);
      assert.deepEqual(seen.slice(0, 2), [world.amendment, world.suspension]);
      const amendment = await engine.motion(world.amendment);
      const after = await get(
        `/portal/board?before=${encodeURIComponent(`${amendment.decidedAt}|${amendment.id}`)}`,
      ).expect(200);
      const listed = [...after.text.matchAll(/<tr data-motion-id="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(listed, seen.slice(1));
      assert.equal(hrefOf(after.text, 'first-page'), '/portal/board');
    });

    it('shows each vote as its signed statement, with the key and a recipe that verifies it', async () => {
      const page = await get(`/portal/board/motions/${world.suspension}`).expect(200);
      assert.equal(textOf(page.text, 'motion-status'), 'Approved');
      assert.equal(textOf(page.text, 'motion-tally'), '2 for, 0 against');
      assert.match(textOf(page.text, 'motion-outcome'), /^Enough approvals.*\(thresholds_met\)$/s);
      const stored = await world.service.governance.engine.motion(world.suspension);
      assert.equal(stored.votes.length, 2);
      for (const vote of stored.votes) {
        assert.ok(page.text.includes(`data-voter="${vote.voter}"`));
        assert.ok(page.text.includes(`<code class="statement">${vote.statement}</code>`), 'the JWS verbatim');
        const { kid, alg } = decodeProtectedHeader(vote.statement);
        assert.ok(page.text.includes(`<code>${kid}</code>`), 'the key id is shown');
        // The recipe: the key of the voter's DID (did:jwk: the DID holds it) verifies the statement.
        const jwk = JSON.parse(
          Buffer.from(vote.voter.slice('did:jwk:'.length), 'base64url').toString('utf8'),
        );
        const verified = await compactVerify(vote.statement, await importJWK(jwk, alg));
        const payload = JSON.parse(new TextDecoder().decode(verified.payload));
        assert.equal(payload.motion, world.suspension);
        assert.equal(payload.decision, 'approve');
      }
      assert.ok(page.text.includes(`curl -s 'http://localhost:3000/api/v1/motions/${world.suspension}'`));
      const missing = await get('/portal/board/motions/no-such-motion').expect(404);
      assert.equal(errorCodeOf(missing.text), 'not_found');
    });
  });

  describe('the audit log', () => {
    it('shows the chain verified against the latest signed checkpoint, and pages by links', async () => {
      const page = await get('/portal/audit').expect(200);
      assert.match(page.text, /id="chain-status" data-valid="true"/);
      assert.match(textOf(page.text, 'chain-status'), /The chain is intact\./);
      const head = await world.service.audit.head();
      const checkpoint = textOf(page.text, 'checkpoint');
      assert.ok(checkpoint.includes((await world.service.audit.latestCheckpoint())?.headHash as string));
      const entries = [...page.text.matchAll(/<tr data-sequence="(\d+)"/g)].map((m) => Number(m[1]));
      assert.deepEqual(
        entries,
        Array.from({ length: Math.min(50, head.size) }, (_, i) => i + 1),
      );
      if (head.size > 50) {
        const next = await get(hrefOf(page.text, 'next-page')).expect(200);
        assert.equal(/<tr data-sequence="(\d+)"/.exec(next.text)?.[1], '51');
      }
      assert.equal(errorCodeOf((await get('/portal/audit?after=-1').expect(400)).text), 'invalid_query');
    });
  });

  describe('the audit log, tampered with', () => {
    it('says the chain does not verify, names the first bad entry and the problem’s code', async function () {
      this.timeout(60_000);
      const service = await openTestService(await fresh());
      try {
        await seatBoard(service, 3);
        await service.audit.checkpoint();
        await dropAppendOnlyTriggers(service.dataSource);
        await service.dataSource.query(
          `UPDATE audit_entry SET actor = 'did:key:z6MkImpostor' WHERE sequence = 2`,
        );
        const page = await request(service.app.callback()).get('/portal/audit').expect(200);
        assert.match(page.text, /id="chain-status" data-valid="false"/);
        assert.match(page.text, /role="alert"/);
        assert.equal(textOf(page.text, 'chain-problem'), 'altered');
        assert.match(textOf(page.text, 'chain-status'), /the first bad entry is number 2\./);
      } finally {
        await service.close();
      }
    });
  });

  describe('languages (issue 14 item 5)', () => {
    it('speaks German to a browser that asks for it, with dates and numbers in German', async () => {
      const page = await get(
        `/portal/members/${encodeURIComponent(world.city)}`,
        'de-DE,de;q=0.9,en;q=0.5',
      ).expect(200);
      assert.match(page.text, /<html lang="de">/);
      assert.match(page.text, /<dt>Mitglied seit<\/dt>/);
      assert.equal(textOf(page.text, 'member-status'), 'Aktiv');
      assert.match(page.text, /<time datetime="[^"]+">\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} UTC<\/time>/);
      assert.equal(page.headers.vary?.includes('Accept-Language'), true);
      const english = await get(`/portal/members/${encodeURIComponent(world.city)}`, 'fr, en;q=0.5').expect(
        200,
      );
      assert.match(english.text, /<html lang="en">/);
      assert.match(
        english.text,
        /<time datetime="[^"]+">[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M UTC<\/time>/,
      );
    });

    it('switches language with a link that sets a cookie and comes back to the page', async () => {
      const page = await get('/portal/members?status=active').expect(200);
      const link = /<a lang="de" hreflang="de" href="([^"]+)"/.exec(page.text)?.[1]?.replaceAll('&amp;', '&');
      assert.ok(link, 'the page links its German version');
      const switched = await get(link).expect(303);
      assert.equal(switched.headers.location, '/portal/members?status=active');
      const cookie = (switched.headers['set-cookie'] as unknown as string[]).find((c) =>
        c.startsWith('portal_lang='),
      );
      assert.ok(cookie);
      assert.match(cookie, /^portal_lang=de;/);
      assert.match(cookie, /path=\/portal/i);
      assert.match(cookie, /httponly/i);
      assert.match(cookie, /samesite=lax/i);
      const german = await get('/portal/members?status=active', 'en')
        .set('Cookie', cookie.split(';')[0] as string)
        .expect(200);
      assert.match(german.text, /<h1>Mitgliederverzeichnis<\/h1>/, 'the cookie wins over Accept-Language');
      assert.match(german.text, /<span lang="de" aria-current="true"><strong>Deutsch<\/strong><\/span>/);

      const elsewhere = await get('/portal/language?lang=de&return=//evil.example/').expect(303);
      assert.equal(elsewhere.headers.location, '/portal/');
      assert.equal(errorCodeOf((await get('/portal/language?lang=xx').expect(400)).text), 'invalid_query');
    });

    it('marks the language cookie Secure outside development, even behind a plain-HTTP proxy', async function () {
      this.timeout(60_000);
      const service = await openTestService(await fresh(), { PUBLIC_URL: 'https://trust.example' });
      try {
        const switched = await request(service.app.callback()).get('/portal/language?lang=de').expect(303);
        const cookie = (switched.headers['set-cookie'] as unknown as string[]).find((c) =>
          c.startsWith('portal_lang='),
        );
        assert.match(cookie ?? '', /;\s*secure/i);
      } finally {
        await service.close();
      }
    });

    it('renders the citizen’s pages from the catalogues too', async () => {
      const login = await get('/portal/consents', 'de').expect(200);
      assert.match(login.text, /<h1>Ihre Einwilligungen einsehen und verwalten<\/h1>/);
      assert.match(login.text, /Mit meiner Wallet anmelden/);
      const english = await get('/portal/consents').expect(200);
      assert.match(english.text, /<h1>See and manage your consents<\/h1>/);
    });
  });
});
