/**
 * Third-party holders end to end (issue 9, items 1, 2 and 4): did-jwt-vc and Veramo make
 * their presentations their own way (VC-JWT 1.1 mapping: the time in `nbf`, no `iat`); the
 * service accepts them on POST /api/v1/presentations/verify, in a membership application and
 * in the wallet login, where `@openid4vc/openid4vp` 0.4.6 is the wallet (it verifies our request
 * object, including the client identifier against the DID of `kid`) and the `dcql` 3 reference
 * matcher finds the admitted member's MembershipCredential with our query, same-device and
 * cross-device.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import request from 'supertest';
import {
  type Actor,
  anchorsDir,
  legalPersonCredential,
  newActor,
  type Organisation,
  seatBoard,
  vote,
} from '../governance/support.js';
import {
  Browser,
  REDIRECT_URI,
  type Running,
  relyingParty,
  startLogin,
  startService,
  walletUrls,
} from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { answerLogin, HOLDERS, type Holder } from './support.js';

const DOMAIN = 'https://connector.example';

function decode(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = jwt.split('.') as [string, string];
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
  };
}

describeEachDatabase(
  'interop: did-jwt-vc and Veramo holders, @openid4vc/openid4vp wallet, dcql matcher',
  (fresh) => {
    let running: Running;
    let rp: client.Configuration;
    let register: Actor;
    let board: Actor[];

    before(async function () {
      this.timeout(60_000);
      register = await newActor();
      running = await startService(await fresh(), { TRUST_ANCHORS_DIR: anchorsDir(register) });
      board = await seatBoard(running.service);
      rp = await relyingParty(running);
    });
    after(async () => running?.close());

    const app = () => running.service.app.callback();
    const challenge = async () =>
      (await request(app()).get('/api/v1/membership/challenge').expect(200)).body.challenge as string;

    for (const { name, make } of HOLDERS) {
      describe(`${name} as the holder`, () => {
        let holder: Holder;
        let org: Organisation;
        let membership: string;
        /** A membership challenge a refused application left unused. */
        let leftUnused: string | undefined;

        before(async () => {
          holder = await make();
          org = {
            legalName: `${name} Stadtwerke GmbH`,
            registrationNumber: `HRB ${randomUUID().slice(0, 8)}`,
            country: 'DE',
          };
        });

        it('makes presentations without iat (the time is in nbf)', async () => {
          const vp = await holder.present([], 'n', DOMAIN);
          const { payload } = decode(vp);
          assert.equal(payload.iat, undefined);
          assert.equal(typeof payload.nbf, 'number');
        });

        it('is accepted by POST /api/v1/presentations/verify', async () => {
          const nonce = randomUUID();
          const evidence = await legalPersonCredential(register, holder.did, org);
          const vp = await holder.present([evidence], nonce, DOMAIN);
          const response = await request(app())
            .post('/api/v1/presentations/verify')
            .send({ presentation: vp, challenge: nonce, domain: DOMAIN })
            .expect(200);
          assert.equal(response.body.verified, true, JSON.stringify(response.body.checks));
          assert.equal(response.body.holder, holder.did);
        });

        const applicationForm = () =>
          holder.selfIssue('MembershipApplicationCredential', {
            ...org,
            roles: ['data-provider'],
            contact: { email: 'data@city.example' },
          });

        it('a refused application (its presentation addressed to another verifier) leaves the challenge usable', async () => {
          const nonce = await challenge();
          const evidence = await legalPersonCredential(register, holder.did, org);
          const refused = await request(app())
            .post('/api/v1/membership/applications')
            .send({ presentation: await holder.present([evidence, await applicationForm()], nonce, DOMAIN) });
          assert.equal(refused.status, 422, JSON.stringify(refused.body));
          assert.equal(refused.body.code, 'presentation_invalid');
          const checks = refused.body.checks as Array<{ check: string; result: string; code?: string }>;
          assert.equal(checks.find((c) => c.check === 'domain')?.code, 'domain_mismatch');
          assert.deepEqual(
            checks.find((c) => c.check === 'challenge'),
            {
              check: 'challenge',
              result: 'skipped',
              code: 'not_evaluated',
            },
          );
          leftUnused = nonce;
        });

        it('applies for membership and, once the board approves, fetches its MembershipCredential as jwt_vc_json', async () => {
          const did = running.service.identity.did;
          const form = await applicationForm();
          const evidence = await legalPersonCredential(register, holder.did, org);
          // The challenge the refused application left unused is still good.
          const applied = await request(app())
            .post('/api/v1/membership/applications')
            .send({
              presentation: await holder.present([evidence, form], leftUnused ?? (await challenge()), did),
            });
          assert.equal(applied.status, 201, JSON.stringify(applied.body));
          assert.equal(applied.body.status, 'under_review');
          for (const member of board.slice(0, 2)) {
            await request(app())
              .post(`/api/v1/motions/${applied.body.motionId}/votes`)
              .send({ vote: await vote(member, did, applied.body.motionId, 'approve') })
              .expect(201);
          }
          const fetched = await request(app())
            .post(`/api/v1/membership/applications/${applied.body.id}/credential`)
            .send({ presentation: await holder.present([], await challenge(), did) });
          assert.equal(fetched.status, 200, JSON.stringify(fetched.body));
          membership = fetched.body.credential as string;
          const { header, payload } = decode(membership);
          assert.equal(header.typ, 'JWT', 'VCDM 1.1 JWT: jwt_vc_json in OpenID4VP 1.0 Appendix B.1.3.1');
          assert.deepEqual((payload.vc as { type: string[] }).type, [
            'VerifiableCredential',
            'MembershipCredential',
          ]);
        });

        for (const flow of ['same-device', 'cross-device'] as const) {
          it(`logs in ${flow}: the wallet library verifies our request object and dcql finds the membership`, async () => {
            assert.ok(membership, 'admitted in the test before');
            const browser = new Browser(running.publicUrl);
            const started = await startLogin(rp, 'openid membership');
            const page = await browser.navigate(started.authorizationUrl.href);
            const urls = walletUrls(await page.response.text());
            const evidence = await legalPersonCredential(register, holder.did, org);
            const answer = await answerLogin(
              flow === 'same-device' ? urls.sameDevice : urls.crossDevice,
              holder,
              [evidence, membership],
            );
            assert.equal(answer.response.status, 200, JSON.stringify(answer.response.body));
            assert.deepEqual(
              answer.query.credentials.map((c) => [c.id, c.format]),
              [
                ['membership', 'jwt_vc_json'],
                ['membership-sd-jwt', 'dc+sd-jwt'],
              ],
            );
            // Either format answers (issue 12): the wallet chose the jwt_vc_json option.
            assert.deepEqual(answer.query.credential_sets?.[0]?.options, [
              ['membership'],
              ['membership-sd-jwt'],
            ]);
            let back: { response: Response; url: string };
            if (flow === 'same-device') {
              back = await browser.navigate(answer.response.body.redirect_uri as string);
            } else {
              const uid = new URL(page.url).pathname.split('/').at(-1);
              const status = await browser.request(`${running.issuer}/interaction/${uid}/status`);
              const body = (await status.json()) as { status: string; continue: string };
              assert.equal(body.status, 'presented');
              back = await browser.navigate(new URL(body.continue, running.publicUrl).href);
            }
            assert.ok(back.url.startsWith(REDIRECT_URI), `lands at the relying party, not ${back.url}`);
            const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
              pkceCodeVerifier: started.verifier,
              expectedState: started.state,
            });
            assert.equal(tokens.claims()?.organisation, org.legalName);
          });
        }
      });
    }
  },
);
