/**
 * One push of a SET to a webhook (RFC 8935 §2: `POST`, `Content-Type: application/secevent+jwt`,
 * success is 202 Accepted; any 2xx counts). The limits are ours and explicit, as for did:web:
 * - the URL is checked again against the registration rules (the mode may have changed);
 * - outside development mode, only public addresses (checked inside the socket's DNS lookup);
 * - one deadline covers DNS, connect, TLS, the status line and the bounded body read;
 * - no redirect is followed (3xx is a failed attempt, `redirect_refused`);
 * - no more than `maxResponseBytes` of the answer are read (enough for RFC 8935 §2.3's
 *   `{ err, description }`), the rest is cut off;
 * - no connection reuse (`agent: false`): every attempt looks the name up and is checked afresh.
 * It never throws: every outcome, good or bad, is an attempt to log.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { DidResolutionError } from '../did/errors.js';
import { EventError } from './errors.js';
import { SET_MEDIA_TYPE } from './set.js';
import { checkWebhookUrl, deliveryLookup } from './url-policy.js';

export interface PushOptions {
  readonly developmentMode: boolean;
  /** The deadline of the whole exchange. */
  readonly timeoutMs: number;
  /** Bytes of the answer read at most (default 4 KiB). */
  readonly maxResponseBytes?: number;
  /** The base DNS lookup (tests); outside development it is wrapped by the public-address check. */
  readonly lookup?: LookupFunction;
  /** CA certificates to trust for https instead of Node's bundled roots (tests). */
  readonly ca?: string | Buffer;
}

/** What one attempt came to. `error` is `<code>` or `<code>: <detail>`, at most 300 characters. */
export type PushOutcome =
  | { readonly ok: true; readonly httpStatus: number; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly httpStatus: number | null;
      readonly error: string;
      readonly durationMs: number;
    };

const DEFAULT_MAX_RESPONSE_BYTES = 4096;

export function pushSet(target: string, set: string, options: PushOptions): Promise<PushOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failed = (code: string, detail?: string, httpStatus: number | null = null): PushOutcome => ({
    ok: false,
    httpStatus,
    error: (detail ? `${code}: ${detail}` : code).slice(0, 300),
    durationMs: elapsed(),
  });
  let url: URL;
  try {
    url = checkWebhookUrl(target, options.developmentMode);
  } catch (error) {
    const code = error instanceof EventError ? error.code : 'invalid_url';
    return Promise.resolve(failed(code, (error as Error).message));
  }
  const secure = url.protocol === 'https:';
  const lookup = deliveryLookup(options.developmentMode, options.lookup);
  const body = Buffer.from(set, 'ascii');
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const requestOptions: https.RequestOptions = {
    method: 'POST',
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    path: url.pathname + url.search,
    headers: {
      'content-type': SET_MEDIA_TYPE,
      'content-length': String(body.length),
      accept: 'application/json',
      'accept-encoding': 'identity',
      'user-agent': 'dataspace-trust-events',
    },
    agent: false,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    ...(lookup === undefined ? {} : { lookup }),
    ...(secure && options.ca !== undefined ? { ca: options.ca } : {}),
  };

  return new Promise((resolve) => {
    let settled = false;
    const request = (secure ? https : http).request(requestOptions);
    const finish = (outcome: PushOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish(failed('timeout', `no complete answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    request.on('error', (error) => {
      if (error instanceof DidResolutionError && error.code === 'private_address')
        return finish(failed('private_address', error.message));
      finish(failed('connection_failed', (error as NodeJS.ErrnoException).code ?? error.message));
    });
    request.on('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let received = 0;
      const conclude = () => {
        if (status >= 200 && status < 300)
          return finish({ ok: true, httpStatus: status, durationMs: elapsed() });
        if (status >= 300 && status < 400)
          return finish(failed('redirect_refused', `answered ${status}; redirects are not followed`, status));
        const reason = receiverError(Buffer.concat(chunks));
        finish(failed('http_status', `answered ${status}${reason ? ` ${reason}` : ''}`, status));
      };
      // Only a refusal's body is worth reading (its RFC 8935 `err`); a success needs none.
      if (status >= 200 && status < 400) return conclude();
      response.on('data', (chunk: Buffer) => {
        if (received >= maxBytes) return;
        received += chunk.length;
        chunks.push(chunk);
        if (received >= maxBytes) conclude();
      });
      response.on('end', conclude);
      response.on('error', conclude);
      response.on('close', conclude);
    });
    request.end(body);
  });
}

/** The `err` of an RFC 8935 §2.3 error answer, when the body is one. */
function receiverError(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { err?: unknown };
    return typeof parsed.err === 'string' && /^[a-z_]{1,40}$/.test(parsed.err) ? parsed.err : undefined;
  } catch {
    return undefined;
  }
}
