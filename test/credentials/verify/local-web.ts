/**
 * A local http server standing in for the web: did:web documents (`did:web:localhost%3A<port>`,
 * which the service resolves over http in development mode) and status lists, served by path.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestKey } from './support.js';

/** An http server on localhost that serves DID documents (and anything else) by path. */
export interface LocalWebHost {
  readonly port: number;
  /** `did:web:localhost%3A<port>` plus `:`-joined path segments. */
  did(...path: string[]): string;
  /** Serves `body` (JSON unless a string) at `path` with `contentType`. */
  serve(path: string, body: unknown, contentType?: string): void;
  /** How many requests have been served (any path). */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startLocalWebHost(): Promise<LocalWebHost> {
  const routes = new Map<string, { body: string; contentType: string }>();
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    const route = routes.get(request.url ?? '');
    if (!route) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': route.contentType }).end(route.body);
  });
  server.listen(0, 'localhost');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    did: (...path) => [`did:web:localhost%3A${port}`, ...path].join(':'),
    serve(path, body, contentType = 'application/json') {
      routes.set(path, { body: typeof body === 'string' ? body : JSON.stringify(body), contentType });
    },
    get requests() {
      return requests;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A port on localhost that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, 'localhost');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** A DID document with one JsonWebKey2020 method `#key-1` under the given relationships. */
export function didDocument(
  did: string,
  key: TestKey,
  relationships: readonly string[] = ['assertionMethod', 'authentication'],
): Record<string, unknown> {
  const id = `${did}#key-1`;
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id: did,
    verificationMethod: [{ id, type: 'JsonWebKey2020', controller: did, publicKeyJwk: key.publicJwk }],
    ...Object.fromEntries(relationships.map((relationship) => [relationship, [id]])),
  };
}
