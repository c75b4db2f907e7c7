/**
 * The agreement register's JSON routes (docs/agreements.md; OpenAPI in
 * src/http/openapi/agreements-paths.ts):
 *
 * - `POST /api/v1/offers`, `POST /api/v1/offers/{id}/versions`: publish an offer or a new
 *   version, as `{ statement }` (signed by the provider's DID; no token) or, with a connector
 *   token of scope `agreements`, as `{ policy }` (`Idempotency-Key` makes retries safe).
 * - `GET /api/v1/offers[?provider=&target=&limit=&after=]`, `GET /api/v1/offers/{id}`,
 *   `GET /api/v1/offers/{id}/versions[?after=&limit=]`,
 *   `GET /api/v1/offers/{id}/versions/{n}`: public.
 * - `POST /api/v1/agreements` (connector): accept an offer `{ offer, version, policy?, endsAt? }`
 *   or register an agreement concluded elsewhere `{ agreement, endsAt? }`.
 * - `GET /api/v1/agreements[?status=]`, `GET /api/v1/agreements/{id}`,
 *   `GET /api/v1/agreements/{id}/credential` (connector, parties only).
 * - `POST /api/v1/agreements/{id}/signatures`, `POST /api/v1/agreements/{id}/termination`:
 *   `{ statement }` signed by a party; no token, or the signer's own connector's token.
 * - `POST /api/v1/agreements/check` (connector).
 */
import Router from '@koa/router';
import type Koa from 'koa';
import {
  BadRequestError,
  connectorOf,
  jsonObjectBody,
  type RequireConnector,
  requestBody,
} from '../http/index.js';
import { type LaneRoute, laneConnector, mountLaneRoute } from '../http/lane/index.js';
import { parseAgreementQuestion } from './check/check.js';
import { AgreementError } from './errors.js';
import type { Proposal } from './lifecycle/propose.js';
import type { AgreementRegister } from './register.js';

export const AGREEMENTS_SCOPE = 'agreements';

function idempotencyKey(ctx: Koa.Context): string | undefined {
  const value = ctx.get('idempotency-key');
  return value === '' ? undefined : value;
}

/** The body's members, refusing any other by name (the caller must learn that it decides nothing). */
function only(ctx: Koa.Context, allowed: readonly string[]): Record<string, unknown> {
  const body = requestBody(ctx);
  const unknown = Object.keys(body).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw new BadRequestError(
      'invalid_request',
      `unknown field ${JSON.stringify(unknown)}; the body has ${allowed.join(', ')}`,
    );
  }
  return body;
}

