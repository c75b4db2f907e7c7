/**
 * The redirect URIs of members' apps. A member registers them through its connector
 * (`PUT /api/v1/connectors/me/redirect-uris`, redirect-uri-routes.ts); with at least one, its DID
 * client may also use the authorization code flow (member-clients.ts), and oidc-provider sends
 * the browser back to a registered URI only, compared exactly (RFC 6749 §3.1.2.2, OAuth 2.0
 * Security BCP §4.1.3): an unregistered one is refused with `invalid_redirect_uri` and nothing is
 * sent to it.
 *
 * Rules for each URI, refused with `invalid_redirect_uri`: an absolute URL of at most 500
 * characters; `https` (plain `http` only in development mode); no fragment (RFC 6749 §3.1.2);
 * no user name or password; written as its own canonical form (WHATWG URL serialisation), so
 * that the exact match compares what the member meant. At most 10 URIs, no duplicates.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction, reading } from '../db/index.js';
import { BadRequestError } from '../http/index.js';
import { MemberRedirectUriEntity } from './entities.js';

export const MAX_REDIRECT_URIS = 10;
const MAX_URI_LENGTH = 500;

/** An entry of the audit log (ids and URLs: the member's, never a citizen's). */
export interface RedirectUriAuditEntry {
  readonly kind: string;
  readonly actor: string;
  readonly subject: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The audit log: `append` writes in the caller's transaction. */
export interface RedirectUriAudit {
  append(entry: RedirectUriAuditEntry, manager: EntityManager): Promise<unknown>;
}

export const REDIRECT_URIS_SET = 'member.redirect_uris.set';

function refuse(detail: string): never {
  throw new BadRequestError('invalid_redirect_uri', detail);
}

/** Checks one URI against the rules above; returns it unchanged. */
export function checkRedirectUri(value: unknown, developmentMode: boolean): string {
  if (typeof value !== 'string' || value.length === 0) refuse('a redirect URI is a non-empty string');
  if (value.length > MAX_URI_LENGTH) refuse(`a redirect URI has at most ${MAX_URI_LENGTH} characters`);
  if (value.includes('#')) refuse(`${value}: a redirect URI has no fragment`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    refuse(`${value} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && !(developmentMode && url.protocol === 'http:')) {
    refuse(`${value}: redirect URIs use https${developmentMode ? ' (or http in development mode)' : ''}`);
  }
  if (url.username !== '' || url.password !== '')
    refuse(`${value}: a redirect URI has no user name or password`);
  if (url.href !== value) refuse(`${value} is not in canonical form: register ${url.href}`);
  return value;
}

/** Checks a whole list (`{ redirectUris }`); throws problem errors with stable codes. */
export function checkRedirectUris(body: unknown, developmentMode: boolean): string[] {
  const list = (body as { redirectUris?: unknown } | null)?.redirectUris;
  if (!Array.isArray(list)) throw new BadRequestError('invalid_request', 'redirectUris must be an array');
  if (list.length > MAX_REDIRECT_URIS)
    throw new BadRequestError('invalid_request', `at most ${MAX_REDIRECT_URIS} redirect URIs`);
  const uris = list.map((value) => checkRedirectUri(value, developmentMode));
  if (new Set(uris).size !== uris.length) refuse('a redirect URI is listed twice');
  return uris;
}

/** The members' redirect URIs in the database. */
export class MemberRedirectUris {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date,
  ) {}

  /** The URIs `did` registered, in the order it sent them. */
  async of(did: string): Promise<string[]> {
    const rows = await reading(this.dataSource, undefined, (manager) =>
      manager
        .getRepository(MemberRedirectUriEntity)
        .find({ where: { memberDid: did }, order: { position: 'ASC' } }),
    );
    return rows.map((row) => row.redirectUri);
  }

  /** Replaces the member's URIs (checked already) and audits it, in one transaction. */
  async replace(did: string, uris: readonly string[], audit: RedirectUriAudit): Promise<string[]> {
    const at = this.now().toISOString();
    await inTransaction(this.dataSource, undefined, async (manager) => {
      const repository = manager.getRepository(MemberRedirectUriEntity);
      await repository.delete({ memberDid: did });
      if (uris.length > 0) {
        await repository.insert(
          uris.map((redirectUri, position) => ({ memberDid: did, redirectUri, position, createdAt: at })),
        );
      }
      await audit.append(
        { kind: REDIRECT_URIS_SET, actor: did, subject: did, data: { redirectUris: [...uris] } },
        manager,
      );
    });
    return [...uris];
  }
}
