import Router from '@koa/router';
import type { ServiceIdentity } from './service-identity.js';

/** Serves the DID document at the did:web location of PUBLIC_URL, whatever the Host header says. */
export function identityRoutes(identity: ServiceIdentity): Router {
  const router = new Router();
  router.get(identity.location.routePath, async (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.type = 'application/did+ld+json';
    ctx.body = JSON.stringify(await identity.document());
  });
  return router;
}
