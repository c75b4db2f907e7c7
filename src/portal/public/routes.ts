/**
 * The portal's public pages (issue 14 item 1; docs/portal.md "Public pages"): no login, plain
 * GET pages and links, read through the capabilities' own read methods, each one page of rows
 * at most. The portal decides nothing here: what a member is, who may issue what, whether the
 * log verifies, is the capabilities' answer, shown as it is.
 *
 * - `GET /portal/` home; `GET /portal/language?lang=&return=` the language switch;
 * - `GET /portal/members[?q&role&side&status&after]`, `GET /portal/members/{did}`;
 * - `GET /portal/issuers[?after]`;
 * - `GET /portal/rulebook`, `/portal/rulebook/versions/{version}`, `/portal/rulebook/diff?from&to`;
 * - `GET /portal/board[?before]`, `/portal/board/motions/{id}`;
 * - `GET /portal/audit[?after]`.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AuditLog, AuditVerification, StoredCheckpoint } from '../../audit/index.js';
import type { Board } from '../../governance/board.js';
import type { GovernanceEngine } from '../../governance/engine.js';
import { ProblemError } from '../../http/errors.js';
import type { MemberRegistry } from '../../membership/members.js';
import { diffRulebooks, type RulebookStore } from '../../rulebook/index.js';
import type { TrustRegistry } from '../../trust/index.js';
import { PortalError } from '../errors.js';
import { html, portalFrame, stateOf } from '../frame.js';
import { isLocale, LANGUAGE_COOKIE } from '../i18n/index.js';
import { safeReturn } from '../return-path.js';
import type { SessionStore } from '../sessions.js';
import { auditPage } from './audit.js';
import { boardPage, motionPage } from './board.js';
import { directoryPage, MEMBER_STATUSES, memberPage, SIDES } from './directory.js';
import { homePage } from './home.js';
import { issuersPage } from './issuers.js';
import { notFoundPage } from './not-found.js';
import { rulebookDiffPage, rulebookPage } from './rulebook.js';

/** What the public pages read, each through its capability's own methods. */
export interface PublicSources {
  readonly members: Pick<MemberRegistry, 'list' | 'get'>;
  readonly trust: Pick<TrustRegistry, 'page' | 'get'>;
  readonly rulebook: Pick<RulebookStore, 'current' | 'get' | 'versions'>;
  readonly motions: Pick<GovernanceEngine, 'decidedPage' | 'motion'>;
  readonly board: Pick<Board, 'list'>;
  readonly audit: Pick<AuditLog, 'page' | 'about' | 'verify' | 'head' | 'latestCheckpoint'>;
}

export interface PublicRouteDeps {
  readonly publicUrl: string;
  readonly developmentMode: boolean;
  readonly base: string;
  readonly sessions: SessionStore;
  readonly sources: PublicSources;
  /** How long a verification of the audit chain is shown before it is run again (default 30 s). */
  readonly verifyEveryMs?: number;
  readonly now?: () => Date;
}

const PAGE_SIZE = 20;
const AUDIT_PAGE_SIZE = 50;
const WHOLE_NUMBER = /^(0|[1-9][0-9]{0,14})$/;
const ONE_YEAR_MS = 365 * 86_400_000;

/** A single query parameter, at most `max` characters, or `invalid_query`. */
function param(ctx: Context, name: string, max = 500): string | undefined {
  const value = ctx.query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > max)
    throw new PortalError('invalid_query', `${name} must be one value of at most ${max} characters`);
  return value;
}

