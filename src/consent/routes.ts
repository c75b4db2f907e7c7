/**
 * The consent register's JSON routes (docs/consent.md; OpenAPI in src/http/openapi/consent-paths.ts):
 *
 * - `POST /api/v1/notices`, `POST /api/v1/notices/{id}/versions`: publish a notice or a new
 *   version, either as `{ statement }` (a JWS signed by the controller's DID; no token needed)
 *   or, with a connector's bearer token of scope `notices`, as `{ notice }` (the controller is
 *   the token's member; an `Idempotency-Key` header makes retries safe). 201 with a Location,
 *   200 for a retry answered with the earlier publication.
 * - `GET /api/v1/notices[?controller=&limit=&after=]`, `GET /api/v1/notices/{id}`,
 *   `GET /api/v1/notices/{id}/versions/{n}`: public.
 * - `POST /api/v1/consents/check`: a connector's bearer token of scope `consents:check`.
 *
 * The citizen's operations (give, withdraw, list, export, erase) have no route here: they need
 * the citizen's wallet login, which the consent pages hold (they call ConsentRegister directly).
 */
import Router from '@koa/router';
import type Koa from 'koa';
import { BadRequestError, jsonObjectBody, type RequireConnector, requestBody } from '../http/index.js';
import { type LaneRoute, laneConnector, mountLaneRoute } from '../http/lane/index.js';
import { parseQuestion } from './check/check.js';
import type { ConsentRegister } from './register.js';

/** The connector a bearer token authenticated (set by the `authenticate` middleware). */
export interface AuthenticatedConnector {
  readonly did: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly tokenId: string;
}

/**
 * The connector-token middleware of the composition root: it verifies the bearer token, its
 * scope and that the member is active (else it answers 401/403 itself), and sets
 * `ctx.state.connector`.
 */
export type Authenticate = RequireConnector;

export const NOTICES_SCOPE = 'notices';
export const CHECK_SCOPE = 'consents:check';

function connectorOf(ctx: Koa.Context): AuthenticatedConnector | undefined {
  const connector = ctx.state.connector as AuthenticatedConnector | undefined;
  return connector && typeof connector.did === 'string' ? connector : undefined;
}

function idempotencyKey(ctx: Koa.Context): string | undefined {
  const value = ctx.get('idempotency-key');
  return value === '' ? undefined : value;
}

/** `POST /api/v1/consents/check`: served by the connector lane (src/http/lane) and by koa. */
export function consentCheckRoute(register: ConsentRegister): LaneRoute {
  return {
    path: '/api/v1/consents/check',
    scope: CHECK_SCOPE,
    answer: (request) =>
      register.check(laneConnector(request).did, parseQuestion(jsonObjectBody(request.body))),
  };
}

export function consentRoutes(
  register: ConsentRegister,
  authenticate: Authenticate,
  /** `consentCheckRoute(register)`, the one the connector lane answers too. */
  checkRoute: LaneRoute,
): Router {
  const router = new Router();
  const noticesToken = authenticate(NOTICES_SCOPE);
  // A request with a bearer token publishes as that connector's member; one without must be signed.
  const connectorIfAny: Koa.Middleware = (ctx, next) =>
    ctx.get('authorization') ? noticesToken(ctx, next) : next();

  router.post('/api/v1/notices', connectorIfAny, async (ctx) => {
    const connector = connectorOf(ctx);
    const body = publicationBody(ctx);
    const published = connector
      ? await register.notices.publishByConnector(connector.did, body.notice, idempotencyKey(ctx))
      : await register.notices.publishSigned(body.statement);
    answerPublished(ctx, published);
  });
  router.post('/api/v1/notices/:id/versions', connectorIfAny, async (ctx) => {
    const id = ctx.params.id ?? '';
    const connector = connectorOf(ctx);
    const body = publicationBody(ctx);
    const published = connector
      ? await register.notices.publishVersionByConnector(connector.did, id, body.notice, idempotencyKey(ctx))
      : await register.notices.publishVersionSigned(id, body.statement);
    answerPublished(ctx, published);
  });
  router.get('/api/v1/notices', async (ctx) => {
    const text = (name: string) =>
      typeof ctx.query[name] === 'string' ? (ctx.query[name] as string) : undefined;
    const limit = text('limit');
    if (limit !== undefined && !/^\d{1,4}$/.test(limit))
      throw new BadRequestError('invalid_page_size', 'limit must be a number');
    ctx.body = await register.notices.list({
      ...(text('controller') ? { controller: text('controller') } : {}),
      ...(text('after') ? { after: text('after') } : {}),
      ...(limit ? { limit: Number(limit) } : {}),
    });
  });
  router.get('/api/v1/notices/:id', async (ctx) => {
    ctx.body = await register.notices.get(ctx.params.id ?? '');
  });
  router.get('/api/v1/notices/:id/versions/:version', async (ctx) => {
    const version = ctx.params.version ?? '';
    const number = /^[1-9]\d{0,8}$/.test(version) ? Number(version) : 0;
    ctx.body = await register.notices.version(ctx.params.id ?? '', number);
    // A version never changes.
    ctx.set('Cache-Control', 'public, max-age=86400, immutable');
  });
  mountLaneRoute(router, checkRoute, authenticate);
  return router;
}

function answerPublished(
  ctx: Koa.Context,
  published: { notice: { id: string; version: number }; replayed: boolean },
): void {
  const { notice } = published;
  ctx.status = published.replayed ? 200 : 201;
  ctx.set('Location', `/api/v1/notices/${encodeURIComponent(notice.id)}/versions/${notice.version}`);
  ctx.body = published.notice;
}

/**
 * The body of a publication: `{ notice }` from a connector, `{ statement }` signed by the
 * member. Any other member (say `controller`) is refused by name rather than ignored: the
 * caller must learn that it decides nothing.
 */
function publicationBody(ctx: Koa.Context): Record<string, unknown> {
  const body = requestBody(ctx);
  const unknown = Object.keys(body).find((key) => key !== 'notice' && key !== 'statement');
  if (unknown !== undefined) {
    throw new BadRequestError(
      'invalid_request',
      `unknown field ${JSON.stringify(unknown)}: the body is { notice } (connector) or { statement } (signed)`,
    );
  }
  return body;
}
