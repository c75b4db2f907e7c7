/**
 * The README walk-through of agreements (issue 13 "Done when"), on both databases: two members
 * admitted with their holder wallets conclude an agreement from an offer with the CLI
 * (`dataspace-trust wallet offers …`, `wallet agreements …`); the consumer's connector check
 * is permitted for an allowed purpose and refused for another; the board suspends the
 * provider; the check says `not_active`; the agreement credential verifies as suspended; the
 * consumer's connector, subscribed to events, receives the activation, the provider's
 * suspension and the agreement's suspension as signed SETs.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Service } from '../../src/service.js';
import { createWallet, ServiceClient, type Wallet } from '../../src/wallet/index.js';
import { decide, decideMotion } from '../connectors/support.js';
import { eventOf, type Receiver, startReceiver, verifySet } from '../events/support.js';
import { type Actor, anchorsDir, legalPersonCredential, newActor, seatBoard } from '../governance/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
import { openTestService } from '../support/service.js';

const PASSPHRASE = 'a long walk-through passphrase';
const PARKING = 'https://data.example-city.eu/datasets/parking-occupancy';

describeEachDatabase(
  'walk-through: two members conclude an agreement with the CLI; the board suspends the provider',
  (fresh) => {
    let service: Service;
    let close: () => Promise<void>;
    let publicUrl: string;
    let receiver: Receiver;

    before(async function () {
      this.timeout(60_000);
      const register = await newActor();
      const server = createServer((_req, res) => res.writeHead(503).end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      publicUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
      // As `start` runs it: the event delivery worker pushes to subscribed endpoints.
      service = await openTestService(
        await fresh(),
        { TRUST_ANCHORS_DIR: anchorsDir(register), PUBLIC_URL: publicUrl },
        { sweeper: true },
      );
      server.removeAllListeners('request');
      server.on('request', service.app.callback());
      receiver = await startReceiver();
      close = async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await service.close();
        await receiver.close();
      };
      Object.assign(world, { register, board: await seatBoard(service) });
    });
    after(async () => close?.());

    const world = {} as { register: Actor; board: Actor[] };

    /** A member admitted as the README shows: evidence from the register, application, two approvals, credential. */
    async function member(name: string, roles: string[]): Promise<Wallet> {
      const dir = join(mkdtempSync(join(tmpdir(), 'dst-agreements-walk-')), name);
      const wallet = await createWallet({ dir, passphrase: PASSPHRASE });
      const org = {
        legalName: name,
        registrationNumber: `HRB ${name.length}${Date.now() % 1000}`,
        country: 'DE',
      };
      await wallet.addCredential(await legalPersonCredential(world.register, wallet.did, org));
      const client = new ServiceClient(publicUrl);
      const receipt = await client.apply({
        wallet,
        roles,
        ...org,
        contact: { email: `data@${roles[0]}.example` },
      });
      await decideMotion({ service, board: world.board, register: world.register }, receipt.motionId);
      await client.fetchMembershipCredential(wallet, receipt.id);
      return wallet;
    }

    it('runs every step of the README', async function () {
      this.timeout(300_000);
      const city = await member('City of Example', ['public-authority']);
      const mobility = await member('Example Mobility GmbH', ['data-consumer']);
      const env = { WALLET_PASSPHRASE: PASSPHRASE };
      const dst = async (...args: string[]) => {
        const result = await runCli(args, env);
        assert.equal(result.code, 0, `${args.join(' ')} → ${result.stderr}`);
        return result.stdout;
      };
      const json = async (...args: string[]) => JSON.parse(await dst(...args));
      const as = (wallet: Wallet) => ['--wallet', wallet.dir, '--service', publicUrl];

      // The consumer's connector subscribes to events (a token of scope events from its wallet).
      const eventsToken = (
        await dst('wallet', 'connector-token', ...as(mobility), '--scope', 'events')
      ).trim();
      const subscribed = await fetch(`${publicUrl}/api/v1/events/subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${eventsToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          url: receiver.url,
          types: ['agreement.activated', 'member.suspended', 'agreement.suspended'],
        }),
      });
      assert.equal(subscribed.status, 201, await subscribed.clone().text());

      // The city offers its parking data; the mobility company finds the offer and accepts it.
      const file = join(mkdtempSync(join(tmpdir(), 'dst-offer-')), 'offer.json');
      writeFileSync(
        file,
        JSON.stringify({
          '@context': 'http://www.w3.org/ns/odrl.jsonld',
          '@type': 'Offer',
          target: PARKING,
          permission: [
            {
              action: 'use',
              constraint: [
                {
                  leftOperand: 'purpose',
                  operator: 'isAnyOf',
                  rightOperand: ['dpv:ServiceProvision', 'dpv:ImproveTransportMobility'],
                },
                { leftOperand: 'spatial', operator: 'isAnyOf', rightOperand: ['DE300', 'DE212'] },
              ],
            },
          ],
          prohibition: [{ action: 'distribute' }],
        }),
      );
      const offer = await json('wallet', 'offers', 'publish', ...as(city), '--policy', `@${file}`);
      assert.equal(offer.version, 1);
      const listed = await json('wallet', 'offers', 'list', '--service', publicUrl, '--provider', city.did);
      assert.deepEqual(
        listed.items.map((item: { id: string }) => item.id),
        [offer.id],
      );
      const proposed = await json('wallet', 'agreements', 'propose', ...as(mobility), '--offer', offer.id);
      assert.equal(proposed.status, 'proposed');
      assert.equal(proposed.provider, city.did);
      assert.equal(proposed.consumer, mobility.did);

      // Both sign the terms' hash with their DIDs; the second signature activates the agreement.
      const first = await json('wallet', 'agreements', 'sign', proposed.id, ...as(mobility));
      assert.equal(first.status, 'proposed');
      const second = await json('wallet', 'agreements', 'sign', proposed.id, ...as(city));
      assert.equal(second.status, 'active');
      const shown = await json('wallet', 'agreements', 'show', proposed.id, ...as(city));
      assert.deepEqual(shown.signed, { provider: true, consumer: true });

      // The consumer's connector asks before an exchange: an allowed purpose, then another.
      const question = [
        '--provider',
        city.did,
        '--target',
        PARKING,
        '--action',
        'read',
        '--spatial',
        'DE300',
      ];
      const permitted = await json(
        'wallet',
        'agreements',
        'check',
        ...as(mobility),
        ...question,
        '--purpose',
        'dpv:ServiceProvision',
      );
      assert.equal(permitted.permitted, true);
      assert.equal(permitted.agreementId, proposed.id);
      assert.deepEqual(permitted.reasons, []);
      const refused = await json(
        'wallet',
        'agreements',
        'check',
        ...as(mobility),
        ...question,
        '--purpose',
        'dpv:ServiceUsageAnalytics',
      );
      assert.equal(refused.permitted, false);
      assert.deepEqual(refused.reasons, ['constraint_failed:purpose']);

      // The consumer keeps its DataSharingAgreementCredential; anyone verifies it.
      const credential = await json('wallet', 'agreements', 'credential', proposed.id, ...as(mobility));
      assert.ok(credential.types.includes('DataSharingAgreementCredential'));
      const verify = async () =>
        (await fetch(`${publicUrl}/api/v1/credentials/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ credential: credential.jwt }),
        }).then((r) => r.json())) as { verified: boolean; checks: { check: string; code?: string }[] };
      assert.equal((await verify()).verified, true);

      // The board suspends the provider.
      await decide({ service, board: world.board, register: world.register }, 'suspend', city.did);

      const after = await json(
        'wallet',
        'agreements',
        'check',
        ...as(mobility),
        ...question,
        '--purpose',
        'dpv:ServiceProvision',
      );
      assert.equal(after.permitted, false);
      assert.equal(after.code, 'not_active');
      assert.ok(after.reasons.includes('not_active'), JSON.stringify(after.reasons));
      const verified = await verify();
      assert.equal(verified.verified, false);
      assert.equal(verified.checks.find((c) => c.check === 'status')?.code, 'suspended');

      // The subscribed connector received the activation, the suspension and the agreement's suspension.
      await receiver.waitFor(3, 20_000);
      const events = [];
      for (const delivery of receiver.received) {
        await verifySet(service, delivery.body, mobility.did);
        events.push(eventOf(delivery.body));
      }
      assert.deepEqual(events.map((event) => event.type).sort(), [
        'agreement.activated',
        'agreement.suspended',
        'member.suspended',
      ]);
      const suspended = events.find((event) => event.type === 'agreement.suspended');
      assert.equal(suspended?.data?.agreementId, proposed.id);
      assert.equal(suspended?.data?.party, city.did);
    });
  },
);
