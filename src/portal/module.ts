/**
 * The portal, assembled (docs/portal.md): server-rendered pages for people, a face like the CLI
 * that composes capabilities and holds no rule of its own. For now: the citizen's consent
 * dashboard, its sessions, and its login through the service's own OpenID Connect provider;
 * and the public pages (directory, trusted issuers, rulebook, board, audit log), in English
 * and German.
 */
import { hkdfSync } from 'node:crypto';
import type Router from '@koa/router';
import type { DataSource } from 'typeorm';
import type { ApplySources } from '../compose/application.js';
import type { Citizen, ConsentRegister } from '../consent/index.js';
import type { SweepTarget } from '../db/index.js';
import { applyRoutes } from './apply/routes.js';
import { type SeatSources, seatRoutes } from './board/seat-routes.js';
import { type WorkspaceSources, workspaceRoutes } from './board/workspace-routes.js';
import { type PublicSources, publicRoutes } from './public/routes.js';
import { type LoginClaims, openIdRelyingParty, type RelyingParty } from './relying-party.js';
import { PORTAL_PATH, portalRoutes } from './routes.js';
import { SessionStore } from './sessions.js';

/** The portal's client at the service's own provider. */
export const PORTAL_CLIENT_ID = 'dataspace-trust-portal';
/** The login scopes of a citizen. */
export const CITIZEN_LOGIN_SCOPE = 'openid citizen';

/** The sessions the service's sweep deletes once expired. */
export const PORTAL_SWEEP_TARGETS: readonly SweepTarget[] = [
  { table: 'portal_session', column: 'expires_at', format: 'iso' },
];

export interface PortalOptions {
  readonly dataSource: DataSource;
  readonly publicUrl: string;
  readonly developmentMode: boolean;
  /** The key-encryption secret (hex): session sealing, CSRF and the client secret derive from it. */
  readonly secretHex: string;
  /** The provider's issuer (`PUBLIC_URL/oidc`). */
  readonly issuer: string;
  readonly consent: ConsentRegister;
  /** The Citizen of a login, from its ID token's claims (the `citizen` scope's). */
  readonly identify: (claims: LoginClaims) => Promise<Citizen>;
  readonly sessionIdleSeconds: number;
  readonly sessionMaxSeconds: number;
  /** What the public pages read (members, trusted issuers, rulebook, board, audit log). */
  readonly sources: PublicSources;
  /**
   * The board's workspace (board/workspace-routes.ts): what it reads and signs with, and the
   * DID of a board login's account (`not_on_board` when it holds no seat). Absent: no workspace.
   */
  readonly workspace?: WorkspaceSources & { readonly boardMemberOf: (accountId: string) => Promise<string> };
  /** Applying for membership (apply/routes.ts): membership, signing requests, offers. Absent: no such pages. */
  readonly apply?: ApplySources;
  /** A board seat's BoardMemberCredential offer (board/seat-routes.ts). Absent: no such page. */
  readonly seat?: SeatSources;
  /** Another relying party (tests); default: openid-client against `issuer`. */
  readonly relyingParty?: RelyingParty;
  readonly now?: () => Date;
}

/** The first-party client the service registers at its own provider at every start. */
export interface PortalClient {
  readonly clientId: string;
  readonly secret: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly scopes: readonly string[];
  readonly clientName: string;
}

export interface Portal {
  readonly routers: readonly Router[];
  readonly sessions: SessionStore;
  /** What the composition root registers at the provider (`ClientRegistry.ensureFirstParty`). */
  readonly client: PortalClient;
}

/** The portal client's secret: derived, so every replica knows it and none stores it. */
export function portalClientSecret(secretHex: string): string {
  return Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(secretHex, 'hex'),
      Buffer.alloc(0),
      'dataspace-trust portal client v1',
      32,
    ),
  ).toString('base64url');
}

/** The key of the application status pages' addresses: derived, so every replica knows it. */
function statusKey(secretHex: string): Buffer {
  return Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(secretHex, 'hex'),
      Buffer.alloc(0),
      'dataspace-trust portal application status v1',
      32,
    ),
  );
}

export function openPortal(options: PortalOptions): Portal {
  const sessions = new SessionStore({
    dataSource: options.dataSource,
    secretHex: options.secretHex,
    idleMs: options.sessionIdleSeconds * 1000,
    absoluteMs: options.sessionMaxSeconds * 1000,
    ...(options.now ? { now: options.now } : {}),
  });
  const redirectUri = `${options.publicUrl}${PORTAL_PATH}/callback`;
  const postLogout = `${options.publicUrl}${PORTAL_PATH}/logged-out`;
  const secret = portalClientSecret(options.secretHex);
  const login =
    options.relyingParty ??
    openIdRelyingParty({
      issuer: options.issuer,
      clientId: PORTAL_CLIENT_ID,
      clientSecret: secret,
      redirectUri,
      scope: CITIZEN_LOGIN_SCOPE,
      allowHttp: options.developmentMode,
      identify: options.identify,
    });
  return {
    routers: [
      portalRoutes({
        publicUrl: options.publicUrl,
        developmentMode: options.developmentMode,
        sessions,
        consent: options.consent,
        login,
        ...(options.workspace ? { boardMemberOf: options.workspace.boardMemberOf } : {}),
      }),
      ...(options.workspace
        ? [
            workspaceRoutes({
              publicUrl: options.publicUrl,
              developmentMode: options.developmentMode,
              base: `${new URL(options.publicUrl).pathname.replace(/\/$/, '')}${PORTAL_PATH}`,
              sessions,
              sources: options.workspace,
              ...(options.now ? { now: options.now } : {}),
            }),
          ]
        : []),
      ...(options.seat
        ? [
            seatRoutes({
              publicUrl: options.publicUrl,
              developmentMode: options.developmentMode,
              base: `${new URL(options.publicUrl).pathname.replace(/\/$/, '')}${PORTAL_PATH}`,
              sessions,
              sources: options.seat,
            }),
          ]
        : []),
      ...(options.apply
        ? [
            applyRoutes({
              publicUrl: options.publicUrl,
              developmentMode: options.developmentMode,
              base: `${new URL(options.publicUrl).pathname.replace(/\/$/, '')}${PORTAL_PATH}`,
              sessions,
              sources: options.apply,
              statusKey: statusKey(options.secretHex),
            }),
          ]
        : []),
      publicRoutes({
        publicUrl: options.publicUrl,
        developmentMode: options.developmentMode,
        base: `${new URL(options.publicUrl).pathname.replace(/\/$/, '')}${PORTAL_PATH}`,
        sessions,
        sources: options.sources,
        ...(options.now ? { now: options.now } : {}),
      }),
    ],
    sessions,
    client: {
      clientId: PORTAL_CLIENT_ID,
      secret,
      redirectUris: [redirectUri],
      postLogoutRedirectUris: [postLogout],
      scopes: [...CITIZEN_LOGIN_SCOPE.split(' '), 'board'],
      clientName: 'Data Space Trust Service portal',
    },
  };
}
