/**
 * The consent page's routes (issue 11 item 3), between the citizen's wallet login and the
 * member's app:
 *
 * - `GET  /oidc/interaction/:uid/consent`: the page, for the consent interaction that the
 *   provider opens after the natural person's login when the app sent `authorization_details`
 *   of type `dataspace_consent`;
 * - `POST /oidc/interaction/:uid/consent`: the citizen's answer. `decision=decline` ends the
 *   request with `access_denied` for the app. `decision=accept` records the consent for the
 *   ticked purposes (`ConsentRegister.give`, idempotency key = the interaction id: a double
 *   submission answers the same record), then completes the grant with what was granted, so the
 *   app's token response carries the consent id, the purposes and the expiry.
 *
 * Every request needs this browser's interaction cookie (oidc-provider's, SameSite=Lax: a
 * cross-site POST carries none) for the interaction in the path, and a POST needs the form's
 * CSRF token, an HMAC of the interaction id under a key of the service's secret. Refusals are
 * OAuth-shaped (`{ error, error_description }`, the description starting with its code), as the
 * login page's are; a problem in the consent itself ends the request for the app with
 * `invalid_authorization_details`.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import {
  ConsentError,
  type ConsentRegister,
  type MemberDirectory,
  presentedIdentityOf,
} from '../consent/index.js';
import { OAuthError, PayloadTooLargeError } from '../http/index.js';
import type { InteractionSummary, Oidc } from '../oidc/index.js';
import { renderConsentPage } from './consent-page.js';
import { isLocale, type Locale, messages, negotiateLocale } from './i18n/index.js';

export interface ConsentPageOptions {
  readonly oidc: Oidc;
  readonly register: ConsentRegister;
  readonly members: MemberDirectory;
  /** The key-encryption secret (hex): the CSRF key derives from it. */
  readonly secretHex: string;
  /** Where citizens withdraw consent: `${PUBLIC_URL}/consents`. */
  readonly withdrawalUrl: string;
  /** PUBLIC_URL's origin: a form posted from any other origin or site is refused. */
  readonly publicOrigin: string;
}

function nodeOf(ctx: Context): [IncomingMessage, ServerResponse] {
  return [ctx.req, ctx.res];
}

/** The CSRF token of interaction `uid`. */
export function csrfToken(key: Buffer, uid: string): string {
  return createHmac('sha256', key).update(`consent form\n${uid}`, 'utf8').digest('base64url');
}

