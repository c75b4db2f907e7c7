/**
 * The public pages as a person uses them (issue 14 items 1 and 5), in a real headless Chromium:
 * home → the member directory (a search, then a filter) → a member → the rulebook and the diff
 * between the version the board amended and the one before → the board's suspension motion with
 * its signed votes → the audit log, verified against its signed checkpoint. axe-core (every rule
 * it runs by default) finds no violation on any page, in English and in German, on a desktop and
 * at 360 px wide, where no page scrolls sideways.
 *
 * With `PORTAL_SCREENSHOTS=<dir>` the main pages are saved there as PNG (docs/screenshots/ holds
 * the ones the README shows). Needs Debian's chromium; without it the suite is skipped.
 */
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { accessible, launchChromium } from '../support/chromium.js';
import { describeEachDatabase } from '../support/databases.js';
import { type PublicWorld, publicWorld } from './public-support.js';
import { screenshot } from './support.js';

/** No page may scroll sideways (WCAG 1.4.10 Reflow): its content fits the viewport's width. */
async function fitsWidth(page: Page, what: string): Promise<void> {
  const { scroll, client, widest } = await page.evaluate(() => {
    const client = document.documentElement.clientWidth;
    // The innermost elements that stick out, to say where the page is too wide.
    const widest = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > client)
      .filter(
        (element) => ![...element.children].some((child) => child.getBoundingClientRect().right > client),
      )
      .slice(0, 3)
      .map(
        (element) =>
          `${element.tagName.toLowerCase()}.${element.className}: ${element.textContent?.slice(0, 40)}`,
      );
    return { scroll: document.documentElement.scrollWidth, client, widest };
  });
  assert.ok(
    scroll <= client,
    `${what}: ${scroll}px of content in a ${client}px wide viewport (${widest.join('; ')})`,
  );
}

