import { strict as assert } from 'node:assert';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, LookupFunction, Socket } from 'node:net';
import { DidResolutionError, KeySelectionError } from '../../src/did/index.js';
import type { DidDocument, PublicJwk } from '../../src/did/types.js';

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A real local HTTP(S) server that counts every TCP connection and request it gets. */
export interface TestServer {
  readonly port: number;
  /** Paths requested, in order. */
  readonly requests: string[];
  /** Accept headers seen, in order. */
  readonly accepts: (string | undefined)[];
  connections: number;
  handler: Handler;
  close(): Promise<void>;
}

const fixtures = new URL('./fixtures/', import.meta.url);
/** The self-signed certificate for did.example.test (see fixtures/README.md). */
export const TLS_CERT = readFileSync(new URL('tls-cert.pem', fixtures), 'utf8');
const TLS_KEY = readFileSync(new URL('tls-key.pem', fixtures), 'utf8');

async function listen(server: Server, state: { handler: Handler }): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const result: TestServer = {
    port: 0,
    requests: [],
    accepts: [],
    connections: 0,
    get handler() {
      return state.handler;
    },
    set handler(next: Handler) {
      state.handler = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  server.on('connection', (socket: Socket) => {
    result.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    result.requests.push(request.url ?? '');
    result.accepts.push(request.headers.accept);
    state.handler(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return Object.assign(result, { port: (server.address() as AddressInfo).port });
}

/** Starts an http server on 127.0.0.1 (reachable as `localhost`). */
export function startServer(handler: Handler = notFound): Promise<TestServer> {
  return listen(createServer(), { handler });
}

/** Starts an https server on 127.0.0.1 with the did.example.test certificate. */
export function startTlsServer(handler: Handler = notFound): Promise<TestServer> {
  return listen(createTlsServer({ cert: TLS_CERT, key: TLS_KEY }), { handler });
}

export function notFound(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(404).end();
}

/** Answers every request with this JSON value. */
export function serveJson(value: unknown): Handler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/did+json' }).end(JSON.stringify(value));
  };
}

/** Answers each path from a map of documents, 404 otherwise. */
export function serveDocuments(documents: Record<string, unknown>): Handler {
  return (request, response) => {
    const document = documents[request.url ?? ''];
    if (document === undefined) return notFound(request, response);
    response.writeHead(200, { 'content-type': 'application/did+json' }).end(JSON.stringify(document));
  };
}

/** A DNS lookup that answers every name with the given addresses and records the names asked. */
export function fixedLookup(...addresses: string[]): LookupFunction & { names: string[] } {
  const names: string[] = [];
  const lookup = (
    hostname: string,
    options: { all?: boolean },
    callback: (...args: unknown[]) => void,
  ): void => {
    names.push(hostname);
    const all: LookupAddress[] = addresses.map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
    const first = all[0] as LookupAddress;
    setImmediate(() => (options.all ? callback(null, all) : callback(null, first.address, first.family)));
  };
  return Object.assign(lookup as unknown as LookupFunction, { names });
}

/** The did:web of a local test server, with optional path segments. */
export function localDid(port: number, ...path: string[]): string {
  return ['did:web', `localhost%3A${port}`, ...path].join(':');
}

/** A fresh key pair with its public JWK (only the defining members). */
export function newKey(curve: 'Ed25519' | 'P-256'): { publicJwk: PublicJwk; privateKey: KeyObject } {
  const pair =
    curve === 'Ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = pair.publicKey.export({ format: 'jwk' }) as PublicJwk;
  return { publicJwk: jwk, privateKey: pair.privateKey };
}

/** A DID document with one JsonWebKey2020 method per JWK, each under assertionMethod and authentication. */
export function documentWith(did: string, ...jwks: PublicJwk[]): DidDocument {
  const methods = jwks.map((publicKeyJwk, index) => ({
    id: `${did}#key-${index + 1}`,
    type: 'JsonWebKey2020',
    controller: did,
    publicKeyJwk,
  }));
  const ids = methods.map((method) => method.id);
  return { id: did, verificationMethod: methods, assertionMethod: ids, authentication: ids };
}

/** Asserts that the promise rejects with a DidResolutionError of this code. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DidResolutionError, `expected DidResolutionError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** Asserts that the function throws a DidResolutionError or KeySelectionError of this code. */
export function throwsWith(action: () => unknown, code: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(
      error instanceof DidResolutionError || error instanceof KeySelectionError,
      `expected a typed error, got ${String(error)}`,
    );
    assert.equal(error.code, code, error.message);
    return true;
  });
}