function oneOf<T extends string>(ctx: Context, name: string, allowed: readonly T[]): T | undefined {
  const value = param(ctx, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new PortalError('invalid_query', `${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export function publicRoutes(deps: PublicRouteDeps): Router {
  const router = new Router();
  const { base, sources } = deps;
  const now = deps.now ?? (() => new Date());
  const apiBase = deps.publicUrl;
  const frame = portalFrame({ sessions: deps.sessions, base });
  const P = '/portal';

  router.get(`${P}/`, frame, (ctx) => html(ctx, homePage(stateOf(ctx).page)));

  router.get(`${P}/language`, frame, (ctx) => {
    const lang = ctx.query.lang;
    if (!isLocale(lang)) throw new PortalError('invalid_query', 'lang must be one of the portal’s languages');
    // As the session cookie: Secure outside development even when a proxy speaks plain HTTP to us.
    if (!deps.developmentMode) ctx.cookies.secure = true;
    ctx.cookies.set(LANGUAGE_COOKIE, lang, {
      httpOnly: true,
      secure: !deps.developmentMode,
      sameSite: 'lax',
      path: base,
      signed: false,
      overwrite: true,
      expires: new Date(now().getTime() + ONE_YEAR_MS),
    });
    const target = safeReturn(ctx.query.return, base, `${base}/`);
    ctx.status = 303;
    ctx.redirect(target);
  });

  const roleList = async () =>
    (await sources.rulebook.current()).rulebook.roles.map(({ id, title }) => ({ id, title }));

  router.get(`${P}/members`, frame, async (ctx) => {
    const query = {
      q: param(ctx, 'q', 200),
      role: param(ctx, 'role', 200),
      side: oneOf(ctx, 'side', SIDES),
      status: oneOf(ctx, 'status', MEMBER_STATUSES),
      after: param(ctx, 'after'),
    };
    const roles = await roleList();
    // A role the rulebook in force does not define (an old link) filters nothing, as the form shows it.
    const role = roles.some(({ id }) => id === query.role) ? query.role : undefined;
    const result = await sources.members.list({
      limit: PAGE_SIZE,
      ...(query.q ? { name: query.q } : {}),
      ...(role ? { role } : {}),
      ...(query.side ? { side: query.side } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.after ? { after: query.after } : {}),
    });
    html(ctx, directoryPage(stateOf(ctx).page, { ...query, role }, roles, result));
  });

  router.get(`${P}/members/:did`, frame, async (ctx) => {
    const did = ctx.params.did as string;
    const { page } = stateOf(ctx);
    let member: Awaited<ReturnType<PublicSources['members']['get']>>;
    try {
      member = await sources.members.get(did);
    } catch (error) {
      if (error instanceof ProblemError && error.status === 404)
        return html(ctx, notFoundPage(page, 'member', did), 404);
      throw error;
    }
    const [history, issuer, roles] = await Promise.all([
      sources.audit.about(did, { kindPrefix: 'member.', limit: 100 }),
      sources.trust.get(did),
      roleList(),
    ]);
    html(ctx, memberPage(page, member, roles, history, issuer?.source === 'member' ? issuer : undefined));
  });

  router.get(`${P}/issuers`, frame, async (ctx) => {
    const after = param(ctx, 'after');
    const result = await sources.trust.page({ limit: PAGE_SIZE, ...(after ? { after } : {}) });
    html(ctx, issuersPage(stateOf(ctx).page, result, after));
  });

  router.get(`${P}/rulebook`, frame, async (ctx) => {
    const [current, versions] = await Promise.all([sources.rulebook.current(), sources.rulebook.versions()]);
    html(ctx, rulebookPage(stateOf(ctx).page, current, versions));
  });

  router.get(`${P}/rulebook/versions/:version`, frame, async (ctx) => {
    const version = ctx.params.version as string;
    const adopted = version.length <= 64 ? await sources.rulebook.get(version) : undefined;
    if (!adopted) return html(ctx, notFoundPage(stateOf(ctx).page, 'rulebook', version), 404);
    html(ctx, rulebookPage(stateOf(ctx).page, adopted, await sources.rulebook.versions()));
  });

  router.get(`${P}/rulebook/diff`, frame, async (ctx) => {
    const from = param(ctx, 'from', 64);
    const to = param(ctx, 'to', 64);
    if (!from || !to) throw new PortalError('invalid_query', 'choose two versions: from and to');
    const [older, newer] = await Promise.all([sources.rulebook.get(from), sources.rulebook.get(to)]);
    if (!older) return html(ctx, notFoundPage(stateOf(ctx).page, 'rulebook', from), 404);
    if (!newer) return html(ctx, notFoundPage(stateOf(ctx).page, 'rulebook', to), 404);
    html(
      ctx,
      rulebookDiffPage(
        stateOf(ctx).page,
        diffRulebooks(older.rulebook, newer.rulebook),
        await sources.rulebook.versions(),
      ),
    );
  });

  router.get(`${P}/board`, frame, async (ctx) => {
    const before = param(ctx, 'before');
    let cursor: { decidedAt: string; id: string } | undefined;
    if (before) {
      const at = before.indexOf('|');
      if (at < 1) throw new PortalError('invalid_query', 'before is not a cursor of this page');
      cursor = { decidedAt: before.slice(0, at), id: before.slice(at + 1) };
    }
    const [board, decided] = await Promise.all([
      sources.board.list(),
      sources.motions.decidedPage({ limit: PAGE_SIZE, ...(cursor ? { before: cursor } : {}) }),
    ]);
    const next = decided.next ? `${decided.next.decidedAt}|${decided.next.id}` : undefined;
    html(
      ctx,
      boardPage(
        stateOf(ctx).page,
        board,
        { items: decided.items, ...(next ? { next } : {}) },
        cursor !== undefined,
      ),
    );
  });

  router.get(`${P}/board/motions/:id`, frame, async (ctx) => {
    const id = ctx.params.id as string;
    const { page } = stateOf(ctx);
    let motion: Awaited<ReturnType<PublicSources['motions']['motion']>>;
    try {
      if (id.length > 64) throw new PortalError('invalid_query', 'no motion has an id this long');
      motion = await sources.motions.motion(id);
    } catch (error) {
      if (error instanceof ProblemError && (error.status === 404 || error.code === 'invalid_query'))
        return html(ctx, notFoundPage(page, 'motion', id), 404);
      throw error;
    }
    const subjectIsMember =
      motion.subject.startsWith('did:') &&
      ['admit', 'suspend', 'reinstate', 'revoke', 'renew'].includes(motion.kind);
    html(
      ctx,
      motionPage(page, motion, `${apiBase}/api/v1/motions/${encodeURIComponent(motion.id)}`, subjectIsMember),
    );
  });

  // The chain is verified whole (every entry, every checkpoint): at most once per `verifyEveryMs`
  // while the log does not grow, so that reading the page costs no full scan per request.
  let lastCheck:
    | {
        size: number;
        at: number;
        verifiedAt: Date;
        verification: AuditVerification;
        checkpoint: StoredCheckpoint | undefined;
      }
    | undefined;
  const verification = async () => {
    const head = await sources.audit.head();
    const due = deps.verifyEveryMs ?? 30_000;
    if (!lastCheck || lastCheck.size !== head.size || Date.now() - lastCheck.at > due) {
      const [result, checkpoint] = await Promise.all([
        sources.audit.verify(),
        sources.audit.latestCheckpoint(),
      ]);
      lastCheck = { size: head.size, at: Date.now(), verifiedAt: now(), verification: result, checkpoint };
    }
    return { ...lastCheck, size: head.size };
  };

  router.get(`${P}/audit`, frame, async (ctx) => {
    const afterText = param(ctx, 'after', 15);
    if (afterText !== undefined && !WHOLE_NUMBER.test(afterText))
      throw new PortalError('invalid_query', 'after must be a whole number');
    const after = afterText === undefined ? 0 : Number(afterText);
    const [checked, entries] = await Promise.all([
      verification(),
      sources.audit.page({ after, limit: AUDIT_PAGE_SIZE }),
    ]);
    html(
      ctx,
      auditPage(stateOf(ctx).page, {
        entries: entries.items,
        next: entries.next,
        after,
        size: checked.size,
        limit: AUDIT_PAGE_SIZE,
        verification: checked.verification,
        verifiedAt: checked.verifiedAt,
        checkpoint: checked.checkpoint,
        apiBase,
      }),
    );
  });

  return router;
}
