import Router from '@koa/router';
import { NotFoundError } from '../../http/errors.js';
import type { StatusListPublisher } from './publisher.js';

const LIST_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `GET /status/{listId}`: the signed BitstringStatusListCredential as a compact JWS
 * (`application/vc+jwt`), cacheable by anyone for the ttl, with an ETag and `304` on a
 * matching `If-None-Match`. An unknown list is a `404` problem with code `not_found`.
 * Takes the service's one publisher, whose cache the verifier's own-list lookups share.
 */
export function statusRoutes(publisher: StatusListPublisher): Router {
  const router = new Router();
  router.get('/status/:listId', async (ctx) => {
    const listId = ctx.params.listId ?? '';
    const signed = LIST_ID.test(listId) ? await publisher.signedList(listId) : undefined;
    if (!signed) throw new NotFoundError('No status list has this id.');
    ctx.set('Cache-Control', `public, max-age=${publisher.ttlSeconds}`);
    ctx.set('ETag', signed.etag);
    ctx.set('Access-Control-Allow-Origin', '*');
    if (matchesAny(ctx.get('If-None-Match'), signed.etag)) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'application/vc+jwt';
    ctx.body = signed.jws;
  });
  return router;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison, and `*` matches any current representation. */
function matchesAny(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .includes(etag);
}
