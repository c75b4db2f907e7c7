/**
 * The README walk-through, with real processes: the service started by `dataspace-trust
 * start`, and every other step by the CLI alone (operator commands and wallets).
 */
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT, runCli, spawnCli, waitUntilReady } from '../support/process.js';
import { TEST_SECRET } from '../support/service.js';

describe('walk-through: with the CLI alone, a board admits a city and suspends it', () => {
  let server: ChildProcess | undefined;
  after(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });

  it('runs every step of the README', async function () {
    this.timeout(300_000);
    const dir = mkdtempSync(join(tmpdir(), 'dst-walk-'));
    const port = await freePort();
    const service = `http://localhost:${port}`;
    const env = {
      PORT: String(port),
      DATA_DIR: join(dir, 'data'),
      TRUST_ANCHORS_DIR: join(dir, 'anchors'),
      RULEBOOK_DIR: join(ROOT, 'rulebook'),
      CREDENTIAL_SCHEMAS_DIR: join(ROOT, 'credential-schemas'),
      KEY_ENCRYPTION_SECRET: TEST_SECRET,
      SHUTDOWN_DRAIN_MS: '0', // no load balancer in front: stop at once
      WALLET_PASSPHRASE: 'a long walk-through passphrase',
      LOG_LEVEL: 'error',
    };
    const cli = async (...args: string[]) => {
      const result = await runCli(args, env);
      assert.equal(result.code, 0, `${args.join(' ')} → ${result.stderr}`);
      return JSON.parse(result.stdout);
    };
    const wallet = (name: string) => join(dir, name);

    const register = await cli('wallet', 'create', '--wallet', wallet('register'));
    mkdirSync(env.TRUST_ANCHORS_DIR);
    writeFileSync(
      join(env.TRUST_ANCHORS_DIR, 'register.json'),
      JSON.stringify({
        did: register.did,
        name: 'Business Register',
        credentialTypes: ['LegalPersonCredential'],
      }),
    );
    server = spawnCli(['start'], env);
    await waitUntilReady(`http://127.0.0.1:${port}/health/ready`);

    const board: Record<string, string> = {};
    for (const name of ['alice', 'bob', 'carol']) {
      board[name] = (await cli('wallet', 'create', '--wallet', wallet(name))).did;
      const seated = await cli('board', 'add', board[name] as string, '--name', name);
      writeFileSync(join(dir, `${name}-seat.json`), JSON.stringify(seated));
    }
    // The seat's BoardMemberCredential goes into the wallet (README step 2), for the workspace.
    const seatStored = await cli(
      'wallet',
      'add',
      '--wallet',
      wallet('alice'),
      `@${join(dir, 'alice-seat.json')}`,
    );
    assert.ok(seatStored.types.includes('BoardMemberCredential'));
    const city = (await cli('wallet', 'create', '--wallet', wallet('city'))).did as string;
    const claims = JSON.stringify({
      legalName: 'City of Example',
      registrationNumber: 'HRB 12345',
      country: 'DE',
    });
    const issued = await runCli(
      [
        'wallet',
        'issue',
        '--wallet',
        wallet('register'),
        '--type',
        'LegalPersonCredential',
        '--subject',
        city,
        '--claims',
        claims,
      ],
      env,
    );
    assert.equal(issued.code, 0, issued.stderr);
    writeFileSync(join(dir, 'lpc.json'), issued.stdout);
    await cli('wallet', 'add', '--wallet', wallet('city'), `@${join(dir, 'lpc.json')}`);
    const application = await cli(
      'wallet',
      'apply',
      '--wallet',
      wallet('city'),
      '--service',
      service,
      '--roles',
      'public-authority',
      '--legal-name',
      'City of Example',
      '--registration-number',
      'HRB 12345',
      '--country',
      'DE',
      '--email',
      'data@city.example',
    );
    assert.equal(application.status, 'under_review');

    for (const name of ['alice', 'bob']) {
      await cli(
        'wallet',
        'vote',
        '--wallet',
        wallet(name),
        '--service',
        service,
        '--motion',
        application.motionId,
        '--decision',
        'approve',
      );
    }
    await cli(
      'wallet',
      'fetch-membership',
      '--wallet',
      wallet('city'),
      '--service',
      service,
      '--application',
      application.id,
    );
    const listed = await cli(
      'wallet',
      'list',
      '--wallet',
      wallet('city'),
      '--type',
      'MembershipCredential',
      '--jwt',
    );
    const jwt = (Array.isArray(listed) ? listed[0] : listed.credentials?.[0])?.jwt as string;
    assert.ok(jwt, JSON.stringify(listed));

    const verify = async () =>
      (await fetch(`${service}/api/v1/credentials/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ credential: jwt }),
      }).then((r) => r.json())) as { verified: boolean; checks: { check: string; code?: string }[] };
    assert.equal((await verify()).verified, true);
    const members = (await fetch(`${service}/api/v1/members`).then((r) => r.json())) as {
      items: { did: string; status: string }[];
    };
    assert.deepEqual(
      members.items.map((m) => [m.did, m.status]),
      [[city, 'active']],
    );

    // Connecting a connector: the city's connector gets a token with its wallet and tests it.
    const issuedToken = await runCli(
      [
        'wallet',
        'connector-token',
        '--wallet',
        wallet('city'),
        '--service',
        service,
        '--scope',
        'consents:check,events',
      ],
      env,
    );
    assert.equal(issuedToken.code, 0, issuedToken.stderr);
    const connectorMe = () =>
      fetch(`${service}/api/v1/connectors/me`, {
        headers: { authorization: `Bearer ${issuedToken.stdout.trim()}` },
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const connected = await connectorMe();
    assert.equal(connected.status, 200);
    assert.deepEqual(connected.body.member, {
      status: 'active',
      roles: ['public-authority'],
      name: 'City of Example',
    });

    // Citizens' consent: the city's connector publishes a notice and asks the check.
    const consentToken = await runCli(
      [
        'wallet',
        'connector-token',
        '--wallet',
        wallet('city'),
        '--service',
        service,
        '--scope',
        'notices,consents:check',
      ],
      env,
    );
    assert.equal(consentToken.code, 0, consentToken.stderr);
    const bearer = {
      authorization: `Bearer ${consentToken.stdout.trim()}`,
      'content-type': 'application/json',
    };
    const published = await fetch(`${service}/api/v1/notices`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({
        notice: {
          title: 'Park & Ride app',
          purposes: ['dpv:ServiceProvision', 'dpv:ImproveTransportMobility'],
          dataCategories: ['pd:Location'],
          recipients: [],
          legalBasis: 'dpv:Consent',
          retentionDays: 365,
          jurisdiction: 'DE',
          language: 'en',
          text: 'We use where you park to run Park & Ride and, if you agree, to improve public transport.',
        },
      }),
    });
    assert.equal(published.status, 201, await published.clone().text());
    const notice = (await published.json()) as { controller: string; version: number };
    assert.equal(notice.version, 1);
    const notices = (await (
      await fetch(`${service}/api/v1/notices?controller=${encodeURIComponent(notice.controller)}`)
    ).json()) as {
      items: unknown[];
    };
    assert.equal(notices.items.length, 1);
    const checked = await fetch(`${service}/api/v1/consents/check`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({
        subject: 'A'.repeat(43),
        purpose: 'dpv:ServiceProvision',
        dataCategory: 'pd:Location',
      }),
    });
    assert.deepEqual(((await checked.json()) as { reasons: unknown }).reasons, [{ code: 'no_consent' }]);
    // A citizen's wallet with a PersonIdentificationCredential from the development PID provider.
    const erika = await cli('wallet', 'create', '--wallet', wallet('erika'));
    const pid = await runCli(
      [
        'wallet',
        'issue',
        '--wallet',
        join(ROOT, 'trust-anchors/development/pid-provider'),
        '--passphrase-file',
        join(ROOT, 'trust-anchors/development/pid-provider.passphrase'),
        '--type',
        'PersonIdentificationCredential',
        '--format',
        'jwt_vc_json',
        '--subject',
        erika.did,
        '--claims',
        '{"personalIdentifier":"DEV-0001"}',
      ],
      env,
    );
    assert.equal(pid.code, 0, pid.stderr);
    writeFileSync(join(dir, 'pid.json'), pid.stdout);
    const stored = await cli('wallet', 'add', '--wallet', wallet('erika'), `@${join(dir, 'pid.json')}`);
    assert.equal(stored.type, 'PersonIdentificationCredential');

    const suspension = await cli(
      'wallet',
      'motion',
      '--wallet',
      wallet('alice'),
      '--service',
      service,
      '--kind',
      'suspend',
      '--subject',
      city,
      '--reason',
      'breach',
    );
    for (const name of ['alice', 'bob']) {
      await cli(
        'wallet',
        'vote',
        '--wallet',
        wallet(name),
        '--service',
        service,
        '--motion',
        suspension.id,
        '--decision',
        'approve',
      );
    }
    const after = await verify();
    assert.equal(after.verified, false);
    assert.equal(after.checks.find((c) => c.check === 'status')?.code, 'suspended');
    const disconnected = await connectorMe();
    assert.equal(disconnected.status, 403);
    assert.equal(disconnected.body.code, 'member_not_active');

    const audit = await cli('audit', 'verify');
    assert.equal(audit.valid, true);
    assert.ok(audit.size >= 10);
  });
});
