import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { Bitstring, encodeList, MINIMUM_LIST_BITS } from '../../../src/credentials/status/index.js';
import { MAX_STATUS_ENTRIES } from '../../../src/credentials/verify/checks/status.js';
import type {
  CredentialVerificationResult,
  PresentationVerificationResult,
} from '../../../src/credentials/verify/result.js';
import { verifyCredential } from '../../../src/credentials/verify/verify-credential.js';
import { DEFAULT_FETCH_BUDGET } from '../../../src/did/index.js';
import type { Service } from '../../../src/service.js';
import {
  createPostgresDatabase,
  describeEachDatabase,
  isPostgresAvailable,
} from '../../support/databases.js';
import { openTestService } from '../../support/service.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { type LocalWebHost, startLocalWebHost } from './local-web.js';
import {
  addSeconds,
  anchorsDirectory,
  assertFails,
  credentialBy,
  didJwkSigner,
  didKeySigner,
  isoSeconds,
  LEGAL_PERSON,
  legalPerson,
  NOW,
  presentationBy,
  seconds,
  signedBy,
  type TestSigner,
} from './support.js';

/** A BitstringStatusListCredential at `url` signed by `signer`, every bit unset. */
function statusList(signer: TestSigner, url: string): string {
  return signedBy(
    signer,
    {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: url,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: signer.did,
      validFrom: isoSeconds(addSeconds(NOW, -60)),
      validUntil: isoSeconds(addSeconds(NOW, 3600)),
      credentialSubject: {
        id: `${url}#list`,
        type: 'BitstringStatusList',
        statusPurpose: 'revocation',
        encodedList: encodeList(Bitstring.zeros(MINIMUM_LIST_BITS)),
      },
      iss: signer.did,
      iat: seconds(NOW) - 60,
    },
    { typ: 'vc+jwt' },
  );
}

const entry = (url: string, index = 3) => ({
  id: `${url}#${index}`,
  type: 'BitstringStatusListEntry',
  statusPurpose: 'revocation',
  statusListIndex: String(index),
  statusListCredential: url,
});

const statusOf = (result: { checks: readonly { check: string; result: string; code?: string }[] }) =>
  result.checks.find((check) => check.check === 'status');

describeEachDatabase('bounded work per verification request (no fetch for untrusted issuers)', (fresh) => {
  const holder = didJwkSigner('EdDSA');
  const register = didJwkSigner('EdDSA');
  const anchors = anchorsDirectory([{ did: register.did, credentialTypes: [LEGAL_PERSON] }]);
  let service: Service;
  let remote: LocalWebHost;
  let lists = 0;

  before(async () => {
    remote = await startLocalWebHost();
    service = await openTestService(await fresh(), { TRUST_ANCHORS_DIR: anchors.dir }, { now: () => NOW });
  });
  after(async () => {
    await service?.close();
    await remote?.close();
    anchors.remove();
  });

  /** A fresh list URL on the remote host, served as a valid list of `signer`. */
  function publish(signer: TestSigner): string {
    const path = `/status/${++lists}`;
    const url = `http://localhost:${remote.port}${path}`;
    remote.serve(path, statusList(signer, url), 'application/vc+jwt');
    return url;
  }

  async function verify(credential: string): Promise<CredentialVerificationResult> {
    const response = await request(service.app.callback())
      .post('/api/v1/credentials/verify')
      .send({ credential })
      .expect(200);
    return response.body as CredentialVerificationResult;
  }

  it('makes no outbound request for a throw-away did:key credential naming 200 status lists (status skipped: issuer_not_trusted)', async () => {
    const stranger = didKeySigner('EdDSA');
    const status = Array.from({ length: 200 }, () => entry(publish(stranger)));
    const before = remote.requests;
    const result = await verify(
      credentialBy(stranger, 'vc+jwt', { subject: legalPerson(holder.did), status }),
    );
    assertFails(result, 'trusted_issuer', 'untrusted_issuer');
    assert.deepEqual(
      { result: statusOf(result)?.result, code: statusOf(result)?.code },
      { result: 'skipped', code: 'issuer_not_trusted' },
    );
    assert.equal(remote.requests - before, 0, 'outbound requests');
  });

  it(`makes no outbound request for a self-issued application credential naming ${MAX_STATUS_ENTRIES} status lists (status skipped: self_issued)`, async () => {
    const applicant = didKeySigner('EdDSA');
    const status = Array.from({ length: MAX_STATUS_ENTRIES }, () => entry(publish(applicant)));
    const before = remote.requests;
    // The deps the membership application flow verifies with (src/compose/governance.ts).
    const result = await verifyCredential(
      credentialBy(applicant, 'vc+jwt', {
        subject: legalPerson(applicant.did),
        types: ['MembershipApplicationCredential'],
        status,
      }),
      { ...service.credentials.deps, selfIssuedTypes: ['MembershipApplicationCredential'] },
    );
    assert.equal(result.checks.find((check) => check.check === 'trusted_issuer')?.code, 'self_issued');
    assert.deepEqual(
      { result: statusOf(result)?.result, code: statusOf(result)?.code },
      { result: 'skipped', code: 'self_issued' },
    );
    assert.equal(remote.requests - before, 0, 'outbound requests');
  });

  it('makes no outbound request for a trusted issuer outside the types it is trusted for', async () => {
    const status = [entry(publish(register))];
    const before = remote.requests;
    const result = await verify(
      credentialBy(register, 'vc+jwt', {
        subject: legalPerson(holder.did),
        types: ['MembershipCredential'],
        status,
      }),
    );
    assertFails(result, 'trusted_issuer', 'type_not_allowed');
    assert.equal(statusOf(result)?.code, 'issuer_not_trusted');
    assert.equal(remote.requests - before, 0, 'outbound requests');
  });

  it(`refuses a trusted issuer's credential with more than ${MAX_STATUS_ENTRIES} entries before reading any (too_many_status_entries)`, async () => {
    const status = Array.from({ length: MAX_STATUS_ENTRIES + 1 }, () => entry(publish(register)));
    const before = remote.requests;
    const result = await verify(
      credentialBy(register, 'vc+jwt', { subject: legalPerson(holder.did), status }),
    );
    assertFails(result, 'status', 'too_many_status_entries');
    assert.equal(remote.requests - before, 0, 'outbound requests');
  });

  it(`fetches at most ${DEFAULT_FETCH_BUDGET} documents for one presentation, then fails the rest (fetch_budget_exhausted)`, async () => {
    const credentials = Array.from({ length: DEFAULT_FETCH_BUDGET + 4 }, () =>
      credentialBy(register, 'vc+jwt', {
        subject: legalPerson(holder.did),
        status: [entry(publish(register))],
      }),
    );
    const before = remote.requests;
    const response = await request(service.app.callback())
      .post('/api/v1/presentations/verify')
      .send({
        presentation: presentationBy(holder, 'jwt_vp_json', {
          credentials,
          nonce: 'budget-challenge',
          audience: 'https://connector.example',
        }),
        challenge: 'budget-challenge',
        domain: 'https://connector.example',
      })
      .expect(200);
    const result = response.body as PresentationVerificationResult;
    assertFails(result, 'credentials', 'credential_failed');
    const codes = result.credentials.map((credential) => statusOf(credential)?.code ?? 'passed');
    assert.equal(codes.filter((code) => code === 'passed').length, DEFAULT_FETCH_BUDGET, codes.join(' '));
    assert.equal(codes.filter((code) => code === 'fetch_budget_exhausted').length, 4, codes.join(' '));
    assert.equal(remote.requests - before, DEFAULT_FETCH_BUDGET, 'outbound requests');
  });
});

