import { strict as assert } from 'node:assert';
import type { ClientRequest } from 'node:http';
import request from 'supertest';
import type { Service } from '../../../src/service.js';
import { describeEachDatabase } from '../../support/databases.js';
import { openTestService } from '../../support/service.js';
import { highS, isoSeconds, NOW } from './support.js';

const CREDENTIALS = '/api/v1/credentials/verify';
const PRESENTATIONS = '/api/v1/presentations/verify';
/** The default BODY_LIMIT_BYTES (256 KiB). */
const BODY_LIMIT = 262_144;

describeEachDatabase(
  'HTTP: the verification API answers a typed result, or a problem for a bad request',
  (fresh) => {
    let service: Service;
    let app: ReturnType<Service['app']['callback']>;
    let credential: string;
    /** Calls into crypto and DID resolution since the last reset. */
    const calls = { keys: 0, resolutions: 0 };

    before(async () => {
      service = await openTestService(await fresh(), {}, { now: () => NOW });
      app = service.app.callback();
      credential = (
        await service.credentials.issuer.issue({
          type: 'MembershipCredential',
          subject: {
            id: 'did:web:member.example',
            legalName: 'Stadtwerke Musterstadt GmbH',
            roles: ['data-provider'],
            sides: ['supply'],
            memberSince: isoSeconds(NOW),
            rulebookVersion: '1.0',
          },
        })
      ).jwt;
      // Count every key lookup and DID resolution the pipeline makes (the same objects the routes use).
      const keys = service.credentials.deps.keys;
      const lookup = keys.verificationKey.bind(keys);
      keys.verificationKey = (...args) => {
        calls.keys++;
        return lookup(...args);
      };
      const resolver = service.credentials.resolver;
      const resolve = resolver.resolve.bind(resolver);
      resolver.resolve = (did) => {
        calls.resolutions++;
        return resolve(did);
      };
    });
    beforeEach(() => {
      calls.keys = 0;
      calls.resolutions = 0;
    });
    after(async () => {
      await service?.close();
    });

    function assertProblem(response: request.Response, status: number, code: string): void {
      assert.equal(response.status, status, response.text);
      assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
      assert.equal(response.body.code, code);
      assert.equal(response.body.status, status);
    }

    describe('POST /api/v1/credentials/verify', () => {
      it('answers 200 with the typed result, not cacheable', async () => {
        const response = await request(app).post(CREDENTIALS).send({ credential }).expect(200);
        assert.equal(response.headers['cache-control'], 'no-store');
        assert.equal(response.body.verified, true);
        assert.equal(response.body.format, 'vc+jwt');
        assert.equal(response.body.issuer, service.identity.did);
        assert.equal(response.body.subject, 'did:web:member.example');
        assert.deepEqual(response.body.types, ['VerifiableCredential', 'MembershipCredential']);
        assert.deepEqual(
          response.body.checks.map((c: { check: string; result: string }) => [c.check, c.result]),
          [
            ['format', 'passed'],
            ['signature', 'passed'],
            ['validity', 'passed'],
            ['trusted_issuer', 'passed'],
            ['status', 'passed'],
            ['schema', 'passed'],
          ],
        );
      });

      it('answers 200 with verified: false for a credential that does not verify (format: malformed)', async () => {
        const response = await request(app).post(CREDENTIALS).send({ credential: 'not-a-jwt' }).expect(200);
        assert.equal(response.body.verified, false);
        assert.deepEqual(response.body.checks[0], {
          check: 'format',
          result: 'failed',
          code: 'malformed',
          detail: 'a compact JWS has three segments',
        });
      });

      it('refuses a body that is not JSON (400 invalid_json)', async () => {
        const response = await request(app)
          .post(CREDENTIALS)
          .set('Content-Type', 'application/json')
          .send('{"credential": ');
        assertProblem(response, 400, 'invalid_json');
      });

      it('refuses a body without credential (400 invalid_request)', async () => {
        assertProblem(await request(app).post(CREDENTIALS).send({ vc: credential }), 400, 'invalid_request');
      });

      it('refuses a credential that is not a non-empty string (400 invalid_request)', async () => {
        for (const value of [42, '', null, { jwt: credential }, [credential]]) {
          assertProblem(
            await request(app).post(CREDENTIALS).send({ credential: value }),
            400,
            'invalid_request',
          );
        }
      });

      it('refuses a JSON body that is not an object (400 invalid_request)', async () => {
        assertProblem(await request(app).post(CREDENTIALS).send([credential]), 400, 'invalid_request');
      });

      it('refuses a body of another media type (415 unsupported_media_type)', async () => {
        const response = await request(app)
          .post(CREDENTIALS)
          .set('Content-Type', 'text/plain')
          .send(credential);
        assertProblem(response, 415, 'unsupported_media_type');
      });
    });

    describe('POST /api/v1/presentations/verify', () => {
      it('refuses a body without challenge or domain (400 invalid_request)', async () => {
        const presentation = credential;
        assertProblem(
          await request(app).post(PRESENTATIONS).send({ presentation, domain: 'x' }),
          400,
          'invalid_request',
        );
        assertProblem(
          await request(app).post(PRESENTATIONS).send({ presentation, challenge: 'x' }),
          400,
          'invalid_request',
        );
        assertProblem(
          await request(app).post(PRESENTATIONS).send({ challenge: 'x', domain: 'x' }),
          400,
          'invalid_request',
        );
      });

      it('refuses a challenge longer than 512 characters (400 invalid_request)', async () => {
        const body = {
          presentation: credential,
          challenge: 'c'.repeat(513),
          domain: 'https://connector.example',
        };
        assertProblem(await request(app).post(PRESENTATIONS).send(body), 400, 'invalid_request');
      });

      it('answers 200 with verified: false for a credential posted as a presentation (format: wrong_type)', async () => {
        const body = { presentation: credential, challenge: 'c', domain: 'https://connector.example' };
        const response = await request(app).post(PRESENTATIONS).send(body).expect(200);
        assert.equal(response.body.verified, false);
        assert.deepEqual(
          [response.body.checks[0].check, response.body.checks[0].code],
          ['format', 'wrong_type'],
        );
      });
    });

    describe('ES256 signatures in high-S form: accepted by default, refused with ES256_LOW_S_ONLY=true', () => {
      let strict: Service;

      before(async () => {
        strict = await openTestService(await fresh(), { ES256_LOW_S_ONLY: 'true' }, { now: () => NOW });
      });
      after(async () => {
        await strict?.close();
      });

      /** A MembershipCredential the service signs with its ES256 key (low-S), and its high-S twin. */
      async function es256Twins(issuing: Service): Promise<{ low: string; high: string }> {
        const { jwt: low } = await issuing.credentials.issuer.issue({
          type: 'MembershipCredential',
          algorithm: 'ES256',
          subject: {
            id: 'did:web:member.example',
            legalName: 'Stadtwerke Musterstadt GmbH',
            roles: ['data-provider'],
            sides: ['supply'],
            memberSince: isoSeconds(NOW),
            rulebookVersion: '1.0',
          },
        });
        const [header, payload, signature] = low.split('.') as [string, string, string];
        assert.equal(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).alg, 'ES256');
        const high = `${header}.${payload}.${highS(Buffer.from(signature, 'base64url')).toString('base64url')}`;
        assert.notEqual(high, low);
        return { low, high };
      }

      const signatureCheck = (response: request.Response) =>
        (response.body.checks as Array<{ check: string; result: string; code?: string }>).find(
          (check) => check.check === 'signature',
        );

      it('the default service verifies the high-S twin of its own ES256 credential', async () => {
        const { high } = await es256Twins(service);
        const response = await request(app).post(CREDENTIALS).send({ credential: high }).expect(200);
        assert.equal(response.body.verified, true, response.text);
        assert.equal(signatureCheck(response)?.result, 'passed');
      });

      it('a service opened with ES256_LOW_S_ONLY=true refuses it (signature: non_canonical_signature) and verifies the low-S form', async () => {
        const { low, high } = await es256Twins(strict);
        const strictApp = strict.app.callback();
        const refused = await request(strictApp).post(CREDENTIALS).send({ credential: high }).expect(200);
        assert.equal(refused.body.verified, false);
        assert.deepEqual(
          [signatureCheck(refused)?.result, signatureCheck(refused)?.code],
          ['failed', 'non_canonical_signature'],
        );
        const accepted = await request(strictApp).post(CREDENTIALS).send({ credential: low }).expect(200);
        assert.equal(accepted.body.verified, true, accepted.text);
      });
    });

    describe('body size: refused with 413 before any crypto', () => {
      it('the counters see the crypto of a body under the limit (control)', async () => {
        await request(app).post(CREDENTIALS).send({ credential }).expect(200);
        assert.ok(calls.keys > 0, 'a key was looked up');
      });

      it('refuses an oversized credential body (413 payload_too_large) with no key lookup and no DID resolution', async () => {
        const oversized = `${credential}${'A'.repeat(BODY_LIMIT)}`;
        const response = await request(app).post(CREDENTIALS).send({ credential: oversized });
        assertProblem(response, 413, 'payload_too_large');
        assert.deepEqual(calls, { keys: 0, resolutions: 0 });
      });

      it('refuses an oversized body sent in chunks without Content-Length (413 payload_too_large)', async () => {
        const chunked = request(app).post(CREDENTIALS).set('Content-Type', 'application/json');
        chunked.write(`{"credential":"${credential}`);
        for (let sent = 0; sent <= BODY_LIMIT; sent += 16_384) chunked.write('A'.repeat(16_384));
        chunked.write('"}');
        const response = await chunked;
        const sent = (response as unknown as { req: ClientRequest }).req;
        assert.equal(sent.getHeader('content-length'), undefined, 'sent without Content-Length');
        assertProblem(response, 413, 'payload_too_large');
        assert.deepEqual(calls, { keys: 0, resolutions: 0 });
      });

      it('refuses an oversized presentation body (413 payload_too_large) with no key lookup and no DID resolution', async () => {
        const body = { presentation: credential, challenge: 'c', domain: 'x'.repeat(BODY_LIMIT) };
        assertProblem(await request(app).post(PRESENTATIONS).send(body), 413, 'payload_too_large');
        assert.deepEqual(calls, { keys: 0, resolutions: 0 });
      });
    });
  },
);
