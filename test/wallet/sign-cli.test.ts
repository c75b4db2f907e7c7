/**
 * `dataspace-trust wallet login` answering a request that carries OpenID4VP `transaction_data`
 * (§5.1, §8.4), as a real process: the portal's membership application. The CLI shows the decoded
 * items on stderr before anything is signed; without a terminal to ask on and without
 * `--sign-transaction-data` it signs nothing (`transaction_data_declined`); with it, the
 * presentation carries the items' hashes and the verifier accepts it. The same for a board
 * member's vote and a board member's motion from the workspace.
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import { createWallet } from '../../src/wallet/index.js';
import {
  anchorsDir,
  applicationCredential,
  legalPersonCredential,
  newActor,
  presentation,
} from '../governance/support.js';
import { type Running, startService } from '../oidc/support.js';
import { csrfOf } from '../portal/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
import { PASSPHRASE, tempWalletDir } from './support.js';

const ORG = { legalName: 'City of Example', registrationNumber: 'HRB 12345', country: 'DE' };

describeEachDatabase('dataspace-trust wallet login with transaction data (a real process)', (fresh) => {
  const temp = tempWalletDir();
  const env = { WALLET_PASSPHRASE: PASSPHRASE };
  let running: Running;
  let register: Awaited<ReturnType<typeof newActor>>;

  before(async function () {
    this.timeout(60_000);
    register = await newActor();
    running = await startService(await fresh(), { TRUST_ANCHORS_DIR: anchorsDir(register) });
    const wallet = await createWallet({ dir: temp.dir, passphrase: PASSPHRASE });
    await wallet.addCredential(await legalPersonCredential(register, wallet.did, ORG));
  });
  after(async () => {
    await running?.close();
    temp.remove();
  });

  /** The portal's application form, posted: the cross-device link and the page's poll. */
  async function applyLink(): Promise<{ link: string; status: () => Promise<unknown> }> {
    const form = await fetch(`${running.publicUrl}/portal/apply`);
    let cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const posted = await fetch(`${running.publicUrl}/portal/apply`, {
      method: 'POST',
      headers: { cookie, origin: running.publicUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        csrf_token: csrfOf(await form.text()),
        ...ORG,
        'role-data-consumer': 'on',
        email: 'data@city.example',
      }),
    });
    const html = await posted.text();
    assert.equal(posted.status, 200, html);
    cookie = (posted.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const link = (/<code id="cross-device-url">([^<]+)<\/code>/.exec(html)?.[1] ?? '').replaceAll(
      '&amp;',
      '&',
    );
    const statusUrl = /fetch\("([^"]+)"/.exec(html)?.[1] as string;
    return {
      link,
      status: async () => (await fetch(`${running.publicUrl}${statusUrl}`, { headers: { cookie } })).json(),
    };
  }

  it('shows the decoded application and signs nothing without --sign-transaction-data (transaction_data_declined)', async function () {
    this.timeout(60_000);
    const { link, status } = await applyLink();
    const result = await runCli(['wallet', 'login', link, '--wallet', temp.dir], env);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /dataspace_membership_application/);
    assert.match(result.stderr, /"legalName": "City of Example"/);
    assert.match(result.stderr, /transaction_data_declined/);
    assert.deepEqual(await status(), { status: 'pending' });
  });

  it('signs the transaction data with --sign-transaction-data: the verifier accepts the answer', async function () {
    this.timeout(60_000);
    const { link, status } = await applyLink();
    const result = await runCli(
      ['wallet', 'login', link, '--wallet', temp.dir, '--sign-transaction-data'],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /dataspace_membership_application/);
    const printed = JSON.parse(result.stdout) as { signed: { type: string; roles: string[] }[] };
    assert.deepEqual(
      printed.signed.map((item) => [item.type, item.roles]),
      [['dataspace_membership_application', ['data-consumer']]],
    );
    assert.deepEqual(await status(), { status: 'presented' });
  });

  it('signs a board member’s vote from the workspace: the vote is cast', async function () {
    this.timeout(90_000);
    // An application under review (through the API), so a motion is open.
    const applicant = await newActor();
    const app = running.service.app.callback();
    const { challenge } = (await request(app).get('/api/v1/membership/challenge').expect(200)).body;
    const vp = await presentation(applicant, running.service.identity.did, challenge, [
      await legalPersonCredential(register, applicant.did, ORG),
      await applicationCredential(applicant, ORG, ['public-authority']),
    ]);
    const applied = await request(app).post('/api/v1/membership/applications').send({ presentation: vp });
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    const motionId = applied.body.motionId as string;
    // A board member with a wallet directory the CLI opens, holding its BoardMemberCredential.
    const dir = `${temp.dir}-board`;
    const member = await createWallet({ dir, passphrase: PASSPHRASE });
    await running.service.governance.board.add({
      did: member.did,
      name: 'Ada',
      affiliations: [],
      by: 'operator',
    });
    const seated = await running.service.governance.board.seat(member.did);
    const issued = await running.service.credentials.issuer.issue({
      type: 'BoardMemberCredential',
      format: 'jwt_vc_json',
      subject: { id: member.did, name: 'Ada', role: 'member', since: seated?.addedAt as string, seat: 'Ada' },
    });
    await member.addCredential(issued.jwt);
    // The workspace, as the board member's logged-in browser sees it.
    const session = await running.service.portal.sessions.create({ boardMember: member.did });
    const cookie = `portal_session=${session.id}`;
    const workspace = await (
      await fetch(`${running.publicUrl}/portal/board/workspace`, { headers: { cookie } })
    ).text();
    const post = (path: string, fields: Record<string, string>) =>
      fetch(`${running.publicUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, origin: running.publicUrl, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf_token: csrfOf(workspace), ...fields }),
      });
    const signPage = await (
      await post(`/portal/board/workspace/motions/${motionId}/vote`, { decision: 'approve' })
    ).text();
    const link = (/<code id="cross-device-url">([^<]+)<\/code>/.exec(signPage)?.[1] ?? '').replaceAll(
      '&amp;',
      '&',
    );
    const result = await runCli(['wallet', 'login', link, '--wallet', dir, '--sign-transaction-data'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /dataspace_vote/);
    assert.match(result.stderr, new RegExp(`"motion": "${motionId}"`));
    const finish = /<form id="finish" method="post" action="([^"]+)"/.exec(signPage)?.[1] as string;
    const cast = await post(finish, {});
    assert.equal(cast.status, 303, await cast.text());
    const motion = await running.service.governance.engine.motion(motionId);
    assert.deepEqual(
      motion.votes.map((vote) => [vote.voter, vote.decision]),
      [[member.did, 'approve']],
    );
  });

  it('signs a board member’s motion from the workspace and shows it first: the motion is opened', async function () {
    this.timeout(90_000);
    const dir = `${temp.dir}-opener`;
    const member = await createWallet({ dir, passphrase: PASSPHRASE });
    await running.service.governance.board.add({ did: member.did, name: 'Chiara', by: 'operator' });
    const seated = await running.service.governance.board.seat(member.did);
    const issued = await running.service.credentials.issuer.issue({
      type: 'BoardMemberCredential',
      format: 'jwt_vc_json',
      subject: {
        id: member.did,
        name: 'Chiara',
        role: 'member',
        since: seated?.addedAt as string,
        seat: 'Chiara',
      },
    });
    await member.addCredential(issued.jwt);
    const leaving = await newActor();
    await running.service.governance.board.add({ did: leaving.did, name: 'Dario', by: 'operator' });
    const session = await running.service.portal.sessions.create({ boardMember: member.did });
    const cookie = `portal_session=${session.id}`;
    const workspace = await (
      await fetch(`${running.publicUrl}/portal/board/workspace`, { headers: { cookie } })
    ).text();
    const post = (path: string, fields: Record<string, string>) =>
      fetch(`${running.publicUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, origin: running.publicUrl, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf_token: csrfOf(workspace), ...fields }),
      });
    const signPage = await (
      await post('/portal/board/workspace/motions', {
        kind: 'remove-board-member',
        member: leaving.did,
        reason: 'has left the city administration',
      })
    ).text();
    const link = (/<code id="cross-device-url">([^<]+)<\/code>/.exec(signPage)?.[1] ?? '').replaceAll(
      '&amp;',
      '&',
    );
    const result = await runCli(['wallet', 'login', link, '--wallet', dir, '--sign-transaction-data'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /dataspace_motion/);
    assert.match(result.stderr, /"kind": "remove-board-member"/);
    assert.match(result.stderr, new RegExp(`"subject": "${leaving.did}"`));
    const finish = /<form id="finish" method="post" action="([^"]+)"/.exec(signPage)?.[1] as string;
    const opened = await post(finish, {});
    assert.equal(opened.status, 303, await opened.text());
    const motionId = decodeURIComponent((opened.headers.get('location') ?? '').split('/').pop() as string);
    const motion = await running.service.governance.engine.motion(motionId);
    assert.deepEqual(
      [motion.kind, motion.subject, motion.openedBy, motion.reason],
      ['remove-board-member', leaving.did, member.did, 'has left the city administration'],
    );
  });
});