function text(ctx: Koa.Context, name: string): string | undefined {
  const value = ctx.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function pageLimit(ctx: Koa.Context): { limit?: number } {
  const limit = text(ctx, 'limit');
  if (limit === undefined) return {};
  if (!/^\d{1,4}$/.test(limit)) throw new AgreementError('invalid_page_size', 'limit must be a number');
  return { limit: Number(limit) };
}

function proposalOf(body: Record<string, unknown>): Proposal {
  const endsAt = body.endsAt === undefined ? {} : { endsAt: body.endsAt as string };
  if (body.agreement !== undefined) {
    if (body.offer !== undefined || body.version !== undefined || body.policy !== undefined) {
      throw new AgreementError(
        'invalid_request',
        'either accept an offer { offer, version, policy? } or register { agreement }',
      );
    }
    return { kind: 'registered', agreement: body.agreement, ...endsAt };
  }
  if (typeof body.offer !== 'string' || body.offer.length === 0 || body.offer.length > 64) {
    throw new AgreementError('invalid_request', 'offer must be an offer id');
  }
  if (!Number.isSafeInteger(body.version) || (body.version as number) < 1) {
    throw new AgreementError(
      'invalid_request',
      'version must be the offer version read (a whole number from 1)',
    );
  }
  return {
    kind: 'offer',
    offerId: body.offer,
    version: body.version as number,
    ...(body.policy === undefined ? {} : { policy: body.policy }),
    ...endsAt,
  };
}

/** `POST /api/v1/agreements/check`: served by the connector lane (src/http/lane) and by koa. */
export function agreementCheckRoute(register: AgreementRegister): LaneRoute {
  return {
    path: '/api/v1/agreements/check',
    scope: AGREEMENTS_SCOPE,
    answer: (request) => {
      const key = request.header('idempotency-key');
      return register.check(
        laneConnector(request).did,
        parseAgreementQuestion(jsonObjectBody(request.body)),
        undefined,
        key === '' ? undefined : key,
      );
    },
  };
}

export function agreementRoutes(
  register: AgreementRegister,
  requireConnector: RequireConnector,
  /** `agreementCheckRoute(register)`, the one the connector lane answers too. */
  checkRoute: LaneRoute,
): Router {
  const router = new Router();
  const token = requireConnector(AGREEMENTS_SCOPE);
  // With a bearer token the connector's member publishes; without one the body must be signed.
  const connectorIfAny: Koa.Middleware = (ctx, next) =>
    ctx.get('authorization') ? token(ctx, next) : next();
  const publishing = (ctx: Koa.Context) => (ctx.state.connector ? connectorOf(ctx).did : undefined);

  const answerOffer = (
    ctx: Koa.Context,
    published: { offer: { id: string; version: number }; replayed: boolean },
  ) => {
    ctx.status = published.replayed ? 200 : 201;
    ctx.set(
      'Location',
      `/api/v1/offers/${encodeURIComponent(published.offer.id)}/versions/${published.offer.version}`,
    );
    ctx.body = published.offer;
  };

  router.post('/api/v1/offers', connectorIfAny, async (ctx) => {
    const provider = publishing(ctx);
    const body = only(ctx, provider ? ['policy'] : ['statement']);
    answerOffer(
      ctx,
      provider
        ? await register.offers.publishByConnector(provider, body.policy, idempotencyKey(ctx))
        : await register.offers.publishSigned(body.statement),
    );
  });
  router.post('/api/v1/offers/:id/versions', connectorIfAny, async (ctx) => {
    const id = ctx.params.id ?? '';
    const provider = publishing(ctx);
    const body = only(ctx, provider ? ['policy'] : ['statement']);
    answerOffer(
      ctx,
      provider
        ? await register.offers.publishByConnector(provider, body.policy, idempotencyKey(ctx), id)
        : await register.offers.publishSigned(body.statement, id),
    );
  });
  router.get('/api/v1/offers', async (ctx) => {
    const provider = text(ctx, 'provider');
    const target = text(ctx, 'target');
    const after = text(ctx, 'after');
    ctx.body = await register.offers.list({
      ...(provider ? { provider } : {}),
      ...(target ? { target } : {}),
      ...(after ? { after } : {}),
      ...pageLimit(ctx),
    });
  });
  router.get('/api/v1/offers/:id', async (ctx) => {
    ctx.body = await register.offers.get(ctx.params.id ?? '');
  });
  router.get('/api/v1/offers/:id/versions', async (ctx) => {
    const after = text(ctx, 'after');
    if (after !== undefined && !/^\d{1,9}$/.test(after))
      throw new AgreementError('invalid_request', 'after must be a version number');
    ctx.body = await register.offers.versions(ctx.params.id ?? '', {
      ...(after === undefined ? {} : { after: Number(after) }),
      ...pageLimit(ctx),
    });
  });
  router.get('/api/v1/offers/:id/versions/:version', async (ctx) => {
    const version = ctx.params.version ?? '';
    ctx.body = await register.offers.version(
      ctx.params.id ?? '',
      /^[1-9]\d{0,8}$/.test(version) ? Number(version) : 0,
    );
    ctx.set('Cache-Control', 'public, max-age=86400, immutable');
  });

  // Before /:id, so that "check" is not read as an id.
  mountLaneRoute(router, checkRoute, requireConnector);
  router.post('/api/v1/agreements', token, async (ctx) => {
    const body = only(ctx, ['offer', 'version', 'policy', 'agreement', 'endsAt']);
    const proposed = await register.propose(connectorOf(ctx).did, proposalOf(body), idempotencyKey(ctx));
    ctx.status = proposed.replayed ? 200 : 201;
    ctx.set('Location', `/api/v1/agreements/${encodeURIComponent(proposed.agreement.id)}`);
    ctx.body = proposed.agreement;
  });
  router.get('/api/v1/agreements', token, async (ctx) => {
    const status = text(ctx, 'status');
    const after = text(ctx, 'after');
    ctx.body = await register.list(connectorOf(ctx).did, {
      ...(status ? { status } : {}),
      ...(after ? { after } : {}),
      ...pageLimit(ctx),
    });
  });
  router.get('/api/v1/agreements/:id', token, async (ctx) => {
    ctx.body = await register.get(ctx.params.id ?? '', connectorOf(ctx).did);
  });
  router.get('/api/v1/agreements/:id/credential', token, async (ctx) => {
    ctx.body = { credential: await register.credential(ctx.params.id ?? '', connectorOf(ctx).did) };
  });
  // Signed statements, posted by anyone (rate limited per address) or by the signer's own connector.
  router.post('/api/v1/agreements/:id/signatures', connectorIfAny, async (ctx) => {
    const body = only(ctx, ['statement']);
    ctx.body = await register.sign(ctx.params.id ?? '', body.statement, publishing(ctx));
  });
  router.post('/api/v1/agreements/:id/termination', connectorIfAny, async (ctx) => {
    const body = only(ctx, ['statement']);
    ctx.body = await register.terminate(ctx.params.id ?? '', body.statement, publishing(ctx));
  });
  return router;
}
