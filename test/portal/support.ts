/**
 * Helpers for the portal's tests: a logged-in citizen's browser session, reading what the
 * pages say (the CSRF token of a form, the error code of a refusal), and the wallet login to
 * the dashboard in a real browser.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Citizen } from '../../src/consent/index.js';
import { createDidResolver } from '../../src/did/index.js';
import { SESSION_COOKIE } from '../../src/portal/index.js';
import type { Service } from '../../src/service.js';
import { type Wallet, walletLogin } from '../../src/wallet/index.js';
import { accessible, WCAG_AA } from '../support/chromium.js';

/**
 * A session of `citizen`, as a login through the provider leaves it (the register's Citizen,
 * from `citizenFromLogin` or the consent tests' `newCitizen`): the cookie header to send.
 */
export async function sessionOf(
  service: Service,
  citizen: Citizen,
  accountId = 'test-account',
): Promise<string> {
  const session = await service.portal.sessions.create({ citizen, accountId });
  return `${SESSION_COOKIE}=${session.id}`;
}

/** The value of the form's hidden CSRF field in `html`. */
export function csrfOf(html: string): string {
  const match = /name="csrf_token" value="([^"]+)"/.exec(html);
  assert.ok(match?.[1], 'the page has a form with a CSRF token');
  return match[1];
}

/** The code a refusal page names. */
export function errorCodeOf(html: string): string | undefined {
  return /<code id="error-code">([^<]+)<\/code>/.exec(html)?.[1];
}

/** The attributes of the session cookie in a response's Set-Cookie headers. */
export function sessionCookie(setCookie: string | string[] | undefined): {
  value: string;
  attributes: Map<string, string>;
} {
  const lines = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const line = lines.find((candidate) => candidate.startsWith(`${SESSION_COOKIE}=`));
  assert.ok(line, `a ${SESSION_COOKIE} cookie is set`);
  const [pair = '', ...rest] = line.split(';');
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const [name = '', ...value] = part.trim().split('=');
    attributes.set(name.toLowerCase(), value.join('='));
  }
  return { value: pair.slice(SESSION_COOKIE.length + 1), attributes };
}

/**
 * The citizen opens the address printed in receipts (`/consents`) and logs in with the holder
 * wallet: the portal's way in, the provider's wallet-login page answered cross-device while the
 * page polls, then back on the dashboard. axe-core checks each page on the way.
 */
export async function dashboardLogin(page: Page, publicUrl: string, wallet: Wallet): Promise<void> {
  await page.goto(`${publicUrl}/consents`);
  assert.equal(new URL(page.url()).pathname, '/portal/consents');
  await accessible(page, 'the way in');
  await page.click('#login');
  await page.waitForURL(/\/oidc\/interaction\//);
  await accessible(page, 'the wallet-login page', WCAG_AA);
  const crossDevice = ((await page.locator('#cross-device-url').textContent()) ?? '').trim();
  const answered = await walletLogin(wallet, crossDevice, {
    resolver: createDidResolver({ developmentMode: true }),
  });
  assert.equal(answered.redirectUri, undefined, 'cross-device: the wallet is not redirected');
  // The login page's script sees the answer, the provider sends the browser to the portal's callback.
  await page.waitForURL(`${publicUrl}/portal/consents`, { timeout: 30_000 });
}

/**
 * With `PORTAL_SCREENSHOTS=<dir>`, saves the page there as `<name>.png` (docs/screenshots/ holds
 * the ones the README shows), from its top unless `keepScroll`; without it, nothing.
 */
export async function screenshot(
  page: Page,
  name: string,
  options: { keepScroll?: boolean } = {},
): Promise<void> {
  const dir = process.env.PORTAL_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  if (!options.keepScroll) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(dir, `${name}.png`) });
}
