/**
 * Receiving a board seat's BoardMemberCredential in the browser (issue 14; docs/portal.md):
 *
 * - `GET  /portal/board/seat`: the active seats to choose from (the board is public);
 * - `POST /portal/board/seat`: the OpenID4VCI offer of the chosen seat's BoardMemberCredential
 *   (QR code and `openid-credential-offer://` link), for the holder wallet to redeem.
 *
 * Anyone may ask for a seat's offer: the credential names the seat holder's DID, and the issuer's
 * credential endpoint binds a `jwt_vc_json` credential to that DID (a key proof signed by a key
 * of the DID: src/oid4vci/binding.ts), so only the seat holder's wallet can redeem it. Whether
 * the DID holds an active seat is the issuer's check (`credential_request_denied`, shown as
 * `not_on_board`); the portal decides nothing.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { BoardMemberView } from '../../governance/board.js';
import { OAuthError } from '../../http/errors.js';
import type { OfferPresentation } from '../../oid4vci/offer-links.js';
import { checkProvenance, checkToken, csrfToken } from '../csrf.js';
import { PortalError } from '../errors.js';
import { html, portalFrame, setSessionCookie, stateOf } from '../frame.js';
import type { PortalSession, SessionStore } from '../sessions.js';
import { seatChoicePage, seatOfferPage } from './seat.js';

export interface SeatSources {
  readonly board: { list(): Promise<readonly BoardMemberView[]> };
  /** The offer of the BoardMemberCredential of the seat `did` (refused unless the seat is active). */
  readonly offer: (did: string) => Promise<OfferPresentation>;
}

export interface SeatRouteDeps {
  readonly publicUrl: string;
  readonly developmentMode: boolean;
  readonly base: string;
  readonly sessions: SessionStore;
  readonly sources: SeatSources;
}

export function seatRoutes(deps: SeatRouteDeps): Router {
  const router = new Router();
  const origin = new URL(deps.publicUrl).origin;
  const P = '/portal/board/seat';
  const frame = portalFrame({ sessions: deps.sessions, base: deps.base });
  const activeSeats = async () =>
    (await deps.sources.board.list())
      .filter((seat) => seat.status === 'active')
      .map((seat) => ({ did: seat.did, name: seat.name }));

  /** This browser's session (the form's CSRF token is bound to it): the one it has, or a new one. */
  const sessionOf = async (ctx: Context): Promise<PortalSession> => {
    const { session } = stateOf(ctx);
    if (session) return session;
    const created = await deps.sessions.create({});
    setSessionCookie(ctx, created, { developmentMode: deps.developmentMode, path: deps.base });
    return created;
  };

  router.get(P, frame, async (ctx) => {
    const session = await sessionOf(ctx);
    html(
      ctx,
      seatChoicePage(stateOf(ctx).page, csrfToken(deps.sessions.csrfKey, session), await activeSeats()),
    );
  });

  router.post(P, frame, async (ctx) => {
    checkProvenance(ctx, origin);
    const { session, page } = stateOf(ctx);
    if (!session)
      throw new PortalError(
        'csrf_token_invalid',
        'this browser has no session: reload the form and try again',
      );
    checkToken(ctx, deps.sessions.csrfKey, session);
    const body = (ctx.state.body ?? {}) as Record<string, unknown>;
    const did = typeof body.seat === 'string' ? body.seat : '';
    const seat = (await activeSeats()).find((candidate) => candidate.did === did);
    if (!seat) throw new PortalError('not_on_board', 'choose one of the board’s active seats');
    let offer: OfferPresentation;
    try {
      offer = await deps.sources.offer(seat.did);
    } catch (error) {
      // The seat was taken away since the list was read: the issuer refuses its offer.
      if (error instanceof OAuthError && error.error === 'credential_request_denied')
        throw new PortalError('not_on_board', 'this DID no longer holds a seat on the board');
      throw error;
    }
    html(ctx, seatOfferPage(page, seat, offer));
  });

  return router;
}
