/**
 * Issuers named by an https URL (SD-JWT VC §3.2.2.2 `iss`, keys from `/.well-known/jwt-vc-issuer`)
 * as trust-anchor identifiers. The same address rules as did:web and the metadata fetcher
 * (src/did/did-web.ts, src/credentials/sd-jwt/issuer-metadata.ts): https only (http only for
 * `localhost`, only in development mode), a lowercase DNS host (no IP literal, no trailing dot,
 * one label only for `localhost` in development), no userinfo, query or fragment, and a path of
 * plain segments (no empty, `.` or `..` segment, no encoded `/`, `\`, `?`, `#`, `@`, `.` or NUL).
 *
 * One spelling only: the identifier must already be in its canonical form, the WHATWG URL
 * serialisation without the `/` of an empty path and without a trailing `/` (`https://pid.example`,
 * `https://pid.example:8443/tenants/a`). Anything else is refused, never normalised, because
 * credentials are matched against it as an exact string (as DIDs are): `https://PID.example`,
 * `https://pid.example/` and `https://pid.example:443` are refused with the canonical form named.
 */
import { hostnameProblem } from '../did/index.js';

const HOSTILE_ESCAPE = /%(?:2f|3f|23|5c|40|00|2e)/i;

/** True when `value` looks like an https (or http) issuer identifier rather than a DID. */
export function isHttpsIssuerId(value: string): boolean {
  return value.startsWith('https://') || value.startsWith('http://');
}

/**
 * Why `value` is not an https issuer identifier a trust anchor may name, or undefined when it
 * is one. `developmentMode` allows `http://localhost[:port]` as the metadata fetcher does.
 */
export function httpsIssuerProblem(value: string, developmentMode: boolean): string | undefined {
  if (value.length > 2048) return 'is longer than 2048 characters';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused here.
  if (/[\u0000-\u0020\u007f\\]/.test(value)) return 'contains a space, a control character or a backslash';
  if (value.includes('#')) return 'has a fragment';
  if (value.includes('?')) return 'has a query';
  // Before parsing: the URL parser resolves `%2e%2e` as `..` itself.
  if (HOSTILE_ESCAPE.test(value)) return 'has an encoded "/", "\\", "?", "#", "@", "." or NUL';
  if (!URL.canParse(value)) return 'is not a URL';
  const url = new URL(value);
  if (url.username !== '' || url.password !== '' || /^[a-z]+:\/\/[^/]*@/i.test(value))
    return 'has userinfo (user:password@)';
  const localHttp = developmentMode && url.protocol === 'http:' && url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !localHttp)
    return `uses ${url.protocol} (https only; http only for localhost in development mode)`;
  const host = hostnameProblem(url.hostname, developmentMode);
  if (host !== undefined) return host;
  const segments = url.pathname === '/' ? [] : url.pathname.slice(1).split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..'))
    return 'has an empty, "." or ".." path segment (or a trailing /)';
  const canonical = canonicalHttpsIssuer(url);
  if (canonical !== value) return `is not in canonical form; write it as ${canonical}`;
  return undefined;
}

/** True when `value` is an https issuer identifier in canonical form (any mode's loopback rule aside). */
export function isHttpsIssuer(value: unknown): value is string {
  return typeof value === 'string' && isHttpsIssuerId(value) && httpsIssuerProblem(value, true) === undefined;
}

function canonicalHttpsIssuer(url: URL): string {
  return url.pathname === '/' ? url.origin : `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
