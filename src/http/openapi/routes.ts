import Router from '@koa/router';
import type { Json } from './common.js';
import { OPENAPI_PATH } from './document.js';

/** `GET /api/v1/openapi.json`: the description, serialised once. */
export function openApiRoutes(document: Json): Router {
  const body = JSON.stringify(document);
  const router = new Router();
  router.get(OPENAPI_PATH, (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.type = 'application/json';
    ctx.body = body;
  });
  return router;
}
