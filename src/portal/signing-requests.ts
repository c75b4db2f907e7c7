/**
 * The signing requests a browser opened (docs/portal.md, "Signing requests are this browser's":
 * the application form's, the board workspace's votes and motions).
 *
 * A signing request (OpenID4VP with `transaction_data`: an application, a vote, a motion) is
 * answered by whichever wallet reads its QR code; its `state` appears in the page's poll and
 * finish addresses. What binds it to the browser that opened it is its state kept, sealed, in
 * that browser's session: only that browser may poll it, take the wallet's answer or ask again.
 * Any other browser (another session, or one that lost its session) is answered as for an
 * unknown request, `signing_unknown` (and `{status: 'unknown'}` to a poll), before the request is
 * read, so the request is not spent and stays usable by its own browser.
 *
 * How the session keeps a list is the flow's choice, `rotate`, stated where the flow makes its
 * list:
 * - `rotate: true` (the application's, `applying`: a citizen's session, possibly one begun
 *   without a login): opening or closing a request moves the session to a new id (its cookie set
 *   again, its absolute expiry kept), so an id known before the request was opened does not
 *   reach it. The page's CSRF token changes with the id: another tab of that browser must load
 *   a page again before it posts.
 * - `rotate: false` (the workspace's, `signing`: a board member's session, whose id the board
 *   login already changed): the session is changed in place (`SessionStore.change`: the same id,
 *   cookie and CSRF token, the same idle and absolute expiry), so the board member's other tabs
 *   (the motion list, another motion) keep posting with the token they hold; requests opened by
 *   two tabs at once are both kept (the list is changed under the row's lock). A request opened
 *   in a session gone meanwhile is refused as the workspace refuses a lost session,
 *   `login_required`; one answered is forgotten with it.
 */
import type { Context } from 'koa';
import { PortalError } from './errors.js';
import { setSessionCookie } from './frame.js';
import type { PortalSession, SessionData, SessionStore } from './sessions.js';

/** The shape of a signing request's `state` (anything else is no request). */
export const SIGNING_STATE = /^[A-Za-z0-9_-]{20,64}$/;
/** Signing requests a browser may have open at once, per list (the oldest is dropped). */
const MAX_OPEN = 3;

/** The session's list a flow keeps its requests in: the applications', the workspace's. */
export type SigningList = 'applying' | 'signing';

export interface BrowserSigningRequests {
  /** Whether `state` is a request this browser's session opened. */
  opened(session: PortalSession | undefined, state: string): boolean;
  /** Refuses (`signing_unknown`, saying `detail`) a `state` this browser's session did not open. */
  check(session: PortalSession, state: string, detail: string): void;
  /**
   * Keeps `state` among this browser's open requests, instead of `replacing`; answers the
   * session as it now is (a new id when the list rotates).
   */
  keep(ctx: Context, session: PortalSession, state: string, replacing?: string): Promise<PortalSession>;
  /** Forgets `state` (answered); answers the session as it now is (a new id when the list rotates). */
  forget(ctx: Context, session: PortalSession, state: string): Promise<PortalSession>;
}

export function browserSigningRequests(deps: {
  readonly sessions: SessionStore;
  readonly list: SigningList;
  /**
   * Whether keeping or forgetting a request moves the session to a new id (`true`) or updates
   * it in place, same id and CSRF token (`false`); see the module's header.
   */
  readonly rotate: boolean;
  readonly developmentMode: boolean;
  /** The session cookie's path (the portal's). */
  readonly path: string;
}): BrowserSigningRequests {
  const openOf = (session: PortalSession | undefined): readonly string[] => session?.data[deps.list] ?? [];
  /** Writes the list as `next` makes it from the one the session holds; answers the session. */
  const store = async (
    ctx: Context,
    session: PortalSession,
    next: (open: readonly string[]) => readonly string[],
    opening: boolean,
  ): Promise<PortalSession> => {
    if (!deps.rotate) {
      // From the list as stored now, not as this request read it: another tab may have just
      // opened or answered one of its own (SessionStore.change locks the row meanwhile).
      const data = await deps.sessions.change(session.id, (current) => ({
        ...current,
        [deps.list]: next(current[deps.list] ?? []),
      }));
      // A session gone cannot hold a request opened; one answered is forgotten with it anyway
      // (its vote or motion is recorded: no refusal to show for it).
      if (data === undefined) {
        if (opening) throw new PortalError('login_required', 'your session has ended: log in again');
        return session;
      }
      return { ...session, data };
    }
    const data: SessionData = { ...session.data, [deps.list]: next(openOf(session)) };
    const rotated = await deps.sessions.rotate(session.id, data, {
      absoluteExpiresAt: session.absoluteExpiresAt,
    });
    setSessionCookie(ctx, rotated, { developmentMode: deps.developmentMode, path: deps.path });
    return rotated;
  };
  const opened = (session: PortalSession | undefined, state: string) =>
    SIGNING_STATE.test(state) && openOf(session).includes(state);
  return {
    opened,
    check(session, state, detail) {
      if (!opened(session, state)) throw new PortalError('signing_unknown', detail);
    },
    keep: (ctx, session, state, replacing) =>
      store(
        ctx,
        session,
        (open) => [...open.filter((other) => other !== replacing), state].slice(-MAX_OPEN),
        true,
      ),
    forget: (ctx, session, state) =>
      store(ctx, session, (open) => open.filter((other) => other !== state), false),
  };
}
