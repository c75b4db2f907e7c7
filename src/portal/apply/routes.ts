/**
 * Applying for membership in the portal (issue 14 item 2; docs/portal.md, "Applying for
 * membership"):
 *
 * - `GET  /portal/apply`: the form (legal name, registration number, country, roles, contact);
 * - `POST /portal/apply`: opens a signing request (OpenID4VP: a DCQL query built from the
 *   rulebook's evidence rules for the roles chosen, the form as `transaction_data`) and shows its
 *   QR code and same-device link;
 * - `GET  /portal/apply/sign/:state/status`: the page's poll (JSON `{status}`, and `code` when
 *   the verifier refused the wallet's answer: `{status: 'refused', code}`);
 * - `POST /portal/apply/sign/:state`: takes the wallet's verified answer and submits it as an
 *   application through the membership capability, which verifies it again from its bytes; or
 *   shows the verifier's refusal of the answer in words with its code;
 * - `POST /portal/apply/sign/:state/again`: a fresh signing request for the same form, after a
 *   refusal;
 * - `GET  /portal/applications/:id/:key`: the status page, at an address only the applicant was
 *   given (`key` is an HMAC of the application id under a key derived from the service's secret);
 * - `POST /portal/applications/:id/:key/offer`: the credential offer, once admitted.
 *
 * The portal decides nothing: the form's bounds, the roles, the evidence, the admission checks
 * are membership's; their refusals are shown with their codes. What is the portal's: the session,
 * CSRF and provenance checks, and that the signing request answered is one this browser opened.
 * The status page's offer form carries no CSRF token: the secret key in its address is one (a
 * forged form cannot know it), and its provenance is checked.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { ApplySources } from '../../compose/application.js';
import { OAuthError, ProblemError } from '../../http/errors.js';
import type { ApplicationForm } from '../../membership/presented-application.js';
import { loginQrSvg, PresentationRefused, type SigningRequest } from '../../oid4vp/index.js';
import { checkProvenance, checkToken, csrfToken } from '../csrf.js';
import { PortalError } from '../errors.js';
import { html, portalFrame, setSessionCookie, stateOf } from '../frame.js';
import type { PortalSession, SessionStore } from '../sessions.js';
import { browserSigningRequests } from '../signing-requests.js';
import {
  applyPage,
  applyRefusedPage,
  applySignPage,
  applyWalletRefusedPage,
  type FormValues,
} from './pages.js';
import { applicationStatusPage } from './status.js';

export interface ApplyRouteDeps {
  readonly publicUrl: string;
  readonly developmentMode: boolean;
  readonly base: string;
  readonly sessions: SessionStore;
  readonly sources: ApplySources;
  /** The key of the status pages' addresses (derived from the service's secret). */
  readonly statusKey: Buffer;
}

const APPLICATION_ID = /^application-[0-9a-f-]{36}$/;

/** The secret part of an application's status address. */
export function statusKeyOf(key: Buffer, applicationId: string): string {
  return createHmac('sha256', key).update(`application-status\n${applicationId}`, 'utf8').digest('base64url');
}

const text = (body: Record<string, unknown>, name: string): string =>
  typeof body[name] === 'string' ? (body[name] as string).trim() : '';

/** The form as posted: fields trimmed, roles from the `role-<id>` checkboxes, contact only as given. */
function formOf(body: Record<string, unknown>): { values: FormValues; form: Record<string, unknown> } {
  const roles = Object.keys(body)
    .filter((name) => name.startsWith('role-') && body[name] === 'on')
    .map((name) => name.slice('role-'.length));
  const values: FormValues = {
    legalName: text(body, 'legalName'),
    registrationNumber: text(body, 'registrationNumber'),
    country: text(body, 'country').toUpperCase(),
    roles,
    email: text(body, 'email'),
    contactName: text(body, 'contactName'),
    phone: text(body, 'phone'),
  };
  return {
    values,
    form: {
      legalName: values.legalName,
      registrationNumber: values.registrationNumber,
      country: values.country,
      roles,
      contact: {
        email: values.email,
        ...(values.contactName ? { name: values.contactName } : {}),
        ...(values.phone ? { phone: values.phone } : {}),
      },
    },
  };
}

const refusalOf = (error: unknown): { code: string; detail: string; status: number } | undefined =>
  error instanceof ProblemError && error.status < 500
    ? { code: error.code, detail: error.detail ?? error.title, status: error.status }
    : undefined;

