/**
 * The board's workspace (issue 14 item 3; docs/portal.md, "The board's workspace"):
 *
 * - `GET  /portal/board/workspace`: the open motions (or the way to log in: `/portal/login?as=board`,
 *   the portal's OpenID Connect login with scope `openid board`, the BoardMemberCredential);
 * - `POST /portal/board/workspace/motions/:id/vote`: opens a signing request (OpenID4VP with the
 *   vote as `transaction_data`, presenting the BoardMemberCredential) and shows its QR code;
 * - `POST /portal/board/workspace/motions`: the same for a new motion (`dataspace_motion`);
 * - `GET  /portal/board/workspace/sign/:state/status`: the page's poll (JSON `{status}`, with
 *   `code` when the verifier refused the wallet's answer);
 * - `POST /portal/board/workspace/sign/:state`: takes the wallet's verified answer and casts the
 *   vote or opens the motion through the governance engine, which verifies it again from its
 *   bytes (or shows the verifier's refusal of the answer, in words with its code).
 *
 * The portal decides nothing: recusal, membership of the board, the voting period, which motion
 * may be opened on which subject are the engine's checks; their refusals are shown in words with their codes. What is the portal's:
 * the session, CSRF and provenance checks, that the signing request polled or answered is one
 * this browser opened (`signing_unknown` otherwise, before the request is read: another board
 * member who learns its state cannot spend it; ../signing-requests.ts), and that the wallet
 * which signed is the board member logged in (`holder_mismatch`).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AuditLog } from '../../audit/index.js';
import type { Board } from '../../governance/board.js';
import type { GovernanceEngine } from '../../governance/engine.js';
import { MOTION_TRANSACTION_TYPE } from '../../governance/presented-motion.js';
import { VOTE_TRANSACTION_TYPE } from '../../governance/presented-vote.js';
import { ProblemError } from '../../http/errors.js';
import type { Applications } from '../../membership/applications.js';
import type { MemberRegistry } from '../../membership/members.js';
import { type DcqlQuery, loginQrSvg, PresentationRefused, type Signing } from '../../oid4vp/index.js';
import { BOARD_MOTION_KINDS, type DecisionRule } from '../../rulebook/types.js';
import { isDid } from '../../trust/did-syntax.js';
import { checkProvenance, checkToken, csrfToken } from '../csrf.js';
import { PortalError } from '../errors.js';
import { html, portalFrame, stateOf } from '../frame.js';
import type { PortalSession, SessionStore } from '../sessions.js';
import { browserSigningRequests } from '../signing-requests.js';
import { walletRefusalText } from '../wallet-signing.js';
import { motionSignPage } from './open-motion.js';
import {
  type OpenMotion,
  signingRefusedPage,
  signPage,
  workspaceLoginPage,
  workspacePage,
} from './workspace.js';

export interface WorkspaceSources {
  /** The application an admission motion decides (its evidence checks). */
  readonly applications: Pick<Applications, 'ofMotion'>;
  /** The member's status history (the audit entries about its DID). */
  readonly audit: Pick<AuditLog, 'about'>;
  readonly engine: Pick<GovernanceEngine, 'motions' | 'castPresentedVote' | 'openPresentedMotion'>;
  readonly board: Pick<Board, 'list'>;
  /** The member registry: the subjects the form offers for a motion on a member. */
  readonly members: Pick<MemberRegistry, 'list'>;
  /** The decision rule of a motion (its rulebook version and kind). */
  readonly rule: (version: string, kind: string) => Promise<DecisionRule>;
  /** The DCQL query of a board login (the BoardMemberCredential), from the rulebook in force. */
  readonly boardQuery: () => Promise<DcqlQuery>;
  readonly signing: Signing;
}

export interface WorkspaceRouteDeps {
  readonly publicUrl: string;
  readonly developmentMode: boolean;
  readonly base: string;
  readonly sessions: SessionStore;
  readonly sources: WorkspaceSources;
  readonly now?: () => Date;
}

