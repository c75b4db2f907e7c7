/**
 * A board seat's BoardMemberCredential, received in the browser (issue 14; docs/portal.md,
 * "Receiving a seat's BoardMemberCredential"): the seat holder chooses its seat on
 * `/portal/board/seat`, its holder wallet redeems the OpenID4VCI offer the page shows (no
 * transaction code: only a key of the seat's DID can receive it), and logs in to the board's
 * workspace with it. Another wallet is refused `invalid_proof`; a DID without a seat gets no
 * offer (`not_on_board`, `credential_request_denied`).
 */
import { strict as assert } from 'node:assert';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { createDidResolver } from '../../src/did/index.js';
import type { Wallet } from '../../src/wallet/index.js';
import { receiveCredential, walletLogin } from '../../src/wallet/index.js';
import { newWallet, type Running, startService } from '../oidc/support.js';
import { accessible, launchChromium, WCAG_AA } from '../support/chromium.js';
import { describeEachDatabase } from '../support/databases.js';
import { csrfOf, errorCodeOf, screenshot } from './support.js';

const BOARD_CONFIGURATION = 'BoardMemberCredential_jwt_vc_json';

describeEachDatabase(
  'receiving a board seat’s BoardMemberCredential in a real browser (Chromium)',
  (fresh) => {
    let browser: Browser | undefined;
    let running: Running;
    let ada: Wallet;
    let seatCredentialId: string;

    before(async function () {
      this.timeout(120_000);
      browser = await launchChromium(this);
      running = await startService(await fresh());
      ada = await newWallet();
      // The operator seats the founding board (`dataspace-trust board add`); the credential it
      // prints is not given to the wallet: the wallet receives it through the portal.
      const seated = await running.service.governance.board.addFounding({ did: ada.did, name: 'Ada' });
      seatCredentialId = seated.member.credentialId as string;
      assert.ok(seatCredentialId);
    });
    after(async () => {
      await browser?.close();
      await running?.close();
    });

    /** Chooses Ada's seat on the page and answers the offer link it shows. */
    async function seatOffer(page: Page): Promise<string> {
      await page.goto(`${running.publicUrl}/portal/board/seat`);
      await accessible(page, 'the seat page');
      await screenshot(page, 'board-seat');
      await page.locator(`input[name="seat"][value="${ada.did}"]`).check();
      await page.click('#show-seat-offer');
      await page.waitForSelector('#offer-link');
      await accessible(page, 'the seat’s offer');
      await screenshot(page, 'board-seat-offer');
      assert.equal(
        await page.locator('#tx-code').count(),
        0,
        'no transaction code: the DID’s key is the proof',
      );
      assert.match((await page.locator('#seat-holder').textContent()) ?? '', /Ada/);
      return ((await page.locator('#offer-link').textContent()) ?? '').trim();
    }

    it('the seat holder’s wallet receives the seat’s credential of record from the page’s offer and logs in to the workspace with it', async function () {
      this.timeout(60_000);
      const page = await (await (browser as Browser).newContext()).newPage();
      try {
        const link = await seatOffer(page);
        assert.match(link, /^openid-credential-offer:\/\/\?credential_offer_uri=/);
        const received = await receiveCredential(ada, link);
        assert.equal(received.configurationId, BOARD_CONFIGURATION);
        const stored = ada.credentials().find((c) => c.type === 'BoardMemberCredential');
        assert.ok(stored, 'the wallet holds a BoardMemberCredential');
        // The credential of record, signed again: its id and status entry are the seat's.
        assert.equal(stored.id, seatCredentialId);
        assert.equal(stored.subject, ada.did);
        const verified = await request(running.service.app.callback())
          .post('/api/v1/credentials/verify')
          .send({ credential: stored.jwt })
          .expect(200);
        assert.equal(verified.body.verified, true, JSON.stringify(verified.body.checks));

        await page.goto(`${running.publicUrl}/portal/board/workspace`);
        await page.click('#board-login');
        await page.waitForURL(/\/oidc\/interaction\//);
        await accessible(page, 'the wallet-login page', WCAG_AA);
        const crossDevice = ((await page.locator('#cross-device-url').textContent()) ?? '').trim();
        await walletLogin(ada, crossDevice, { resolver: createDidResolver({ developmentMode: true }) });
        await page.waitForURL(`${running.publicUrl}/portal/board/workspace`, { timeout: 30_000 });
        assert.match((await page.textContent('main')) ?? '', /Ada/);
      } finally {
        await page.context().close();
      }
    });

    it('refuses a wallet without the seat DID’s key (invalid_proof) and issues nothing', async function () {
      this.timeout(60_000);
      const page = await (await (browser as Browser).newContext()).newPage();
      try {
        const link = await seatOffer(page);
        const eve = await newWallet();
        await assert.rejects(receiveCredential(eve, link), (error: unknown) => {
          assert.equal((error as { code?: string }).code, 'invalid_proof', String(error));
          return true;
        });
        assert.equal(eve.credentials().length, 0);
      } finally {
        await page.context().close();
      }
    });

    it('makes no offer for a DID without a seat (not_on_board), nor without the CSRF token (csrf_token_missing)', async function () {
      this.timeout(30_000);
      const agent = request.agent(running.service.app.callback());
      const form = await agent.get('/portal/board/seat').expect(200);
      const csrf = csrfOf(form.text);
      const stranger = await newWallet();
      const refused = await agent
        .post('/portal/board/seat')
        .type('form')
        .send({ csrf_token: csrf, seat: stranger.did });
      assert.equal(refused.status, 403);
      assert.equal(errorCodeOf(refused.text), 'not_on_board');
      const unsigned = await agent.post('/portal/board/seat').type('form').send({ seat: ada.did });
      assert.equal(unsigned.status, 403);
      assert.equal(errorCodeOf(unsigned.text), 'csrf_token_missing');
      assert.doesNotMatch(unsigned.text, /openid-credential-offer/);
    });

    it('counts the seat page with the wallet logins per address: past the limit 429, and no session is written', async function () {
      this.timeout(60_000);
      const limited = await startService(await fresh(), { RATE_LIMIT_PER_ADDRESS: '2' });
      try {
        const app = limited.service.app.callback();
        const sessions = async () =>
          Number(
            (await limited.service.dataSource.query('SELECT COUNT(*) AS n FROM portal_session'))[0]?.n ??
              Number.NaN,
          );
        await request(app).get('/portal/board/seat').expect(200);
        await request(app).get('/portal/board/seat').expect(200);
        const before = await sessions();
        const refused = await request(app).get('/portal/board/seat');
        assert.equal(refused.status, 429);
        assert.ok(refused.headers['retry-after']);
        assert.equal(refused.body.code, 'rate_limited');
        assert.equal(await sessions(), before);
      } finally {
        await limited.close();
      }
    });

    it('the issuer offers a seat’s credential only to an active seat, and one credential type per offer', async () => {
      const oid4vci = running.service.oid4vci;
      const stranger = await newWallet();
      await assert.rejects(
        oid4vci.offerTo(stranger.did, { configurations: [BOARD_CONFIGURATION] }),
        (error: { error?: string }) => error.error === 'credential_request_denied',
      );
      await assert.rejects(
        oid4vci.offerTo(ada.did, {
          configurations: [BOARD_CONFIGURATION, 'MembershipCredential_jwt_vc_json'],
        }),
        (error: { error?: string }) => error.error === 'unknown_credential_configuration',
      );
      // A seat holder is not a member: the default offer (the MembershipCredential) is refused.
      await assert.rejects(
        oid4vci.offerTo(ada.did),
        (error: { error?: string }) => error.error === 'credential_request_denied',
      );
      const metadata = await request(running.service.app.callback())
        .get('/.well-known/openid-credential-issuer')
        .expect(200);
      const board = metadata.body.credential_configurations_supported[BOARD_CONFIGURATION];
      assert.equal(board.format, 'jwt_vc_json');
      // By offer only: no scope, so the authorization code grant (which proves membership) cannot ask for it.
      assert.equal(board.scope, undefined);
      assert.deepEqual(board.credential_definition.type, ['VerifiableCredential', 'BoardMemberCredential']);
      assert.equal(board.credential_metadata.display[0].name, 'Seat on the data space board');
    });
  },
);
