/**
 * The did:web of the service, derived from PUBLIC_URL per the did:web method
 * specification §3.2: the host (with its port percent-encoded as `%3A`) and each path
 * segment, joined by `:`. Without a path the document lives at `/.well-known/did.json`,
 * with one at `/<path>/did.json`.
 */
export interface DidWebLocation {
  readonly did: string;
  /** The HTTP path that serves the DID document. */
  readonly documentPath: string;
  /** The path prefix of PUBLIC_URL ('' when none). */
  readonly basePath: string;
  /** The route of the document below the base path: `/did.json` or `/.well-known/did.json`. */
  readonly routePath: string;
}

export function didWebForUrl(publicUrl: string): DidWebLocation {
  const url = new URL(publicUrl);
  const host = url.port ? `${url.hostname}%3A${url.port}` : url.hostname;
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const did = [
    'did:web',
    host,
    ...segments.map((segment) => encodeURIComponent(decodeURIComponent(segment))),
  ].join(':');
  const basePath = segments.length > 0 ? `/${segments.join('/')}` : '';
  const routePath = basePath ? '/did.json' : '/.well-known/did.json';
  return { did, basePath, routePath, documentPath: `${basePath}${routePath}` };
}
