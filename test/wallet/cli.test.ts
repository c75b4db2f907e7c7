import { strict as assert } from 'node:assert';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactSign, compactVerify, importJWK } from 'jose';
import { runCli } from '../support/process.js';
import { type FakeService, problem, startFakeService } from './fake-service.js';
import { decode, PASSPHRASE, tempWalletDir } from './support.js';

describe('dataspace-trust wallet (CLI)', function () {
  this.timeout(60_000);
  const temp = tempWalletDir();
  const holderDir = join(temp.root, 'holder');
  const registerDir = join(temp.root, 'register');
  const passphraseFile = join(temp.root, 'passphrase.txt');
  const env = { WALLET_PASSPHRASE: PASSPHRASE };
  let holderDid: string;

  const json = (result: { code: number | null; stdout: string; stderr: string }) => {
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout);
  };

  before(() => writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 }));
  after(() => temp.remove());

  it('--help names the subcommands and where the passphrase comes from', async () => {
    const result = await runCli(['wallet', '--help'], {});
    assert.equal(result.code, 0, result.stderr);
    for (const word of [
      'create',
      'show',
      'issue',
      'add',
      'list',
      'apply',
      'fetch-membership',
      'receive',
      'vote',
      'motion',
      'withdraw',
      'offers',
      'agreements',
    ]) {
      assert.match(result.stdout, new RegExp(`\\b${word}\\b`));
    }
    assert.match(result.stdout, /WALLET_PASSPHRASE/);
    assert.match(result.stdout, /--passphrase-file/);
  });

  it('create (passphrase from WALLET_PASSPHRASE) prints the new did:key', async () => {
    const created = json(await runCli(['wallet', 'create', '--wallet', holderDir], env));
    assert.match(created.did, /^did:key:z6Mk/);
    assert.equal(created.kid, `${created.did}#${created.did.slice('did:key:'.length)}`);
    assert.equal(statSync(join(holderDir, 'wallet.json')).mode & 0o777, 0o600);
    holderDid = created.did;
  });

  it('create --method did:jwk --alg ES256 (passphrase from --passphrase-file)', async () => {
    const args = ['wallet', 'create', '--wallet', registerDir, '--method', 'did:jwk', '--alg', 'ES256'];
    const created = json(await runCli([...args, '--passphrase-file', passphraseFile], {}));
    assert.match(created.did, /^did:jwk:/);
    assert.equal(created.algorithm, 'ES256');
  });

  it('export-key writes the signing key as a private JWK (mode 0600) that signs as the DID, and never overwrites', async () => {
    const out = join(temp.root, 'register-key.json');
    const exported = json(await runCli(['wallet', 'export-key', '--wallet', registerDir, '--out', out], env));
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const jwk = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    assert.equal(jwk.kid, exported.kid);
    assert.equal(jwk.alg, 'ES256');
    assert.ok(typeof jwk.d === 'string' && jwk.d.length > 0);
    const shown = json(await runCli(['wallet', 'show', '--wallet', registerDir], {}));
    const method = shown.document.verificationMethod.find((m: { id: string }) => m.id === jwk.kid);
    const jws = await new CompactSign(new TextEncoder().encode('as the DID'))
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
      .sign(await importJWK(jwk, 'ES256'));
    await compactVerify(jws, await importJWK(method.publicKeyJwk, 'ES256'));
    const again = await runCli(['wallet', 'export-key', '--wallet', registerDir, '--out', out], env);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /invalid_argument/);
  });

  it('show prints the DID and its document without a passphrase', async () => {
    const shown = json(await runCli(['wallet', 'show', '--wallet', holderDir], {}));
    assert.equal(shown.did, holderDid);
    assert.equal(shown.document.id, holderDid);
    assert.equal(shown.credentials, 0);
    assert.ok(!JSON.stringify(shown).includes('ciphertext'));
  });

  it('issue prints a credential; add stores it (from the printed JSON); list shows it', async () => {
    const claims = {
      legalName: 'Stadtwerke Musterstadt GmbH',
      registrationNumber: 'HRB 12345',
      country: 'DE',
    };
    const issued = json(
      await runCli(
        [
          'wallet',
          'issue',
          '--wallet',
          registerDir,
          '--passphrase-file',
          passphraseFile,
          '--type',
          'LegalPersonCredential',
          '--subject',
          holderDid,
          '--claims',
          JSON.stringify(claims),
          '--format',
          'jwt_vc_json',
        ],
        {},
      ),
    );
    assert.equal(issued.subject, holderDid);
    assert.equal(issued.format, 'jwt_vc_json');
    assert.deepEqual(decode(issued.jwt).payload.vc, {
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiableCredential', 'LegalPersonCredential'],
      issuanceDate: (decode(issued.jwt).payload.vc as { issuanceDate: string }).issuanceDate,
      credentialSubject: { ...claims, id: holderDid },
    });
    const file = join(temp.root, 'issued.json');
    writeFileSync(file, JSON.stringify(issued));

    const added = json(await runCli(['wallet', 'add', `@${file}`, '--wallet', holderDir], env));
    assert.equal(added.type, 'LegalPersonCredential');
    assert.equal(added.issuer, issued.issuer);
    assert.equal(added.jwt, undefined);

    const listed = json(await runCli(['wallet', 'list', '--wallet', holderDir, '--jwt'], {}));
    assert.equal(listed.length, 1);
    assert.equal(listed[0].jwt, issued.jwt);
    assert.equal(listed[0].id, issued.id);
  });

  it('issue refuses claims that break the schema, listing what is wrong (schema_violation, exit 1)', async () => {
    const result = await runCli(
      [
        'wallet',
        'issue',
        '--wallet',
        registerDir,
        '--type',
        'LegalPersonCredential',
        '--subject',
        holderDid,
        '--claims',
        '{}',
      ],
      env,
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /schema_violation/);
    assert.match(result.stderr, /\/credentialSubject\/legalName is required/);
  });

  it('a wrong passphrase fails with wrong_passphrase and exit 1', async () => {
    const result = await runCli(['wallet', 'add', 'x.y.z', '--wallet', holderDir], {
      WALLET_PASSPHRASE: 'not the passphrase',
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /wrong_passphrase/);
  });

  it('without any passphrase says where to put one', async () => {
    const result = await runCli(['wallet', 'add', 'x.y.z', '--wallet', holderDir], {});
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--passphrase-file <path> or WALLET_PASSPHRASE/);
  });

  describe('against the service API (a local stand-in)', () => {
    let service: FakeService;
    before(async () => {
      service = await startFakeService();
    });
    after(() => service.close());

    it('apply posts the application with the stored LegalPersonCredential and prints the receipt', async () => {
      service.route('POST', '/api/v1/membership/applications', (request) => {
        const { payload } = decode((request.body as { presentation: string }).presentation);
        const vp = payload.vp as { verifiableCredential: string[] };
        if (
          payload.nonce !== service.challenges.at(-1) ||
          payload.aud !== service.did ||
          vp.verifiableCredential.length !== 2
        ) {
          return problem(400, 'presentation_invalid', 'unexpected presentation');
        }
        return { status: 201, body: { id: 'app-1', motionId: 'motion-1', status: 'under_review' } };
      });
      const receipt = json(
        await runCli(
          [
            'wallet',
            'apply',
            '--wallet',
            holderDir,
            '--service',
            service.url,
            '--roles',
            'data-provider,data-consumer',
            '--legal-name',
            'Stadtwerke Musterstadt GmbH',
            '--registration-number',
            'HRB 12345',
            '--country',
            'DE',
            '--email',
            'dataspace@stadtwerke.example',
          ],
          env,
        ),
      );
      assert.deepEqual(receipt, { id: 'app-1', motionId: 'motion-1', status: 'under_review' });
    });

    it('vote prints the answer; a problem answer exits 1 with its code and status', async () => {
      service.route('POST', '/api/v1/motions/motion-1/votes', () => ({
        status: 201,
        body: { motion: 'motion-1', votes: 1 },
      }));
      const args = [
        'wallet',
        'vote',
        '--wallet',
        registerDir,
        '--service',
        service.url,
        '--decision',
        'approve',
      ];
      assert.deepEqual(json(await runCli([...args, '--motion', 'motion-1'], env)), {
        motion: 'motion-1',
        votes: 1,
      });
      service.route('POST', '/api/v1/motions/motion-2/votes', () =>
        problem(403, 'not_board_member', 'Not a board member'),
      );
      const refused = await runCli([...args, '--motion', 'motion-2'], env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /not_board_member \(HTTP 403\)/);
    });
  });
});
