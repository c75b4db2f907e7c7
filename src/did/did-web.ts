import { isIP } from 'node:net';
import { parseDid } from './did-syntax.js';
import { DidResolutionError } from './errors.js';

/**
 * did:web → the URL of its DID document (did:web method specification §3.2, "Read"):
 * `did:web:<host>[%3A<port>][:<segment>...]` becomes `https://<host>[:<port>]/<segment>/.../did.json`,
 * or `https://<host>[:<port>]/.well-known/did.json` when there is no path.
 *
 * Hardened beyond the specification, because a DID is attacker-chosen input that makes this
 * service open a connection. Everything below is refused with `invalid_did` before any network
 * access, never normalised (DIDs are compared exactly, so a near-miss must not reach the same
 * URL as another DID):
 * - IP-literal hosts in any spelling the WHATWG URL parser would accept as an address
 *   (`127.0.0.1`, `2130706433`, `0x7f.1`, `017700000001`, IPv6 in any form);
 * - userinfo (`@` / `%40`), and `%2F`, `%3F`, `%23`, `%5C`, `%00` in any segment (any case);
 * - any percent-escape in the host except one `%3A` port separator;
 * - empty, `.` and `..` segments (also percent-encoded), control characters;
 * - a host that is not a lowercase DNS name (labels `a-z0-9-`, ≤ 63 characters, ≤ 253 in all),
 *   a trailing-dot host, a single-label host (only `localhost`, only in development);
 * - a port outside 1–65535 or with a leading zero.
 *
 * The scheme is https, except `http` for the host `localhost` when `developmentMode` is true.
 */
export interface DidWebOptions {
  readonly developmentMode: boolean;
}

export const DID_WEB_PREFIX = 'did:web:';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOSTILE_ESCAPE = /%(?:2f|3f|23|5c|40|00)/i;
const PORT_SEPARATOR = '%3A';

function refuse(reason: string): never {
  throw new DidResolutionError('invalid_did', `did:web ${reason}`);
}

/**
 * Why `hostname` is not a host this service connects to by name, or undefined when it is one:
 * a lowercase DNS name without percent-escapes or a trailing dot, not an IP address in any
 * spelling, with at least two labels (only `localhost`, only in development, has one). Shared
 * by did:web and the https issuers the trust anchors name, so both follow one rule.
 */
export function hostnameProblem(hostname: string, developmentMode: boolean): string | undefined {
  if (hostname.includes('%')) {
    return 'host must not contain percent-escapes other than the %3A port separator';
  }
  if (/[A-Z]/.test(hostname)) return 'host must be lowercase';
  if (hostname.endsWith('.')) return 'host must not end with a dot';
  if (hostname.length > 253) return 'host is longer than 253 characters';
  if (isIP(hostname) !== 0) return 'host must be a domain name, not an IP address';
  const labels = hostname.split('.');
  if (!labels.every((label) => LABEL.test(label))) return 'host is not a valid DNS name';
  // The WHATWG URL parser reads a host whose last label is a number (decimal, or 0x hex) as IPv4.
  const last = labels[labels.length - 1] as string;
  if (/^[0-9]+$/.test(last) || /^0x[0-9a-f]*$/.test(last)) {
    return 'host must be a domain name, not an IP address';
  }
  if (labels.length === 1 && !(developmentMode && hostname === 'localhost')) {
    return 'host must be a fully qualified domain name';
  }
  return undefined;
}

function checkHostname(hostname: string, developmentMode: boolean): void {
  const problem = hostnameProblem(hostname, developmentMode);
  if (problem !== undefined) refuse(problem);
}

function checkPort(port: string): void {
  if (!/^[1-9][0-9]{0,4}$/.test(port) || Number(port) > 65535) refuse('port must be 1-65535');
}

function checkPathSegment(segment: string): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    refuse('path segment is not valid percent-encoded UTF-8');
  }
  if (decoded === '.' || decoded === '..') refuse('path must not contain "." or ".." segments');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused here.
  if (/[\u0000-\u001f\u007f/?#\\@]/.test(decoded)) refuse('path segment decodes to a forbidden character');
}

/**
 * The URL of a did:web DID document, or `invalid_did` (see the module notes for what is
 * refused). Makes no network access.
 */
export function didWebToUrl(did: string, options: DidWebOptions): URL {
  const { method, methodSpecificId } = parseDid(did);
  if (method !== 'web') throw new DidResolutionError('invalid_did', 'not a did:web');
  const segments = methodSpecificId.split(':');
  if (segments.some((segment) => segment === '')) refuse('must not contain empty segments');
  if (segments.some((segment) => HOSTILE_ESCAPE.test(segment))) {
    refuse('must not contain encoded "/", "?", "#", "\\", "@" or NUL');
  }
  const [host, ...path] = segments as [string, ...string[]];
  const hostParts = host.split(PORT_SEPARATOR);
  if (hostParts.length > 2) refuse('host must contain at most one %3A port separator');
  const [hostname, port] = hostParts as [string, string | undefined];
  checkHostname(hostname, options.developmentMode);
  if (port !== undefined) checkPort(port);
  for (const segment of path) checkPathSegment(segment);

  const scheme = options.developmentMode && hostname === 'localhost' ? 'http' : 'https';
  const pathname = path.length > 0 ? `/${path.join('/')}/did.json` : '/.well-known/did.json';
  const url = new URL(`${scheme}://${hostname}${port === undefined ? '' : `:${port}`}${pathname}`);
  // Defence in depth: the URL parser must have taken every part exactly as checked above.
  if (
    url.hostname !== hostname ||
    url.pathname !== pathname ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    refuse('does not map to an unambiguous URL');
  }
  return url;
}
