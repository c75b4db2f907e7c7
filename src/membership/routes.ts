import Router from '@koa/router';
import { BadRequestError, didFromPathSegment, requestBody } from '../http/index.js';
import type { Applications } from './applications.js';
import type { Challenges } from './challenges.js';
import type { MemberRegistry } from './members.js';

export interface MembershipRoutesDeps {
  readonly serviceDid: string;
  readonly challenges: Challenges;
  readonly applications: Applications;
  readonly registry: MemberRegistry;
  /** A member's signed withdrawal `{ iss: memberDid, aud, action: 'withdraw', iat, jti }`. */
  readonly withdraw: (did: string, statement: unknown) => Promise<void>;
}

/** The raw `:did` segment of /api/v1/members/:did[/...]. */
function memberDid(path: string): string {
  return didFromPathSegment(path.split('/')[4] ?? '');
}

export function membershipRoutes(deps: MembershipRoutesDeps): Router {
  const router = new Router();
  router.get('/api/v1/membership/challenge', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { ...(await deps.challenges.issue()), audience: deps.serviceDid };
  });
  router.post('/api/v1/membership/applications', async (ctx) => {
    const application = await deps.applications.submit(requestBody(ctx).presentation);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/membership/applications/${application.id}`);
    ctx.body = application;
  });
  router.get('/api/v1/membership/applications/:id', async (ctx) => {
    ctx.body = await deps.applications.get(ctx.params.id ?? '');
  });
  router.post('/api/v1/membership/applications/:id/credential', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await deps.applications.credential(ctx.params.id ?? '', requestBody(ctx).presentation);
  });
  router.get('/api/v1/members', async (ctx) => {
    const query = ctx.query;
    const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
    const limit = text('limit');
    if (limit !== undefined && !/^\d+$/.test(limit))
      throw new BadRequestError('invalid_page_size', 'limit must be a number');
    ctx.body = await deps.registry.list({
      ...(text('role') ? { role: text('role') } : {}),
      ...(text('side') ? { side: text('side') } : {}),
      ...(text('status') ? { status: text('status') } : {}),
      ...(text('after') ? { after: text('after') } : {}),
      ...(limit ? { limit: Number(limit) } : {}),
    });
  });
  router.get('/api/v1/members/:did', async (ctx) => {
    ctx.body = await deps.registry.get(memberDid(ctx.path));
  });
  router.post('/api/v1/members/:did/withdrawal', async (ctx) => {
    const did = memberDid(ctx.path);
    await deps.withdraw(did, requestBody(ctx).withdrawal);
    ctx.body = await deps.registry.get(did);
  });
  return router;
}
