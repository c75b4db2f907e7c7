import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createWallet, ServiceClient, ServiceError, type Wallet } from '../../src/wallet/index.js';
import { type FakeService, problem, type RecordedRequest, startFakeService } from './fake-service.js';
import {
  dataSpaceSchemas,
  decode,
  PASSPHRASE,
  rejectsWithCode,
  tempWalletDir,
  trustOnly,
  verifierDeps,
} from './support.js';

const APPLICATION = {
  roles: ['data-provider'],
  legalName: 'Stadtwerke Musterstadt GmbH',
  registrationNumber: 'HRB 12345',
  country: 'DE',
  contact: { email: 'dataspace@stadtwerke.example' },
};

const bodyOf = (request: RecordedRequest) => request.body as Record<string, string>;

/** A MembershipCredential subject as the data space's schema wants it. */
const member = (id: string) => ({
  id,
  legalName: 'Stadtwerke Musterstadt GmbH',
  roles: ['data-provider'],
  sides: ['supply'],
  memberSince: '2026-03-01T12:00:00Z',
  rulebookVersion: '1.0.0',
});

describe('ServiceClient over HTTP: the membership and governance API contract', () => {
  const temp = tempWalletDir();
  let service: FakeService;
  let client: ServiceClient;
  let register: Wallet;
  let applicant: Wallet;
  let board: Wallet;
  let membershipIssuer: Wallet;

  const wallet = (name: string, method: 'did:key' | 'did:jwk' = 'did:key') =>
    createWallet({
      dir: `${temp.root}/${name}`,
      passphrase: PASSPHRASE,
      method,
      schemas: dataSpaceSchemas(),
    });

  before(async () => {
    [register, applicant, board, membershipIssuer] = await Promise.all([
      wallet('register', 'did:jwk'),
      wallet('applicant'),
      wallet('board'),
      wallet('service-issuer', 'did:jwk'),
    ]);
    await applicant.addCredential(
      await register.issueCredential({
        type: 'LegalPersonCredential',
        subject: {
          id: applicant.did,
          legalName: 'Stadtwerke Musterstadt GmbH',
          registrationNumber: 'HRB 12345',
          country: 'DE',
        },
      }),
    );
  });
  after(() => temp.remove());

  beforeEach(async () => {
    service = await startFakeService();
    client = new ServiceClient(service.url);
  });
  afterEach(() => service.close());

  it('challenge() answers the challenge and the service DID as audience', async () => {
    const challenge = await client.challenge();
    assert.equal(challenge.challenge, service.challenges[0]);
    assert.equal(challenge.audience, service.did);
    assert.deepEqual(
      service.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /api/v1/membership/challenge'],
    );
  });

  describe('apply()', () => {
    it('posts one presentation (fresh challenge as nonce, service DID as aud) of the application and the LegalPersonCredential', async () => {
      service.route('POST', '/api/v1/membership/applications', async (request, fake) => {
        assert.equal(request.contentType, 'application/json');
        assert.deepEqual(Object.keys(bodyOf(request)), ['presentation']);
        const result = await fake.verify(
          bodyOf(request).presentation,
          verifierDeps(trustOnly(register.did, applicant.did), new Date()),
        );
        if (!result?.verified) return problem(400, 'presentation_invalid', JSON.stringify(result?.checks));
        return { status: 201, body: { id: 'app-1', motionId: 'motion-1', status: 'under_review' } };
      });
      const receipt = await client.apply({ wallet: applicant, ...APPLICATION });
      assert.deepEqual(receipt, { id: 'app-1', motionId: 'motion-1', status: 'under_review' });

      assert.deepEqual(
        service.requests.map((r) => `${r.method} ${r.path}`),
        ['GET /api/v1/membership/challenge', 'POST /api/v1/membership/applications'],
      );
      const { header, payload } = decode(
        bodyOf(service.requests[1] as RecordedRequest).presentation as string,
      );
      assert.deepEqual(header, { alg: 'EdDSA', typ: 'JWT', kid: applicant.kid });
      assert.equal(payload.nonce, service.challenges[0]);
      assert.equal(payload.aud, service.did);
      assert.equal(payload.iss, applicant.did);
      const types = (payload.vp as { verifiableCredential: string[] }).verifiableCredential.map((jwt) => {
        const claims = decode(jwt).payload;
        const types = ((claims.vc as { type?: string[] } | undefined)?.type ?? claims.type) as string[];
        return types.at(-1);
      });
      assert.deepEqual(types, ['MembershipApplicationCredential', 'LegalPersonCredential']);
    });

    it('presents only the evidence types asked for', async () => {
      service.route('POST', '/api/v1/membership/applications', () => ({
        status: 201,
        body: { id: 'app-2', motionId: 'motion-2', status: 'action_required', reasons: ['evidence_missing'] },
      }));
      const receipt = await client.apply({
        wallet: applicant,
        ...APPLICATION,
        evidenceTypes: ['BankAccountCredential'],
      });
      assert.deepEqual(receipt.reasons, ['evidence_missing']);
      const { payload } = decode(bodyOf(service.requests[1] as RecordedRequest).presentation as string);
      assert.equal((payload.vp as { verifiableCredential: string[] }).verifiableCredential.length, 1);
    });

    it('sends nothing when the application breaks its schema (schema_violation)', async () => {
      await rejectsWithCode(
        client.apply({ wallet: applicant, ...APPLICATION, country: 'Germany' }),
        'schema_violation',
      );
      assert.deepEqual(service.requests, []);
    });

    it('surfaces a problem+json answer as ServiceError with status and code', async () => {
      service.route('POST', '/api/v1/membership/applications', () =>
        problem(409, 'already_member', 'Already a member'),
      );
      await assert.rejects(client.apply({ wallet: applicant, ...APPLICATION }), (error: unknown) => {
        assert.ok(error instanceof ServiceError);
        assert.equal(error.status, 409);
        assert.equal(error.code, 'already_member');
        assert.equal(error.problem?.title, 'Already a member');
        return true;
      });
    });
  });

  it('fetchMembershipCredential() proves control of the DID over a fresh challenge and stores the credential', async () => {
    const holder = await wallet('holder');
    service.route('POST', '/api/v1/membership/applications/app%3A1/credential', async (request, fake) => {
      const presentation = bodyOf(request).presentation;
      const result = await fake.verify(presentation, verifierDeps(trustOnly(), new Date()));
      for (const check of ['signature', 'validity', 'challenge', 'domain']) {
        const found = result?.checks.find((c) => c.check === check);
        if (found?.result !== 'passed')
          return problem(400, 'presentation_invalid', `${check} ${found?.code}`);
      }
      if (result?.holder !== holder.did) return problem(403, 'not_applicant', 'not the applicant');
      const credential = await membershipIssuer.issueCredential({
        type: 'MembershipCredential',
        subject: member(holder.did),
      });
      return { status: 200, body: { credential } };
    });
    service.route('POST', '/api/v1/membership/applications', () => ({
      status: 201,
      body: { id: 'app:1', motionId: 'm', status: 'under_review' },
    }));
    // An earlier challenge was used for something else; the credential request must take a new one.
    await client.challenge();
    const { credential, stored } = await client.fetchMembershipCredential(holder, 'app:1');
    assert.equal(stored.type, 'MembershipCredential');
    assert.equal(stored.issuer, membershipIssuer.did);
    assert.deepEqual(
      holder.credentials({ type: 'MembershipCredential' }).map((c) => c.jwt),
      [credential],
    );
    const { payload } = decode(bodyOf(service.requests[2] as RecordedRequest).presentation as string);
    assert.equal(payload.nonce, service.challenges[1]);
    assert.deepEqual((payload.vp as { verifiableCredential: unknown[] }).verifiableCredential, []);
  });

  it('fetchMembershipCredential() refuses a credential about another DID (subject_mismatch) and stores nothing', async () => {
    const holder = await wallet('holder-2');
    service.route('POST', '/api/v1/membership/applications/app-9/credential', async () => ({
      status: 200,
      body: {
        credential: await membershipIssuer.issueCredential({
          type: 'MembershipCredential',
          subject: member(board.did),
        }),
      },
    }));
    await rejectsWithCode(client.fetchMembershipCredential(holder, 'app-9'), 'subject_mismatch');
    assert.deepEqual(holder.credentials(), []);
  });

  it('castVote() posts a vote JWS for the service DID from its DID document', async () => {
    service.route('POST', '/api/v1/motions/motion-1/votes', (request) => ({
      status: 201,
      body: { received: decode(bodyOf(request).vote).payload },
    }));
    const answer = await client.castVote({
      wallet: board,
      motion: 'motion-1',
      decision: 'reject',
      reason: 'evidence unclear',
    });
    const received = answer.received as Record<string, unknown>;
    assert.deepEqual(
      service.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /.well-known/did.json', 'POST /api/v1/motions/motion-1/votes'],
    );
    assert.deepEqual(
      {
        iss: received.iss,
        aud: received.aud,
        motion: received.motion,
        decision: received.decision,
        reason: received.reason,
      },
      {
        iss: board.did,
        aud: service.did,
        motion: 'motion-1',
        decision: 'reject',
        reason: 'evidence unclear',
      },
    );
  });

  it('openMotion() posts a motion JWS; motionStatus() reads it; the DID document is fetched once', async () => {
    service.route('POST', '/api/v1/motions', (request) => {
      const { payload } = decode(bodyOf(request).motion);
      return {
        status: 201,
        body: { id: 'motion-9', kind: payload.kind, subject: payload.subject, status: 'open' },
      };
    });
    service.route('GET', '/api/v1/motions/motion-9', () => ({
      status: 200,
      body: { id: 'motion-9', status: 'open', votes: [] },
    }));
    service.route('POST', '/api/v1/motions/motion-9/votes', () => ({ status: 201, body: { ok: true } }));
    const motion = await client.openMotion({
      wallet: board,
      kind: 'suspend',
      subject: applicant.did,
      reason: 'unpaid fees',
    });
    assert.deepEqual(motion, { id: 'motion-9', kind: 'suspend', subject: applicant.did, status: 'open' });
    await client.castVote({ wallet: board, motion: 'motion-9', decision: 'approve' });
    assert.deepEqual(await client.motionStatus('motion-9'), { id: 'motion-9', status: 'open', votes: [] });
    assert.equal(service.requests.filter((r) => r.path === '/.well-known/did.json').length, 1);
  });

  it('withdraw() posts the withdrawal to the member path of its own DID', async () => {
    const path = `/api/v1/members/${encodeURIComponent(applicant.did)}/withdrawal`;
    service.route('POST', path, (request) => ({
      status: 200,
      body: { status: 'withdrawn', action: decode(bodyOf(request).withdrawal).payload.action },
    }));
    assert.deepEqual(await client.withdraw({ wallet: applicant, reason: 'done' }), {
      status: 'withdrawn',
      action: 'withdraw',
    });
    assert.equal(service.requests.at(-1)?.path, path);
  });

  it('application() reads status, checks, votes and decision', async () => {
    const answer = {
      id: 'app-1',
      status: 'admitted',
      checks: [],
      votes: [{ decision: 'approve' }],
      decision: 'admitted',
    };
    service.route('GET', '/api/v1/membership/applications/app-1', () => ({ status: 200, body: answer }));
    assert.deepEqual(await client.application('app-1'), answer);
  });

  it('reports a 404 problem as ServiceError (its code)', async () => {
    await rejectsWithCode(client.application('nope'), 'not_found');
  });

  it('reports an error answer without a problem code as http_error', async () => {
    service.route('GET', '/api/v1/motions/m', () => ({
      status: 502,
      body: 'Bad Gateway',
      contentType: 'text/plain',
    }));
    await assert.rejects(client.motionStatus('m'), { name: 'ServiceError', status: 502, code: 'http_error' });
  });

  it('reports a success answer that is not the documented shape as invalid_response', async () => {
    service.route('GET', '/api/v1/membership/challenge', () => ({ status: 200, body: { nonce: 'x' } }));
    await rejectsWithCode(client.challenge(), 'invalid_response');
  });

  it('does not follow a redirect with a signed token (unreachable)', async () => {
    service.route('POST', '/api/v1/motions', () => ({
      status: 307,
      headers: { location: 'https://elsewhere.example/api/v1/motions' },
    }));
    await rejectsWithCode(
      client.openMotion({ wallet: board, kind: 'revoke', subject: applicant.did, reason: 'r' }),
      'unreachable',
    );
  });

  it('reports a service that does not listen as unreachable (status 0)', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();
    await once(server, 'close');
    await assert.rejects(new ServiceClient(`http://127.0.0.1:${port}`).challenge(), {
      name: 'ServiceError',
      status: 0,
      code: 'unreachable',
    });
  });

  it('refuses a base URL with credentials or a query', () => {
    assert.throws(() => new ServiceClient('https://user:pw@trust.example'), TypeError);
    assert.throws(() => new ServiceClient('https://trust.example/?x=1'), TypeError);
    assert.throws(() => new ServiceClient('ftp://trust.example'), TypeError);
  });

  it('keeps a path prefix of the base URL', async () => {
    const prefixed = new ServiceClient(`${service.url}/trust/`);
    service.route('GET', '/trust/api/v1/membership/challenge', () => ({
      status: 200,
      body: { challenge: 'c', audience: service.did },
    }));
    assert.equal((await prefixed.challenge()).challenge, 'c');
  });
});