function sameToken(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The consent request of the interaction, checked: a consent prompt, a citizen logged in. */
async function consentInteraction(options: ConsentPageOptions, ctx: Context) {
  let interaction: InteractionSummary;
  try {
    interaction = await options.oidc.interactions.details(...nodeOf(ctx));
  } catch (error) {
    if ((error as { name?: string }).name === 'SessionNotFound') {
      throw new OAuthError(
        400,
        'invalid_request',
        'no_interaction: no consent request is in progress in this browser (interaction cookie missing or expired, or answered already)',
      );
    }
    throw error;
  }
  if (interaction.uid !== ctx.params.uid)
    throw new OAuthError(400, 'invalid_request', 'other_interaction: this browser is in another request');
  const [detail] = interaction.consentDetails;
  if (interaction.prompt !== 'consent' || !detail || interaction.accountId === undefined) {
    throw new OAuthError(400, 'invalid_request', 'no_consent_request: this request asks for no consent now');
  }
  const account = await options.oidc.accounts.find(interaction.accountId);
  if (!account?.naturalPerson) {
    throw new OAuthError(
      400,
      'invalid_request',
      'not_a_citizen: consent is given after a natural person’s login',
    );
  }
  return {
    interaction,
    noticeId: String(detail.notice_id),
    requestedVersion: typeof detail.notice_version === 'number' ? detail.notice_version : undefined,
    person: account.naturalPerson,
  };
}

/** Ends the app's request with an OAuth error and sends the browser back to the app. */
async function endRequest(
  options: ConsentPageOptions,
  ctx: Context,
  error: string,
  description: string,
): Promise<void> {
  const to = await options.oidc.interactions.fail(...nodeOf(ctx), error, description);
  ctx.status = 303;
  ctx.redirect(to);
}

/** The consent form's largest body: a few purposes and tokens. */
const MAX_FORM_BYTES = 16 * 1024;

/**
 * The form body. Paths below the provider's mount skip the service's body reader (the provider
 * reads its own bodies), so the page reads it, with the same kind of bound.
 */
async function readForm(ctx: Context): Promise<Record<string, string>> {
  let raw: string;
  try {
    raw = await getRawBody(ctx.req, { limit: MAX_FORM_BYTES, encoding: 'utf8' });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large')
      throw new PayloadTooLargeError(MAX_FORM_BYTES);
    throw new OAuthError(400, 'invalid_request', 'the form could not be read');
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

export function consentPageRoutes(options: ConsentPageOptions): Router {
  const router = new Router();
  const csrfKey = Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(options.secretHex, 'hex'),
      Buffer.alloc(0),
      'dataspace-trust consent csrf v1',
      32,
    ),
  );
  const path = `${new URL(options.oidc.issuer).pathname}/interaction/:uid/consent`;

  /** The page for the notice's latest version, or undefined after ending the request. */
  async function page(
    ctx: Context,
    request: Awaited<ReturnType<typeof consentInteraction>>,
    error?: 'no_purpose',
  ) {
    const notice = await options.register.notices.get(request.noticeId);
    if (request.requestedVersion !== undefined && request.requestedVersion !== notice.version) {
      await endRequest(
        options,
        ctx,
        'invalid_authorization_details',
        `notice_version_superseded: version ${request.requestedVersion} of notice ${notice.id} was replaced by version ${notice.version}`,
      );
      return;
    }
    const controller = await options.members.member(notice.controller);
    if (controller?.status !== 'active') {
      await endRequest(
        options,
        ctx,
        'invalid_authorization_details',
        `controller_not_active: ${notice.controller} is not an active member`,
      );
      return;
    }
    const described = await options.register.describe(notice, notice.language);
    const recipients = await Promise.all(
      notice.recipients.map(async (did) => ({
        did,
        name: (await options.members.member(did))?.legalName ?? did,
      })),
    );
    ctx.set('Cache-Control', 'no-store');
    // `no-referrer` (the service's default) makes browsers post the form with `Origin: null`,
    // which the provenance check below refuses; `same-origin` still sends nothing to other sites.
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.type = 'text/html; charset=utf-8';
    ctx.status = error ? 400 : 200;
    ctx.body = renderConsentPage({
      controllerName: controller.legalName,
      controllerDid: notice.controller,
      title: notice.title,
      text: notice.text,
      version: notice.version,
      hash: notice.hash,
      purposes: described.purposes,
      dataCategories: described.dataCategories,
      recipients,
      legalBasis: described.legalBasis,
      retentionDays: notice.retentionDays,
      jurisdiction: notice.jurisdiction,
      language: notice.language,
      msg: messages(
        isLocale(notice.language.split('-')[0])
          ? (notice.language.split('-')[0] as Locale)
          : negotiateLocale(undefined, ctx.get('accept-language')),
      ),
      withdrawalUrl: options.withdrawalUrl,
      action: ctx.path,
      csrf: csrfToken(csrfKey, request.interaction.uid),
      nonce: String(ctx.state.cspNonce ?? ''),
      ...(error ? { error } : {}),
    });
  }

  router.get(path, async (ctx) => {
    await page(ctx, await consentInteraction(options, ctx));
  });

  router.post(path, async (ctx) => {
    // As on the dashboard: a second layer beside the token, from the request's own headers.
    const site = ctx.get('sec-fetch-site');
    const origin = ctx.get('origin');
    if ((site !== '' && site !== 'same-origin') || (origin !== '' && origin !== options.publicOrigin)) {
      throw new OAuthError(
        403,
        'invalid_request',
        'cross_site_request: the form was posted from another site',
      );
    }
    const request = await consentInteraction(options, ctx);
    if (!ctx.is('application/x-www-form-urlencoded'))
      throw new OAuthError(400, 'invalid_request', 'the consent form is application/x-www-form-urlencoded');
    const form = await readForm(ctx);
    if (!sameToken(csrfToken(csrfKey, request.interaction.uid), form.csrf)) {
      throw new OAuthError(403, 'invalid_request', 'csrf_token_invalid: the form is not this consent page’s');
    }
    if (form.decision === 'decline') {
      await endRequest(options, ctx, 'access_denied', 'the citizen declined to give consent');
      return;
    }
    if (form.decision !== 'accept')
      throw new OAuthError(400, 'invalid_request', 'decision is accept or decline');
    const purposes = Object.entries(form)
      .filter(([name, value]) => name.startsWith('purpose.') && typeof value === 'string')
      .map(([, value]) => value as string);
    if (purposes.length === 0) {
      await page(ctx, request, 'no_purpose');
      return;
    }
    const version = Number(form.version);
    if (request.requestedVersion !== undefined && version !== request.requestedVersion) {
      throw new OAuthError(
        400,
        'invalid_request',
        'version_mismatch: the form is for another version of the notice',
      );
    }
    let given: Awaited<ReturnType<ConsentRegister['give']>>;
    try {
      const citizen = await options.register.citizenFromLogin(presentedIdentityOf(request.person));
      given = await options.register.give({
        noticeId: request.noticeId,
        version,
        noticeHash: String(form.hash ?? ''),
        citizen,
        purposes,
        collectedVia: { method: 'wallet-login', clientId: request.interaction.clientId },
        idempotencyKey: request.interaction.uid,
      });
    } catch (error) {
      // The notice changed, its controller left, or the form was tampered with: the app learns why.
      if (error instanceof ConsentError && error.code !== 'idempotency_conflict') {
        await endRequest(options, ctx, 'invalid_authorization_details', `${error.code}: ${error.message}`);
        return;
      }
      throw error;
    }
    const to = await options.oidc.interactions.grantConsent(...nodeOf(ctx), {
      type: 'dataspace_consent',
      notice_id: given.consent.notice.id,
      notice_version: given.consent.notice.version,
      consent_id: given.consent.id,
      purposes: given.consent.purposes,
      expires_at: given.consent.expiresAt,
    });
    ctx.status = 303;
    ctx.redirect(to);
  });

  return router;
}
