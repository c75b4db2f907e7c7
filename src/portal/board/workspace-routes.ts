/**
 * The board's workspace (issue 14 item 3; docs/portal.md, "The board's workspace"):
 *
 * - `GET  /portal/board/workspace`: the open motions (or the way to log in: `/portal/login?as=board`,
 *   the portal's OpenID Connect login with scope `openid board`, the BoardMemberCredential);
 * - `POST /portal/board/workspace/motions/:id/vote`: opens a signing request (OpenID4VP with the
 *   vote as `transaction_data`, presenting the BoardMemberCredential) and shows its QR code;
 * - `GET  /portal/board/workspace/sign/:state/status`: the page's poll (JSON `{status}`, with
 *   `code` when the verifier refused the wallet's answer);
 * - `POST /portal/board/workspace/sign/:state`: takes the wallet's verified answer and casts the
 *   vote through the governance engine, which verifies it again from its bytes (or shows the
 *   verifier's refusal of the answer, in words with its code).
 *
 * The portal decides nothing: recusal, membership of the board, the voting period are the
 * engine's checks; their refusals are shown in words with their codes. What is the portal's:
 * the session, CSRF and provenance checks, and that the wallet which signed is the board member
 * logged in (`holder_mismatch`).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AuditLog } from '../../audit/index.js';
import type { Board } from '../../governance/board.js';
import type { GovernanceEngine } from '../../governance/engine.js';
import { ProblemError } from '../../http/errors.js';
import type { Applications } from '../../membership/applications.js';
import { type DcqlQuery, loginQrSvg, PresentationRefused, type Signing } from '../../oid4vp/index.js';
import type { DecisionRule } from '../../rulebook/types.js';
import { checkProvenance, checkToken, csrfToken } from '../csrf.js';
import { PortalError } from '../errors.js';
import { html, portalFrame, stateOf } from '../frame.js';
import type { SessionStore } from '../sessions.js';
import { walletRefusalText } from '../wallet-signing.js';
import {
  type OpenMotion,
  signPage,
  voteRefusedPage,
  workspaceLoginPage,
  workspacePage,
} from './workspace.js';

export const VOTE_TRANSACTION_TYPE = 'dataspace_vote';

export interface WorkspaceSources {
  /** The application an admission motion decides (its evidence checks). */
  readonly applications: Pick<Applications, 'ofMotion'>;
  /** The member's status history (the audit entries about its DID). */
  readonly audit: Pick<AuditLog, 'about'>;
  readonly engine: Pick<GovernanceEngine, 'motions' | 'castPresentedVote'>;
  readonly board: Pick<Board, 'list'>;
  /** The decision rule of a motion (its rulebook version and kind). */
  readonly rule: (version: string, kind: string) => Promise<DecisionRule>;
  /** The DCQL query of a board login (the BoardMemberCredential), from the rulebook in force. */
  readonly boardQuery: () => Promise<DcqlQuery>;
  readonly signing: Signing;
}

export interface WorkspaceRouteDeps {
  readonly publicUrl: string;
  readonly base: string;
  readonly sessions: SessionStore;
  readonly sources: WorkspaceSources;
  readonly now?: () => Date;
}

const STATE = /^[A-Za-z0-9_-]{20,64}$/;

export function workspaceRoutes(deps: WorkspaceRouteDeps): Router {
  const router = new Router();
  const origin = new URL(deps.publicUrl).origin;
  const P = '/portal/board/workspace';
  const frame = portalFrame({ sessions: deps.sessions, base: deps.base });
  const now = deps.now ?? (() => new Date());

  const memberOf = (ctx: Context) => {
    const { session, page } = stateOf(ctx);
    const did = session?.data.boardMember;
    if (!session || !did)
      throw new PortalError('login_required', 'log in to the workspace with your wallet first');
    return { session, did, page: { ...page, csrf: csrfToken(deps.sessions.csrfKey, session) } };
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
        now(),
      ),
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
    const qrSvg = await loginQrSvg(request.crossDeviceUrl);
    html(
      ctx,
      signPage(member.page, {
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
    memberOf(ctx);
    const state = ctx.params.state as string;
    // `{status: 'refused', code}` once the verifier refused the wallet's answer (the page then finishes).
    ctx.body = STATE.test(state) ? await deps.sources.signing.status(state) : { status: 'unknown' };
  });

  router.post(`${P}/sign/:state`, frame, async (ctx) => {
    const member = checkForm(ctx);
    const state = ctx.params.state as string;
    if (!STATE.test(state)) throw new PortalError('signing_unknown', 'no signing request has this id');
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
        return html(ctx, voteRefusedPage(member.page, refusal), 403);
      }
      throw new PortalError('signing_unknown', 'the signing request is unknown, expired or used');
    }
    if (!outcome) {
      // Not signed yet (a button pressed too early, without JavaScript): back to the page.
      throw new PortalError(
        'signing_unknown',
        'your wallet has not signed the vote yet: scan the code, then continue',
      );
    }
    if (outcome.holder !== member.did)
      throw new PortalError('holder_mismatch', 'the wallet that signed is not the board member logged in');
    const [item] = outcome.transactionData;
    const [presentation] = Object.values(outcome.vpToken)[0] ?? [];
    if (!item || !presentation) throw new PortalError('signing_unknown', 'the answer holds no vote');
    const motionId = String(JSON.parse(Buffer.from(item, 'base64url').toString('utf8')).motion ?? '');
    try {
      await deps.sources.engine.castPresentedVote(motionId, { presentation, transactionData: item });
    } catch (error) {
      if (error instanceof ProblemError && error.status < 500) {
        const refusal = { code: error.code, detail: error.detail ?? error.title, status: error.status };
        return html(ctx, voteRefusedPage(member.page, refusal, motionId), error.status);
      }
      throw error;
    }
    ctx.status = 303;
    ctx.redirect(`${deps.base}/board/motions/${encodeURIComponent(motionId)}`);
  });

  return router;
}
