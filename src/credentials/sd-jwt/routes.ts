import Router from '@koa/router';
import { NotFoundError } from '../../http/errors.js';
import type { TokenStatusListPublisher } from './token-list-publisher.js';
import type { VctRegistry } from './vct.js';

const LIST_ID = /^[A-Za-z0-9_-]{1,64}$/;
const VCT_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * `GET /status-lists/{listId}`: a Token Status List as its signed Status List Token
 * (`application/statuslist+jwt`), cacheable for its ttl, with an ETag and `304` on a matching
 * `If-None-Match`. `GET /vct/{name}`: SD-JWT VC type metadata (SD-JWT VC §6) of a vct this
 * service publishes (`application/json`). Unknown ids are `404` problems with code `not_found`.
 */
export function sdJwtRoutes(publisher: TokenStatusListPublisher, vcts: VctRegistry): Router {
  const router = new Router();
  router.get('/status-lists/:listId', async (ctx) => {
    const listId = ctx.params.listId ?? '';
    const signed = LIST_ID.test(listId) ? await publisher.signedList(listId) : undefined;
    if (!signed) throw new NotFoundError('No token status list has this id.');
    ctx.set('Cache-Control', `public, max-age=${publisher.ttlSeconds}`);
    ctx.set('ETag', signed.etag);
    ctx.set('Access-Control-Allow-Origin', '*');
    const match = ctx.get('If-None-Match');
    if (
      match.trim() === '*' ||
      match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === signed.etag)
    ) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'application/statuslist+jwt';
    ctx.body = signed.jwt;
  });
  router.get('/vct/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    const metadata = VCT_NAME.test(name) ? vcts.metadata(name) : undefined;
    if (!metadata) throw new NotFoundError('No credential type is published under this name.');
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.type = 'application/json';
    ctx.body = metadata;
  });
  return router;
}