describe('verification answers carry no internal error message during a database outage', () => {
  let service: Service | undefined;
  let proxy: TcpProxy | undefined;
  let drop: (() => Promise<void>) | undefined;
  const anchors = anchorsDirectory([]);

  before(async function () {
    if (!(await isPostgresAvailable())) this.skip();
  });
  after(async () => {
    await service?.close().catch(() => {});
    await proxy?.cut();
    await drop?.();
    anchors.remove();
  });

  it('answers without the database host or port (trusted_issuer and status: internal_error / status_unavailable)', async function () {
    this.timeout(30_000);
    const database = await createPostgresDatabase();
    drop = database.drop;
    const target = new URL(database.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    const viaProxy = new URL(database.url);
    viaProxy.host = `127.0.0.1:${port}`;
    service = await openTestService(
      {
        kind: 'postgres',
        dataDir: mkdtempSync(join(tmpdir(), 'dst-outage-')),
        databaseUrl: viaProxy.href,
      },
      { TRUST_ANCHORS_DIR: anchors.dir },
      { now: () => NOW },
    );
    const holder = didJwkSigner('EdDSA');
    const own = await service.credentials.issuer.issue({
      type: 'MembershipCredential',
      subject: {
        id: holder.did,
        legalName: 'Stadtwerke Musterstadt GmbH',
        roles: ['data-consumer'],
        sides: ['demand'],
        memberSince: isoSeconds(NOW),
        rulebookVersion: '1.0',
      },
    });
    // An issuer that is neither the service nor an anchor: its trust is a database lookup.
    const stranger = credentialBy(didJwkSigner('EdDSA'), 'vc+jwt', { subject: legalPerson(holder.did) });
    await proxy.cut();
    const app = service.app.callback();
    const answers: string[] = [];
    for (const credential of [own.jwt, stranger]) {
      const response = await request(app).post('/api/v1/credentials/verify').send({ credential });
      answers.push(response.text);
      assert.equal(response.body.verified, false, response.text);
    }
    for (const text of answers) {
      for (const secret of [String(port), '127.0.0.1', 'ECONNREFUSED', 'connect', database.name]) {
        assert.ok(!text.includes(secret), `the answer names ${secret}: ${text}`);
      }
    }
    const ownStatus = statusOf(JSON.parse(answers[0] as string));
    assert.equal(ownStatus?.code, 'status_unavailable');
    const strangerTrust = (JSON.parse(answers[1] as string) as CredentialVerificationResult).checks.find(
      (check) => check.check === 'trusted_issuer',
    );
    assert.equal(strangerTrust?.code, 'internal_error');
  });
});