/** The form's field as trimmed text ('' when absent or not text). */
const field = (body: Record<string, unknown>, name: string): string =>
  typeof body[name] === 'string' ? (body[name] as string).trim() : '';

/**
 * The motion the form asks the wallet to sign: its kind among those the board may open, its
 * subject (the chosen DID or the typed one, not two different ones), its reason; a new board
 * member's name and affiliations (one DID a line). The bounds the engine checks are checked
 * again there; these only keep a malformed form from reaching the wallet (`invalid_query`).
 */
function motionOfForm(body: Record<string, unknown>): Record<string, unknown> {
  const kind = field(body, 'kind');
  if (!(BOARD_MOTION_KINDS as readonly string[]).includes(kind))
    throw new PortalError('invalid_query', `choose a kind among ${BOARD_MOTION_KINDS.join(', ')}`);
  const chosen = field(body, 'member');
  const typed = field(body, 'subject');
  if (chosen && typed && chosen !== typed)
    throw new PortalError('invalid_query', 'choose a subject from the list or type one, not both');
  const subject = typed || chosen;
  if (subject.length === 0 || subject.length > 500)
    throw new PortalError('invalid_query', 'the motion needs a subject (a DID or a rulebook version)');
  const reason = field(body, 'reason');
  if (reason.length === 0 || reason.length > 2000)
    throw new PortalError('invalid_query', 'the motion needs a reason (at most 2000 characters)');
  const name = field(body, 'name');
  const affiliations = field(body, 'affiliations')
    .split(/\s+/)
    .filter((line) => line.length > 0);
  if (affiliations.length > 20 || !affiliations.every((did) => isDid(did) && did.length <= 500))
    throw new PortalError('invalid_query', 'affiliations are at most 20 DIDs, one a line');
  return {
    kind,
    subject,
    reason,
    ...(kind === 'add-board-member' ? { name, affiliations } : {}),
  };
}

