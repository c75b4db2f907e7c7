/**
 * For event tests: a real local HTTP receiver of pushed SETs (RFC 8935), the SET check against
 * the service's published DID document, and a controllable clock.
 */
import { strict as assert } from 'node:assert';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, type JWTPayload, jwtVerify } from 'jose';
import request from 'supertest';
import type { EventSettings } from '../../src/config/index.js';
import { serviceSigner } from '../../src/credentials/sign.js';
import { type Events, openEvents } from '../../src/events/index.js';
import type { Service } from '../../src/service.js';
import { TEST_SECRET } from '../support/service.js';

export interface Received {
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
  readonly method: string;
  readonly path: string;
  /** Date.now() when it arrived. */
  readonly at: number;
}

/** What the receiver answers the n-th request (1-based): a status and body, after an optional delay. */
export type Responder = (
  n: number,
  req: IncomingMessage,
) => { status: number; body?: string; delayMs?: number; headers?: Record<string, string> };

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  respond: Responder;
  /** Stops listening (the endpoint is down: connections are refused). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Resolves once `count` requests arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(
  path = '/events',
  respond: Responder = () => ({ status: 202 }),
): Promise<Receiver> {
  const received: Received[] = [];
  /** Each answers true once satisfied (and is then dropped). */
  const waiters: (() => boolean)[] = [];
  let server: Server;
  const receiver = {
    url: '',
    port: 0,
    received,
    respond,
    async down() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async up() {
      server = listen();
      await new Promise<void>((resolve) => server.listen(receiver.port, '127.0.0.1', resolve));
    },
    waitFor(count: number, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${received.length} of ${count} requests arrived`)),
          timeoutMs,
        );
        const check = () => {
          if (received.length >= count) {
            clearTimeout(timer);
            resolve();
            return true;
          }
          return false;
        };
        if (!check()) waiters.push(check);
      });
    },
    async close() {
      if (server.listening) await receiver.down();
    },
  };
  const listen = () =>
    createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          body: Buffer.concat(chunks).toString('utf8'),
          headers: req.headers,
          method: req.method ?? '',
          path: req.url ?? '',
          at: Date.now(),
        });
        const answer = receiver.respond(received.length, req);
        const send = () => {
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body ?? '');
          for (const waiter of waiters.splice(0)) if (!waiter()) waiters.push(waiter);
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
  server = listen();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}${path}`;
  return receiver;
}

/**
 * Verifies a SET as a receiver would: the service's DID document fetched from the service,
 * the key named by `kid`, ES256, `typ: secevent+jwt`, issuer the service DID, audience the member.
 */
export async function verifySet(
  service: Service,
  token: string,
  audience: string,
  currentDate?: Date,
): Promise<JWTPayload> {
  const header = decodeProtectedHeader(token);
  assert.equal(header.typ, 'secevent+jwt');
  assert.equal(header.alg, 'ES256');
  const document = (await request(service.app.callback()).get('/.well-known/did.json').expect(200)).body as {
    id: string;
    verificationMethod: { id: string; publicKeyJwk: JWK }[];
    assertionMethod: string[];
  };
  assert.ok(header.kid?.startsWith(`${document.id}#`), 'kid is a DID URL of the service DID');
  const method = document.verificationMethod.find((candidate) => candidate.id === header.kid);
  assert.ok(method, 'kid names a verification method of the DID document');
  const key = await importJWK(method.publicKeyJwk, 'ES256');
  const { payload } = await jwtVerify(token, key, {
    issuer: document.id,
    audience,
    typ: 'secevent+jwt',
    algorithms: ['ES256'],
    ...(currentDate ? { currentDate } : {}),
  });
  return payload;
}

/** The one event a SET carries (not verified: see `verifySet`): its type and its data. */
export function eventOf(token: string): {
  type: string | undefined;
  data: Record<string, unknown> | undefined;
} {
  const claims = decodeJwt(token) as { events: Record<string, Record<string, unknown>> };
  const [uri, data] = Object.entries(claims.events)[0] ?? [];
  return { type: uri?.replace('urn:dataspace-trust:event:', ''), data };
}

/** A clock that stands still until moved. */
export class Clock {
  private at: number;
  constructor(start: Date | number = Date.now()) {
    this.at = typeof start === 'number' ? start : start.getTime();
  }
  readonly now = (): Date => new Date(this.at);
  advance(ms: number): void {
    this.at += ms;
  }
  set(date: Date): void {
    this.at = date.getTime();
  }
}

/** A second events capability over the service's database, with its own clock and settings. */
export function eventsFor(
  service: Service,
  clock: Clock,
  settings: Partial<EventSettings> = {},
  extra: {
    random?: () => number;
    developmentMode?: boolean;
    lookup?: import('node:net').LookupFunction;
  } = {},
): Events {
  return openEvents({
    dataSource: service.dataSource,
    signer: serviceSigner(service.identity),
    secretHex: TEST_SECRET,
    settings: { ...service.config.events, ...settings },
    developmentMode: extra.developmentMode ?? service.config.developmentMode,
    now: clock.now,
    random: extra.random ?? (() => 0.5),
    ...(extra.lookup ? { transport: { lookup: extra.lookup } } : {}),
  });
}
