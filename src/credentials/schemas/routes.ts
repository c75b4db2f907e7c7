import Router from '@koa/router';
import { NotFoundError } from '../../http/errors.js';
import type { JsonLdContexts } from './contexts.js';
import type { SchemaRegistry } from './registry.js';
import { schemaUrl } from './schema-id.js';

/**
 * `GET /api/v1/schemas` lists every schema (type, version, `$id`, public URL, whether it is
 * the latest of its type); `GET /api/v1/schemas/{type}/{version}` serves one as
 * `application/schema+json`; `GET /contexts/{name}/{version}` serves a JSON-LD context as
 * `application/ld+json`. Anything else is a 404 problem.
 */
export function schemaRoutes(registry: SchemaRegistry, publicUrl: string, contexts: JsonLdContexts): Router {
  const router = new Router();
  // The data space's JSON-LD contexts, which issued credentials name in `@context`.
  router.get('/contexts/:name/:version', (ctx) => {
    const context = contexts.get(ctx.params.name ?? '', ctx.params.version ?? '');
    if (!context) throw new NotFoundError('No JSON-LD context has this name and version.');
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.type = 'application/ld+json';
    ctx.body = context.text;
  });
  router.get('/api/v1/schemas', (ctx) => {
    const items = registry.list().map((schema) => ({
      type: schema.type,
      version: schema.version,
      id: schema.id,
      url: schemaUrl(publicUrl, schema.type, schema.version),
      latest: registry.forType(schema.type) === schema,
    }));
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = { items, total: items.length };
  });
  router.get('/api/v1/schemas/:type/:version', (ctx) => {
    const schema = registry.get(ctx.params.type ?? '', ctx.params.version ?? '');
    if (!schema) throw new NotFoundError('No credential schema has this type and version.');
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.type = 'application/schema+json';
    ctx.body = JSON.stringify(schema.document);
  });
  return router;
}