export function applyRoutes(deps: ApplyRouteDeps): Router {
  const router = new Router();
  const origin = new URL(deps.publicUrl).origin;
  const frame = portalFrame({ sessions: deps.sessions, base: deps.base });
  const setCookie = (ctx: Context, session: PortalSession) =>
    setSessionCookie(ctx, session, { developmentMode: deps.developmentMode, path: deps.base });
  const csrfOf = (session: PortalSession) => csrfToken(deps.sessions.csrfKey, session);
  const requests = browserSigningRequests({
    sessions: deps.sessions,
    list: 'applying',
    // A citizen's session, perhaps begun without a login: a request opened or answered moves it.
    rotate: true,
    developmentMode: deps.developmentMode,
    path: deps.base,
  });
  const NOT_OPENED = 'this browser opened no such application request';
  const statusPath = (id: string) =>
    `${deps.base}/applications/${encodeURIComponent(id)}/${statusKeyOf(deps.statusKey, id)}`;

  /** This browser's session: the one it has, or a new one (the form's CSRF token is bound to it). */
  const sessionOf = async (ctx: Context): Promise<PortalSession> => {
    const { session } = stateOf(ctx);
    if (session) return session;
    const created = await deps.sessions.create({});
    setCookie(ctx, created);
    return created;
  };
  const checkForm = (ctx: Context): PortalSession => {
    checkProvenance(ctx, origin);
    const { session } = stateOf(ctx);
    if (!session)
      throw new PortalError(
        'csrf_token_invalid',
        'this browser has no session: reload the form and try again',
      );
    checkToken(ctx, deps.sessions.csrfKey, session);
    return session;
  };
  /** The application of a status address, or `not_found` (the same answer for any wrong part). */
  const applicationOf = async (ctx: Context) => {
    const id = ctx.params.id as string;
    const key = ctx.params.key as string;
    const expected = Buffer.from(APPLICATION_ID.test(id) ? statusKeyOf(deps.statusKey, id) : '', 'utf8');
    const given = Buffer.from(key, 'utf8');
    if (expected.length === 0 || expected.length !== given.length || !timingSafeEqual(expected, given))
      throw new PortalError('application_unknown', 'no application has this address');
    return deps.sources.application(id);
  };

  /** Keeps `request` among this browser's open requests (instead of `replacing`) and shows its QR code. */
  const signingPage = async (
    ctx: Context,
    session: PortalSession,
    request: SigningRequest & { readonly form: ApplicationForm },
    replacing?: string,
  ): Promise<void> => {
    const rotated = await requests.keep(ctx, session, request.state, replacing);
    const qrSvg = await loginQrSvg(request.crossDeviceUrl);
    html(
      ctx,
      applySignPage(stateOf(ctx).page, csrfOf(rotated), {
        legalName: request.form.legalName,
        qrSvg,
        crossDeviceUrl: request.crossDeviceUrl,
        sameDeviceUrl: request.sameDeviceUrl,
        statusUrl: `${deps.base}/apply/sign/${request.state}/status`,
        finishUrl: `${deps.base}/apply/sign/${request.state}`,
      }),
    );
  };

  router.get('/portal/apply', frame, async (ctx) => {
    const session = await sessionOf(ctx);
    html(ctx, applyPage(stateOf(ctx).page, csrfOf(session), await deps.sources.roles()));
  });

  router.post('/portal/apply', frame, async (ctx) => {
    const session = checkForm(ctx);
    const { values, form } = formOf((ctx.state.body ?? {}) as Record<string, unknown>);
    let request: Awaited<ReturnType<ApplySources['start']>>;
    try {
      request = await deps.sources.start(form);
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      const { page } = stateOf(ctx);
      return html(
        ctx,
        applyPage(page, csrfOf(session), await deps.sources.roles(), values, refusal),
        refusal.status,
      );
    }
    return signingPage(ctx, session, request);
  });

  router.get('/portal/apply/sign/:state/status', frame, async (ctx) => {
    const state = ctx.params.state as string;
    // `{status: 'refused', code}` once the verifier refused the wallet's answer (the page then finishes).
    ctx.body = requests.opened(stateOf(ctx).session, state)
      ? await deps.sources.status(state)
      : { status: 'unknown' };
  });

  router.post('/portal/apply/sign/:state', frame, async (ctx) => {
    const session = checkForm(ctx);
    const state = ctx.params.state as string;
    const { page } = stateOf(ctx);
    requests.check(session, state, NOT_OPENED);
    let application: Awaited<ReturnType<ApplySources['finish']>>;
    try {
      application = await deps.sources.finish(state);
    } catch (error) {
      // The verifier refused the wallet's answer: why, with its code; the applicant may ask again.
      if (error instanceof PresentationRefused)
        return html(
          ctx,
          applyWalletRefusedPage(page, csrfOf(session), error.code, `${deps.base}/apply/sign/${state}/again`),
          403,
        );
      // The signing layer's refusal of a request that is gone (expired, used) is the portal's code.
      if (error instanceof OAuthError)
        throw new PortalError('signing_unknown', 'the application request is unknown, expired or used');
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      return html(ctx, applyRefusedPage(page, refusal), refusal.status);
    }
    if (!application)
      throw new PortalError(
        'signing_unknown',
        'your wallet has not answered yet: scan the code, then continue',
      );
    await requests.forget(ctx, session, state);
    ctx.status = 303;
    ctx.redirect(statusPath(application.id));
    return undefined;
  });

  router.post('/portal/apply/sign/:state/again', frame, async (ctx) => {
    const session = checkForm(ctx);
    const state = ctx.params.state as string;
    requests.check(session, state, NOT_OPENED);
    let request: Awaited<ReturnType<ApplySources['again']>>;
    try {
      request = await deps.sources.again(state);
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      return html(ctx, applyRefusedPage(stateOf(ctx).page, refusal), refusal.status);
    }
    if (!request)
      throw new PortalError('signing_unknown', 'the verifier refused no answer to this application request');
    return signingPage(ctx, session, request, state);
  });

  router.get('/portal/applications/:id/:key', frame, async (ctx) => {
    const application = await applicationOf(ctx);
    // The address is a secret: the frame's `same-origin` Referrer-Policy sends it to no other site.
    html(ctx, applicationStatusPage(stateOf(ctx).page, application, statusPath(application.id)));
  });

  router.post('/portal/applications/:id/:key/offer', frame, async (ctx) => {
    checkProvenance(ctx, origin);
    const application = await applicationOf(ctx);
    const offer = await deps.sources.offer(application.id);
    html(ctx, applicationStatusPage(stateOf(ctx).page, application, statusPath(application.id), offer));
  });

  return router;
}