describeEachDatabase('the public pages in a real browser (Chromium)', (fresh) => {
  let browser: Browser | undefined;
  let world: PublicWorld | undefined;
  let server: Server | undefined;
  let origin = '';

  before(async function () {
    this.timeout(240_000);
    browser = await launchChromium(this);
    world = await publicWorld(await fresh());
    server = createServer((world as PublicWorld).service.app.callback());
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await world?.close();
  });

  it('home → directory (search, filter) → a member → rulebook diff → board motion with votes → audit log, axe-clean', async function () {
    this.timeout(180_000);
    const live = world as PublicWorld;
    const context = await (browser as Browser).newContext({
      viewport: { width: 1100, height: 800 },
      locale: 'en-GB',
    });
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/portal/`);
      assert.equal(await page.locator('h1').textContent(), 'The data space’s trust service');
      await accessible(page, 'the home page');
      await screenshot(page, 'home');

      await page.click('#home-members');
      await page.waitForURL(/\/portal\/members$/);
      await accessible(page, 'the member directory');
      await screenshot(page, 'directory');
      await page.fill('#q', 'city');
      await Promise.all([page.waitForURL(/q=city/), page.click('#search')]);
      assert.deepEqual(
        await page
          .locator('#members tbody tr')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-did'))),
        [live.city],
      );
      await page.fill('#q', '');
      await page.selectOption('#status', 'suspended');
      await Promise.all([page.waitForURL(/status=suspended/), page.click('#search')]);
      const rows = page.locator('#members tbody tr');
      assert.equal(await rows.count(), 1);
      assert.equal(await rows.first().getAttribute('data-did'), live.provider);
      await accessible(page, 'the filtered directory');

      await Promise.all([page.waitForURL(/\/portal\/members\/did/), rows.first().locator('a').click()]);
      assert.equal(await page.locator('#member-name').textContent(), 'Data Provider Ltd');
      assert.equal(await page.locator('#member-status').textContent(), 'Suspended');
      assert.match((await page.locator('#history').textContent()) ?? '', /Admitted.*Suspended/s);
      await accessible(page, 'a member’s page');
      await screenshot(page, 'member');

      await page.click('nav[aria-label="Portal"] >> text=Rulebook');
      await page.waitForURL(/\/portal\/rulebook$/);
      assert.equal(await page.locator('#rulebook-version').textContent(), '1.2.0');
      await accessible(page, 'the rulebook');
      await screenshot(page, 'rulebook');
      await page.selectOption('#diff-from', '1.1.0');
      await page.selectOption('#diff-to', '1.2.0');
      await Promise.all([
        page.waitForURL(/\/portal\/rulebook\/diff\?from=1\.1\.0&to=1\.2\.0/),
        page.click('#compare'),
      ]);
      const removed = await page.locator('.diff li.removed').allTextContents();
      const added = await page.locator('.diff li.added').allTextContents();
      assert.ok(
        removed.some((line) => /^Removed: − +"renewalWindowDays": 60$/.test(line)),
        removed.join('\n'),
      );
      assert.ok(
        added.some((line) => /^Added: \+ +"renewalWindowDays": 45$/.test(line)),
        added.join('\n'),
      );
      // The marker is visible text, not only colour: the screen-reader words are hidden visually.
      assert.equal(await page.locator('.diff li.added .visually-hidden').first().isVisible(), true);
      await accessible(page, 'the rulebook diff');
      await screenshot(page, 'rulebook-diff');

      await page.click('nav[aria-label="Portal"] >> text=Board');
      await page.waitForURL(/\/portal\/board$/);
      await accessible(page, 'the board');
      await Promise.all([
        page.waitForURL(new RegExp(`/portal/board/motions/${live.suspension}$`)),
        page.click(`tr[data-motion-id="${live.suspension}"] a`),
      ]);
      assert.equal(await page.locator('#motion-status').textContent(), 'Approved');
      assert.equal(await page.locator('#votes > li').count(), 2);
      await page.locator('#votes details summary').first().click();
      const statement = (await page.locator('#votes code.statement').first().textContent()) ?? '';
      const stored = await live.service.governance.engine.motion(live.suspension);
      assert.ok(
        stored.votes.some((vote) => vote.statement === statement),
        'the signed vote, verbatim',
      );
      await accessible(page, 'a motion with its votes');
      await screenshot(page, 'motion');

      await page.click('nav[aria-label="Portal"] >> text=Audit log');
      await page.waitForURL(/\/portal\/audit$/);
      assert.equal(await page.locator('#chain-status').getAttribute('data-valid'), 'true');
      assert.match((await page.locator('#chain-status').textContent()) ?? '', /The chain is intact\./);
      await accessible(page, 'the audit log');
      await screenshot(page, 'audit');

      // The switch: the same page in German, and the choice kept.
      await Promise.all([page.waitForURL(/\/portal\/audit$/), page.click('a[lang="de"]')]);
      assert.equal(await page.getAttribute('html', 'lang'), 'de');
      assert.match((await page.locator('#chain-status').textContent()) ?? '', /Die Kette ist unversehrt\./);
      await accessible(page, 'the audit log in German');
      await page.click('nav[aria-label="Portal"] >> text=Mitglieder');
      await page.waitForURL(/\/portal\/members$/);
      assert.equal(await page.locator('h1').textContent(), 'Mitgliederverzeichnis');
      await accessible(page, 'the member directory in German');
      await screenshot(page, 'directory-de');
    } finally {
      await context.close();
    }
  });

  it('on a phone (360 px wide) no page scrolls sideways, in English and German, axe-clean', async function () {
    this.timeout(180_000);
    const live = world as PublicWorld;
    for (const language of ['en', 'de']) {
      const context = await (browser as Browser).newContext({
        viewport: { width: 360, height: 740 },
        deviceScaleFactor: 1,
        isMobile: true,
        hasTouch: true,
        locale: language,
        extraHTTPHeaders: { 'Accept-Language': language },
      });
      const page = await context.newPage();
      try {
        for (const path of [
          '/portal/',
          '/portal/members',
          `/portal/members/${encodeURIComponent(live.provider)}`,
          '/portal/issuers',
          '/portal/rulebook',
          '/portal/rulebook/diff?from=1.1.0&to=1.2.0',
          '/portal/board',
          `/portal/board/motions/${live.suspension}`,
          '/portal/audit',
        ]) {
          await page.goto(`${origin}${path}`);
          assert.equal(await page.getAttribute('html', 'lang'), language, path);
          await fitsWidth(page, `${path} (${language})`);
          await accessible(page, `${path} at 360 px (${language})`);
        }
        if (language === 'en') {
          await page.goto(`${origin}/portal/members/${encodeURIComponent(live.provider)}`);
          await screenshot(page, 'member-phone');
        }
      } finally {
        await context.close();
      }
    }
  });
});
