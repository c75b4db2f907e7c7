import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress, publicAddressLookup } from './address-policy.js';
import { DidResolutionError } from './errors.js';

/**
 * Fetches one did:web document with node:http / node:https directly, so that every limit is
 * ours and explicit (did:web method specification §2.6 "Security and Privacy"):
 * - no redirect is followed (3xx → `redirect_refused`);
 * - one deadline covers DNS, connect, TLS, headers and the whole body (`timeout`);
 * - the body is capped, checked against Content-Length first and then while it streams,
 *   aborting as soon as the cap is passed (`too_large`);
 * - outside development, https only (`insecure_transport`) and only public addresses
 *   (`private_address`, checked inside the socket's own DNS lookup);
 * - no connection reuse (`agent: false`): every fetch looks the name up and is checked afresh.
 */
export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_MAX_BYTES = 64 * 1024;

const ACCEPT = 'application/did+json, application/json';

/**
 * Transport settings for tests and unusual deployments, passed explicitly (never globals).
 * Outside development, a custom `lookup` still goes through the public-address check.
 */
export interface DidTransportOptions {
  /** Resolves host names (default: node:dns lookup). */
  readonly lookup?: LookupFunction;
  /** CA certificates to trust for https instead of Node's bundled roots. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
}

export interface FetchDocumentOptions {
  readonly developmentMode: boolean;
  /** Deadline for the whole exchange (default 3000 ms). */
  readonly timeoutMs?: number;
  /** Largest accepted body in bytes (default 64 KiB). */
  readonly maxBytes?: number;
  readonly transport?: DidTransportOptions;
}

function checkTransport(url: URL, developmentMode: boolean): void {
  const localHttp = url.protocol === 'http:' && developmentMode && url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !localHttp) {
    throw new DidResolutionError(
      'insecure_transport',
      `${url.protocol} is refused: did:web uses https (http only for localhost in development)`,
    );
  }
  // IP literals bypass the lookup, so they are checked here (did:web itself refuses them).
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!developmentMode && isIP(host) !== 0 && !isPublicAddress(host)) {
    throw new DidResolutionError('private_address', `${host} is not a public address`);
  }
}

function decodeJson(body: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new DidResolutionError('invalid_document', 'the DID document is not UTF-8 JSON');
  }
}

/**
 * GETs a DID document and returns it parsed as JSON (shape not yet checked), or rejects
 * with DidResolutionError.
 */
export async function fetchDidDocument(url: URL, options: FetchDocumentOptions): Promise<unknown> {
  return decodeJson(await fetchBounded(url, { ...options, accept: ACCEPT }));
}

/**
 * The hardened GET behind did:web, for other small documents the verifier must fetch
 * (status list credentials): the same transport rules, deadline and size cap; the body is
 * returned as bytes. Rejects with DidResolutionError (its codes describe the transport).
 */
export function fetchBounded(
  url: URL,
  options: FetchDocumentOptions & { readonly accept: string },
): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  try {
    checkTransport(url, options.developmentMode);
  } catch (error) {
    return Promise.reject(error);
  }
  const transport = options.transport ?? {};
  const lookup = options.developmentMode ? transport.lookup : publicAddressLookup(transport.lookup);
  const secure = url.protocol === 'https:';
  const requestOptions: https.RequestOptions = {
    method: 'GET',
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    path: url.pathname + url.search,
    headers: { accept: options.accept, 'accept-encoding': 'identity' },
    agent: false,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    ...(lookup === undefined ? {} : { lookup }),
    ...(secure && transport.ca !== undefined
      ? { ca: transport.ca as string | Buffer | (string | Buffer)[] }
      : {}),
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    const request = (secure ? https : http).request(requestOptions);
    const fail = (error: DidResolutionError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new DidResolutionError('timeout', `${url.origin} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );

    request.on('error', (error) => {
      fail(
        error instanceof DidResolutionError
          ? error
          : new DidResolutionError('fetch_failed', `fetching ${url.href} failed: ${error.message}`, {
              cause: error,
            }),
      );
    });

    request.on('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        return fail(
          new DidResolutionError(
            'redirect_refused',
            `${url.href} answered ${status}; redirects are not followed`,
          ),
        );
      }
      if (status === 404 || status === 410) {
        return fail(new DidResolutionError('not_found', `${url.href} answered ${status}`));
      }
      if (status !== 200) {
        return fail(new DidResolutionError('fetch_failed', `${url.href} answered ${status}`));
      }
      const encoding = response.headers['content-encoding'];
      if (encoding !== undefined && encoding !== 'identity') {
        return fail(new DidResolutionError('invalid_document', `the document is ${encoding}-encoded`));
      }
      const tooLarge = () =>
        new DidResolutionError('too_large', `the document is larger than ${maxBytes} bytes`);
      const declared = response.headers['content-length'];
      if (declared !== undefined && Number(declared) > maxBytes) return fail(tooLarge());

      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) return fail(tooLarge());
        chunks.push(chunk);
      });
      response.on('error', (error) => {
        fail(
          new DidResolutionError('fetch_failed', `reading ${url.href} failed: ${error.message}`, {
            cause: error,
          }),
        );
      });
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      });
      response.on('close', () => {
        if (!response.complete) {
          fail(new DidResolutionError('fetch_failed', `${url.href} closed before the end of the body`));
        }
      });
    });

    request.end();
  });
}
