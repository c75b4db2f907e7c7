import Router from '@koa/router';
import { NotFoundError } from '../http/errors.js';
import { RulebookStoreError } from './errors.js';
import type { AdoptedRulebook, RulebookStore, RulebookVersionInfo } from './store.js';

/**
 * The rulebook, read-only and public:
 * - `GET /api/v1/rulebook`: the rulebook in force, `{ version, hash, adoptedAt, adoptedBy, current, rulebook }`
 *   (with the hash as ETag);
 * - `GET /api/v1/rulebook/versions`: every adopted version, oldest first, `{ items, total }`;
 * - `GET /api/v1/rulebook/versions/{version}`: one adopted version, as the first; a 404
 *   problem (`not_found`) for a version never adopted.
 * Amendments are adopted by board motions, never through these routes.
 */
export function rulebookRoutes(store: RulebookStore): Router {
  const router = new Router();
  router.get('/api/v1/rulebook', async (ctx) => {
    let adopted: AdoptedRulebook;
    try {
      adopted = await store.current();
    } catch (error) {
      if (error instanceof RulebookStoreError && error.code === 'rulebook_not_adopted') {
        throw new NotFoundError('No rulebook has been adopted yet.');
      }
      throw error;
    }
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.set('ETag', `"${adopted.hash}"`);
    ctx.body = full(adopted);
  });
  router.get('/api/v1/rulebook/versions', async (ctx) => {
    const items = (await store.versions()).map(summary);
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = { items, total: items.length };
  });
  router.get('/api/v1/rulebook/versions/:version', async (ctx) => {
    const adopted = await store.get(ctx.params.version ?? '');
    if (!adopted) throw new NotFoundError('No rulebook version with this number has been adopted.');
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.set('ETag', `"${adopted.hash}"`);
    ctx.body = full(adopted);
  });
  return router;
}

function summary(info: RulebookVersionInfo) {
  return {
    version: info.version,
    hash: info.hash,
    adoptedAt: info.adoptedAt.toISOString(),
    adoptedBy: info.adoptedBy,
    current: info.current,
  };
}

function full(adopted: AdoptedRulebook) {
  return { ...summary(adopted), rulebook: adopted.rulebook.document };
}
