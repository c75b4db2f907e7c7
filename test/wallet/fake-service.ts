/**
 * A tiny stand-in for the trust service's membership and governance API on a local port,
 * speaking the documented contract. It checks what the client sends (method, path, JSON body,
 * and presentations through the project's own verifyPresentation against the challenges it
 * handed out) and answers canned JSON, so the client is tested over real HTTP.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PresentationVerificationResult } from '../../src/credentials/verify/result.js';
import type { PresentationVerifierDeps } from '../../src/credentials/verify/verify-presentation.js';
import { verifyPresentation } from '../../src/credentials/verify/verify-presentation.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

export type Route = (request: RecordedRequest, service: FakeService) => Promise<Answer> | Answer;

export interface FakeService {
  readonly url: string;
  readonly did: string;
  readonly requests: RecordedRequest[];
  /** Challenges handed out, in order. */
  readonly challenges: string[];
  /** Verifies a presentation against a challenge this service handed out, consuming it. */
  verify(
    presentation: unknown,
    deps: PresentationVerifierDeps,
  ): Promise<PresentationVerificationResult | undefined>;
  route(method: string, path: string, route: Route): void;
  close(): Promise<void>;
}

export const problem = (status: number, code: string, title: string): Answer => ({
  status,
  contentType: 'application/problem+json',
  body: { type: `https://trust.city.example/problems/${code}`, title, status, code },
});

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeService(did = 'did:web:trust.city.example'): Promise<FakeService> {
  const routes = new Map<string, Route>();
  const requests: RecordedRequest[] = [];
  const challenges: string[] = [];
  const open = new Set<string>();

  const service: FakeService = {
    url: '',
    did,
    requests,
    challenges,
    async verify(presentation, deps) {
      const payload = typeof presentation === 'string' ? presentation.split('.')[1] : undefined;
      const nonce = payload
        ? JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).nonce
        : undefined;
      if (typeof nonce !== 'string' || !open.delete(nonce)) return undefined;
      return verifyPresentation(presentation, { challenge: nonce, domain: did }, deps);
    },
    route(method, path, route) {
      routes.set(`${method} ${path}`, route);
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };

  service.route('GET', '/api/v1/membership/challenge', () => {
    const challenge = `challenge-${challenges.length + 1}-${Math.random().toString(36).slice(2)}`;
    challenges.push(challenge);
    open.add(challenge);
    return {
      status: 200,
      body: { challenge, audience: did, expiresAt: new Date(Date.now() + 300_000).toISOString() },
    };
  });
  service.route('GET', '/.well-known/did.json', () => ({
    status: 200,
    body: { id: did, verificationMethod: [] },
  }));

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const text = await readBody(request);
      let body: unknown = text;
      try {
        body = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        // kept as text: a route that expects JSON will say so
      }
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body,
      };
      requests.push(recorded);
      const route = routes.get(`${recorded.method} ${recorded.path}`);
      let answer: Answer;
      try {
        answer = route
          ? await route(recorded, service)
          : problem(404, 'not_found', `no route ${recorded.path}`);
      } catch (error) {
        answer = problem(500, 'fake_service_failed', String(error));
      }
      const payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
      response
        .writeHead(answer.status, {
          'content-type': answer.contentType ?? 'application/json',
          ...answer.headers,
        })
        .end(payload);
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return Object.assign(service, { url: `http://127.0.0.1:${port}` });
}