export function workspaceRoutes(deps: WorkspaceRouteDeps): Router {
  const router = new Router();
  const origin = new URL(deps.publicUrl).origin;
  const P = '/portal/board/workspace';
  const frame = portalFrame({ sessions: deps.sessions, base: deps.base });
  const now = deps.now ?? (() => new Date());
  const requests = browserSigningRequests({
    sessions: deps.sessions,
    list: 'signing',
    // The board login moved the session already; in place, the member's other tabs keep their token.
    rotate: false,
    developmentMode: deps.developmentMode,
    path: deps.base,
  });
  const NOT_OPENED = 'this browser opened no such signing request';

  const pageOf = (ctx: Context, session: PortalSession) => ({
    ...stateOf(ctx).page,
    csrf: csrfToken(deps.sessions.csrfKey, session),
  });
  const memberOf = (ctx: Context) => {
    const { session } = stateOf(ctx);
    const did = session?.data.boardMember;
    if (!session || !did)
      throw new PortalError('login_required', 'log in to the workspace with your wallet first');
    return { session, did, page: pageOf(ctx, session) };
  };
  const checkForm = (ctx: Context) => {
    checkProvenance(ctx, origin);
    const member = memberOf(ctx);
    checkToken(ctx, deps.sessions.csrfKey, member.session);
    return member;
  };

  router.get(P, frame, async (ctx) => {
    const { session, page } = stateOf(ctx);
    if (!session?.data.boardMember) {
      const login = `${deps.base}/login?${new URLSearchParams({ as: 'board', return: `${deps.base}/board/workspace` })}`;
      return html(ctx, workspaceLoginPage(page, login));
    }
    const member = memberOf(ctx);
    const board = await deps.sources.board.list();
    const registry = await deps.sources.members.list({ limit: 100 });
    const subjects = {
      members: registry.items.map((m) => ({ did: m.did, label: `${m.legalName} (${m.status})` })),
      board: board
        .filter((seat) => seat.status === 'active')
        .map((seat) => ({ did: seat.did, label: seat.name })),
    };
    const names = new Map(board.map((seat) => [seat.did, seat.name]));
    const motions: OpenMotion[] = [];
    for (const motion of await deps.sources.engine.motions({ status: 'open' })) {
      const rule = await deps.sources.rule(motion.rulebookVersion, motion.kind);
      const recused = rule.recusal
        ? board.filter((seat) => seat.status === 'active' && seat.affiliations.includes(motion.subject))
        : [];
      const mine = motion.votes.find((vote) => vote.voter === member.did);
      const application =
        motion.kind === 'admit' ? await deps.sources.applications.ofMotion(motion.id) : undefined;
      const history = motion.subject.startsWith('did:')
        ? await deps.sources.audit.about(motion.subject, { kindPrefix: 'member.', limit: 50 })
        : [];
      motions.push({
        id: motion.id,
        kind: motion.kind,
        subject: motion.subject,
        reason: motion.reason,
        openedAt: motion.openedAt,
        closesAt: motion.closesAt,
        rule,
        approvals: motion.tally.approvals,
        rejections: motion.tally.rejections,
        votes: motion.votes.map((vote) => ({
          voter: vote.voter,
          name: names.get(vote.voter) ?? vote.voter,
          decision: vote.decision,
        })),
        recused: recused.map((seat) => seat.name),
        memberRecused: recused.some((seat) => seat.did === member.did),
        ...(mine ? { memberVote: mine.decision } : {}),
        ...(application
          ? {
              application: {
                legalName: application.legalName,
                roles: application.roles,
                checks: application.checks.map((c) => ({
                  check: c.check,
                  result: c.result,
                  code: c.code ?? '',
                })),
              },
            }
          : {}),
        history: history.map((entry) => ({ at: entry.at, kind: entry.kind })),
      });
    }
    html(
      ctx,
      workspacePage(
        member.page,
        { did: member.did, name: names.get(member.did) ?? member.did },
        motions,
        subjects,
        now(),
      ),
    );
  });

  router.post(`${P}/motions`, frame, async (ctx) => {
    const member = checkForm(ctx);
    const motion = motionOfForm((ctx.state.body ?? {}) as Record<string, unknown>);
    const query = await deps.sources.boardQuery();
    const credentialId = query.credentials[0]?.id ?? 'board';
    const request = await deps.sources.signing.request({
      query,
      transactionData: [{ type: MOTION_TRANSACTION_TYPE, credential_ids: [credentialId], ...motion }],
    });
    // The request is this browser's: its state in the session (updated in place, the same token).
    const session = await requests.keep(ctx, member.session, request.state);
    const qrSvg = await loginQrSvg(request.crossDeviceUrl);
    html(
      ctx,
      motionSignPage(pageOf(ctx, session), {
        qrSvg,
        crossDeviceUrl: request.crossDeviceUrl,
        sameDeviceUrl: request.sameDeviceUrl,
        statusUrl: `${deps.base}/board/workspace/sign/${request.state}/status`,
        finishUrl: `${deps.base}/board/workspace/sign/${request.state}`,
        kind: String(motion.kind),
        subject: String(motion.subject),
      }),
    );
  });

  router.post(`${P}/motions/:id/vote`, frame, async (ctx) => {
    const member = checkForm(ctx);
    const body = (ctx.state.body ?? {}) as Record<string, unknown>;
    const decision = body.decision;
    if (decision !== 'approve' && decision !== 'reject')
      throw new PortalError('invalid_query', 'choose approve or reject');
    const reason = typeof body.reason === 'string' ? body.reason.trim().slice(0, 2000) : '';
    const motionId = ctx.params.id as string;
    const query = await deps.sources.boardQuery();
    const credentialId = query.credentials[0]?.id ?? 'board';
    const request = await deps.sources.signing.request({
      query,
      transactionData: [
        {
          type: VOTE_TRANSACTION_TYPE,
          credential_ids: [credentialId],
          motion: motionId,
          decision,
          ...(reason ? { reason } : {}),
        },
      ],
    });
    const session = await requests.keep(ctx, member.session, request.state);
    const qrSvg = await loginQrSvg(request.crossDeviceUrl);
    html(
      ctx,
      signPage(pageOf(ctx, session), {
        qrSvg,
        crossDeviceUrl: request.crossDeviceUrl,
        sameDeviceUrl: request.sameDeviceUrl,
        statusUrl: `${deps.base}/board/workspace/sign/${request.state}/status`,
        finishUrl: `${deps.base}/board/workspace/sign/${request.state}`,
        decision,
        motionId,
      }),
    );
  });

  router.get(`${P}/sign/:state/status`, frame, async (ctx) => {
    const { session } = memberOf(ctx);
    const state = ctx.params.state as string;
    // `{status: 'refused', code}` once the verifier refused the wallet's answer (the page then finishes).
    ctx.body = requests.opened(session, state)
      ? await deps.sources.signing.status(state)
      : { status: 'unknown' };
  });

  router.post(`${P}/sign/:state`, frame, async (ctx) => {
    const member = checkForm(ctx);
    const state = ctx.params.state as string;
    requests.check(member.session, state, NOT_OPENED);
    let outcome: Awaited<ReturnType<Signing['take']>>;
    try {
      outcome = await deps.sources.signing.take(state);
    } catch (error) {
      // The verifier refused the wallet's answer: why, in fixed words with its code.
      if (error instanceof PresentationRefused) {
        const refusal = {
          code: error.code,
          detail: walletRefusalText(member.page.msg, error.code),
          status: 403,
        };
        return html(ctx, signingRefusedPage(member.page, refusal, { what: 'answer' }), 403);
      }
      throw new PortalError('signing_unknown', 'the signing request is unknown, expired or used');
    }
    if (!outcome) {
      // Not signed yet (a button pressed too early, without JavaScript): back to the page.
      throw new PortalError(
        'signing_unknown',
        'your wallet has not signed yet: scan the code, then continue',
      );
    }
    if (outcome.holder !== member.did)
      throw new PortalError('holder_mismatch', 'the wallet that signed is not the board member logged in');
    const [item] = outcome.transactionData;
    const [presentation] = Object.values(outcome.vpToken)[0] ?? [];
    if (!item || !presentation) throw new PortalError('signing_unknown', 'the answer holds no statement');
    // The item is the one this portal asked for (the verifier checked it is signed); the
    // engine verifies the presentation again from its bytes.
    const asked = JSON.parse(Buffer.from(item, 'base64url').toString('utf8')) as Record<string, unknown>;
    const presented = { presentation, transactionData: item };
    if (asked.type === MOTION_TRANSACTION_TYPE) {
      let opened: Awaited<ReturnType<GovernanceEngine['openPresentedMotion']>>;
      try {
        opened = await deps.sources.engine.openPresentedMotion(presented);
      } catch (error) {
        if (error instanceof ProblemError && error.status < 500) {
          const refusal = { code: error.code, detail: error.detail ?? error.title, status: error.status };
          return html(ctx, signingRefusedPage(member.page, refusal, { what: 'motion' }), error.status);
        }
        throw error;
      }
      await requests.forget(ctx, member.session, state);
      ctx.status = 303;
      return ctx.redirect(`${deps.base}/board/motions/${encodeURIComponent(opened.id)}`);
    }
    if (asked.type !== VOTE_TRANSACTION_TYPE)
      throw new PortalError('signing_unknown', 'the answer holds no vote and no motion');
    const motionId = String(asked.motion ?? '');
    try {
      await deps.sources.engine.castPresentedVote(motionId, presented);
    } catch (error) {
      if (error instanceof ProblemError && error.status < 500) {
        const refusal = { code: error.code, detail: error.detail ?? error.title, status: error.status };
        return html(ctx, signingRefusedPage(member.page, refusal, { what: 'vote', motionId }), error.status);
      }
      throw error;
    }
    await requests.forget(ctx, member.session, state);
    ctx.status = 303;
    ctx.redirect(`${deps.base}/board/motions/${encodeURIComponent(motionId)}`);
  });

  return router;
}
