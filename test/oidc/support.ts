/**
 * End-to-end actors for the wallet login: the service on a real port (openid-client fetches
 * discovery, and the issuer must match PUBLIC_URL exactly), a browser with a cookie jar, a
 * relying party (openid-client) and a wallet holding a MembershipCredential.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import type { Service } from '../../src/service.js';
import { createWallet, type Wallet } from '../../src/wallet/index.js';
import type { TestDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';

export const REDIRECT_URI = 'http://localhost:8999/callback';

export interface Running {
  readonly service: Service;
  readonly server: Server;
  readonly publicUrl: string;
  readonly issuer: string;
  close(): Promise<void>;
}

/** The service listening on a free port, PUBLIC_URL set to it. */
export async function startService(
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<Running> {
  let handler:
    | ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void)
    | undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const publicUrl = `http://localhost:${port}`;
  const service = await openTestService(database, { PUBLIC_URL: publicUrl, ...env });
  handler = service.app.callback();
  return {
    service,
    server,
    publicUrl,
    issuer: `${publicUrl}/oidc`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
    },
  };
}

/** A browser: a cookie jar (host-wide, enough for one origin) and redirects followed on the service's origin only. */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly origin: string) {}

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (url.startsWith(this.origin) && this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects while they stay on the service; returns the last response and its URL. */
  async navigate(start: string): Promise<{ response: Response; url: string }> {
    let url = start;
    for (let hops = 0; hops < 10; hops++) {
      const response = await this.request(url);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url };
      url = new URL(location, url).href;
      if (!url.startsWith(this.origin)) return { response, url };
    }
    throw new Error('too many redirects');
  }
}

export function unescapeHtml(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&');
}

/** The same-device link and cross-device URL of a login page. */
export function walletUrls(html: string): { sameDevice: string; crossDevice: string } {
  const same = /id="same-device" href="([^"]+)"/.exec(html)?.[1];
  const cross = /id="cross-device-url">([^<]+)</.exec(html)?.[1];
  if (!same || !cross) throw new Error('not a login page');
  return { sameDevice: unescapeHtml(same), crossDevice: unescapeHtml(cross) };
}

export async function newWallet(): Promise<Wallet> {
  return createWallet({
    dir: join(mkdtempSync(join(tmpdir(), 'dst-wallet-')), 'w'),
    passphrase: 'correct horse battery',
  });
}

export const ORGANISATION = 'City of Example';

/** A MembershipCredential from the service, stored in the wallet; returns its id. */
export async function giveMembership(
  service: Service,
  wallet: Wallet,
  overrides: { validFrom?: Date; validUntil?: Date } = {},
): Promise<string> {
  const issued = await service.credentials.issuer.issue({
    type: 'MembershipCredential',
    format: 'jwt_vc_json',
    subject: {
      id: wallet.did,
      legalName: ORGANISATION,
      roles: ['data-provider', 'public-authority'],
      sides: ['supply'],
      memberSince: '2026-01-01T00:00:00Z',
      rulebookVersion: (await service.rulebook.store.current()).rulebook.version,
    },
    ...overrides,
  });
  await wallet.addCredential(issued.jwt);
  return issued.id;
}

/** A relying party registered with the service, as openid-client sees it. */
export async function relyingParty(
  running: Running,
  scopes: readonly string[] = ['membership', 'board', 'offline_access'],
  clientId = 'portal',
): Promise<client.Configuration> {
  const registered = await running.service.oidc.clients.add({
    clientId,
    redirectUris: [REDIRECT_URI],
    scopes,
  });
  const secret = registered.client_secret as string;
  return client.discovery(
    new URL(running.issuer),
    clientId,
    { client_secret: secret, id_token_signed_response_alg: 'ES256' },
    client.ClientSecretBasic(secret),
    { execute: [client.allowInsecureRequests] },
  );
}

export interface StartedLogin {
  readonly authorizationUrl: URL;
  readonly verifier: string;
  readonly state: string;
}

export async function startLogin(
  config: client.Configuration,
  scope: string,
  extra: Record<string, string> = {},
): Promise<StartedLogin> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...extra,
  });
  return { authorizationUrl, verifier, state };
}
