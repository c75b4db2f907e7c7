/**
 * The HTTP face of the issuer: metadata, offers by reference, the token (both grants), nonce, credential and
 * notification endpoints (OAuth error shape), and the admitted applicant's offer route on the
 * management API (its refusals are problem+json, from the applicant check).
 */
import Router from '@koa/router';
import { ConflictError, requestBody } from '../http/index.js';
import type { CredentialEndpoint } from './credential-endpoint.js';
import { Oid4vciError } from './errors.js';
import { AS_METADATA_PATH, ISSUER_METADATA_PATH, OID4VCI_PATH } from './metadata.js';
import type { OfferPresentation } from './offer-links.js';
import { AUTHORIZATION_CODE_GRANT, type Offers, PRE_AUTHORIZED_GRANT } from './offers.js';

export const APPLICANT_OFFER_ROUTE = '/api/v1/membership/applications/:id/credential-offer';

export interface Oid4vciRoutesDeps {
  readonly issuerMetadata: Record<string, unknown>;
  readonly authorizationServerMetadata: Record<string, unknown>;
  readonly offers: Offers;
  /** The `authorization_code` grant (authorizations.ts). */
  readonly exchangeCode: (body: Record<string, unknown>) => Promise<unknown>;
  readonly credentialEndpoint: CredentialEndpoint;
  readonly cNonce: () => { c_nonce: string; expiresIn: number };
  readonly notify: (authorization: string | undefined, body: unknown) => Promise<void>;
  /** An offer for the admitted applicant of application `id`, who proves it with `presentation`. */
  readonly applicantOffer: (id: string, presentation: unknown) => Promise<OfferPresentation>;
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
    if (body.grant_type === AUTHORIZATION_CODE_GRANT) {
      ctx.body = await deps.exchangeCode(body);
      return;
    }
    if (body.grant_type !== PRE_AUTHORIZED_GRANT)
      throw new Oid4vciError(
        'unsupported_grant_type',
        `this token endpoint grants ${PRE_AUTHORIZED_GRANT} and ${AUTHORIZATION_CODE_GRANT} only`,
      );
    ctx.body = await deps.offers.redeem(body['pre-authorized_code'], body.tx_code);
  });
  router.post(`${OID4VCI_PATH}/nonce`, (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { c_nonce: deps.cNonce().c_nonce };
  });
  router.post(`${OID4VCI_PATH}/credential`, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      ctx.body = await deps.credentialEndpoint.handle(ctx.get('authorization') || undefined, ctx.state.body);
    } catch (error) {
      if (error instanceof Oid4vciError && error.code === 'invalid_token')
        ctx.set('WWW-Authenticate', `Bearer error="invalid_token"`);
      throw error;
    }
  });
  router.post(`${OID4VCI_PATH}/notification`, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await deps.notify(ctx.get('authorization') || undefined, ctx.state.body);
    } catch (error) {
      if (error instanceof Oid4vciError && error.code === 'invalid_token')
        ctx.set('WWW-Authenticate', `Bearer error="invalid_token"`);
      throw error;
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
