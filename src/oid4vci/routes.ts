/**
 * The HTTP face of the issuer: metadata, offers by reference, the token (both grants), nonce, credential and
 * notification endpoints (OAuth error shape), and the admitted applicant's offer route on the
 * management API (its refusals are problem+json, from the applicant check).
 *
 * A refused access token or DPoP proof answers with the challenge of its scheme
 * (`WWW-Authenticate`, RFC 6750 §3, RFC 9449 §7.1); so does a refused DPoP proof at the token
 * endpoint (RFC 9449 §5).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { ConflictError, requestBody } from '../http/index.js';
import type { CredentialEndpoint } from './credential-endpoint.js';
import { DPOP_ALGORITHMS } from './dpop.js';
import { Oid4vciError } from './errors.js';
import { AS_METADATA_PATH, ISSUER_METADATA_PATH, OID4VCI_PATH } from './metadata.js';
import type { OfferPresentation } from './offer-links.js';
import { AUTHORIZATION_CODE_GRANT, type Offers, PRE_AUTHORIZED_GRANT } from './offers.js';

export const APPLICANT_OFFER_ROUTE = '/api/v1/membership/applications/:id/credential-offer';

export interface Oid4vciRoutesDeps {
  readonly issuerMetadata: Record<string, unknown>;
  readonly authorizationServerMetadata: Record<string, unknown>;
  readonly offers: Offers;
  /**
   * The thumbprint of the token request's verified DPoP proof (its `DPoP` header), undefined
   * when none was sent and none is required; throws `invalid_dpop_proof`.
   */
  readonly tokenDpop: (proof: string | undefined) => Promise<string | undefined>;
  /** The `authorization_code` grant (authorizations.ts), DPoP-bound to `jkt` when there is one. */
  readonly exchangeCode: (body: Record<string, unknown>, jkt: string | undefined) => Promise<unknown>;
  readonly credentialEndpoint: CredentialEndpoint;
  readonly cNonce: () => { c_nonce: string; expiresIn: number };
  readonly notify: (headers: TokenHeaders, body: unknown) => Promise<void>;
  /** An offer for the admitted applicant of application `id`, who proves it with `presentation`. */
  readonly applicantOffer: (id: string, presentation: unknown) => Promise<OfferPresentation>;
}

interface TokenHeaders {
  readonly authorization: string | undefined;
  readonly dpop: string | undefined;
}

const tokenHeaders = (ctx: Context): TokenHeaders => ({
  authorization: ctx.get('authorization') || undefined,
  dpop: ctx.get('dpop') || undefined,
});

/** Sets the challenge of a refused access token or DPoP proof, and rethrows. */
export function challenged(ctx: Context, error: unknown): never {
  if (
    error instanceof Oid4vciError &&
    (error.code === 'invalid_token' || error.code === 'invalid_dpop_proof')
  ) {
    const scheme = error.scheme ?? 'Bearer';
    ctx.set(
      'WWW-Authenticate',
      scheme === 'DPoP'
        ? `DPoP error="${error.code}", algs="${DPOP_ALGORITHMS.join(' ')}"`
        : `Bearer error="${error.code}"`,
    );
  }
  throw error;
}

export function oid4vciRoutes(deps: Oid4vciRoutesDeps): Router {
  const router = new Router();
  router.get(ISSUER_METADATA_PATH, (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = deps.issuerMetadata;
  });
  router.get(AS_METADATA_PATH, (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = deps.authorizationServerMetadata;
  });
  router.get(`${OID4VCI_PATH}/offers/:reference`, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await deps.offers.byReference(ctx.params.reference ?? '');
  });
  router.post(`${OID4VCI_PATH}/token`, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const body = ctx.state.body as Record<string, unknown> | undefined;
    if (!ctx.is('application/x-www-form-urlencoded') || !body)
      throw new Oid4vciError('invalid_request', 'the token request is application/x-www-form-urlencoded');
    if (body.grant_type !== AUTHORIZATION_CODE_GRANT && body.grant_type !== PRE_AUTHORIZED_GRANT)
      throw new Oid4vciError(
        'unsupported_grant_type',
        `this token endpoint grants ${PRE_AUTHORIZED_GRANT} and ${AUTHORIZATION_CODE_GRANT} only`,
      );
    try {
      // The proof is checked (and its jti spent) before the grant, so a refused proof spends no code.
      const jkt = await deps.tokenDpop(ctx.get('dpop') || undefined);
      ctx.body =
        body.grant_type === AUTHORIZATION_CODE_GRANT
          ? await deps.exchangeCode(body, jkt)
          : await deps.offers.redeem(body['pre-authorized_code'], body.tx_code, jkt);
    } catch (error) {
      challenged(ctx, error);
    }
  });
  router.post(`${OID4VCI_PATH}/nonce`, (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { c_nonce: deps.cNonce().c_nonce };
  });
  router.post(`${OID4VCI_PATH}/credential`, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      ctx.body = await deps.credentialEndpoint.handle(tokenHeaders(ctx), ctx.state.body);
    } catch (error) {
      challenged(ctx, error);
    }
  });
  router.post(`${OID4VCI_PATH}/notification`, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await deps.notify(tokenHeaders(ctx), ctx.state.body);
    } catch (error) {
      challenged(ctx, error);
    }
    ctx.status = 204;
  });
  router.post(APPLICANT_OFFER_ROUTE, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 201;
    try {
      ctx.body = await deps.applicantOffer(ctx.params.id ?? '', requestBody(ctx).presentation);
    } catch (error) {
      // The management API answers problem+json, whatever part refused.
      if (error instanceof Oid4vciError) throw new ConflictError(error.code, error.errorDescription);
      throw error;
    }
  });
  return router;
}
