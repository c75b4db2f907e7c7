import Router from '@koa/router';
import { BadRequestError, jsonObjectBody, requestBody } from '../http/index.js';
import { type LaneRoute, mountLaneRoute } from '../http/lane/index.js';
import type { CredentialVerificationResult, PresentationVerificationResult } from './verify/result.js';
import { type CredentialVerifierDeps, verifyCredential } from './verify/verify-credential.js';
import { type PresentationVerifierDeps, verifyPresentation } from './verify/verify-presentation.js';

/** Told every answered verification (metrics). */
export type VerificationObserver = (
  kind: 'credential' | 'presentation',
  result: CredentialVerificationResult | PresentationVerificationResult,
) => void;

const MAX_CHALLENGE_LENGTH = 512;

function requiredString(
  body: Record<string, unknown>,
  field: string,
  maxLength = Number.POSITIVE_INFINITY,
): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new BadRequestError('invalid_request', `the body needs "${field}" as a non-empty string`);
  }
  if (value.length > maxLength)
    throw new BadRequestError('invalid_request', `"${field}" is longer than ${maxLength}`);
  return value;
}

/** `POST /api/v1/credentials/verify`: served by the connector lane (src/http/lane) and by koa. */
export function verifyCredentialRoute(
  deps: CredentialVerifierDeps,
  observe: VerificationObserver = () => {},
): LaneRoute {
  return {
    path: '/api/v1/credentials/verify',
    async answer(request) {
      const credential = requiredString(jsonObjectBody(request.body), 'credential');
      const result = await verifyCredential(credential, deps);
      observe('credential', result);
      return result;
    },
  };
}

/**
 * The verification API for connectors. A well-formed request always gets 200 with the typed
 * result (verified or not, with every check); only a request that is not JSON or lacks its
 * fields gets a 400 problem. Bodies over the limit are refused with 413 before any crypto.
 */
export function verificationRoutes(
  deps: PresentationVerifierDeps & CredentialVerifierDeps,
  observe: VerificationObserver,
  /** `verifyCredentialRoute(deps, observe)`, the one the connector lane answers too. */
  verifyRoute: LaneRoute,
): Router {
  const router = new Router();
  mountLaneRoute(router, verifyRoute);
  router.post('/api/v1/presentations/verify', async (ctx) => {
    const body = requestBody(ctx);
    const presentation = requiredString(body, 'presentation');
    const challenge = requiredString(body, 'challenge', MAX_CHALLENGE_LENGTH);
    const domain = requiredString(body, 'domain', MAX_CHALLENGE_LENGTH);
    ctx.set('Cache-Control', 'no-store');
    const result = await verifyPresentation(presentation, { challenge, domain }, deps);
    observe('presentation', result);
    ctx.body = result;
  });
  return router;
}
