/**
 * The agreement register from the holder wallet (issue 13 item 5; docs/agreements.md "From the
 * CLI"): `dataspace-trust wallet offers …` / `wallet agreements …` and the library behind them
 * (AgreementsClient) against a running service, on both databases. Members are wallets admitted
 * through the membership API. Refusals leave the CLI with exit 1 and the service's code first
 * on stderr; the wallet refuses to sign terms whose hash it cannot recompute (`terms_mismatch`).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AgreementsClient,
  createWallet,
  requestConnectorToken,
  ServiceClient,
  type Wallet,
  WalletError,
} from '../../src/wallet/index.js';
import { type DataSpace, decideMotion, openDataSpace } from '../connectors/support.js';
import { legalPersonCredential } from '../governance/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
import { parkingOffer } from './support.js';

const PASSPHRASE = 'correct horse battery staple';
const env = { WALLET_PASSPHRASE: PASSPHRASE };

describeEachDatabase('the agreement commands of the holder wallet', (fresh) => {
  let space: DataSpace;
  let url: string;
  let city: Wallet;
  let mobility: Wallet;
  let institute: Wallet;

  async function member(name: string, roles: string[]): Promise<Wallet> {
    const wallet = await createWallet({
      dir: join(mkdtempSync(join(tmpdir(), 'dst-agreements-cli-')), 'w'),
      passphrase: PASSPHRASE,
    });
    const org = { legalName: name, registrationNumber: `HRB ${name.length}`, country: 'DE' };
    await wallet.addCredential(await legalPersonCredential(space.register, wallet.did, org));
    const services = new ServiceClient(url);
    const receipt = await services.apply({ wallet, roles, ...org, contact: { email: 'data@example.org' } });
    await decideMotion(space, receipt.motionId);
    await services.fetchMembershipCredential(wallet, receipt.id);
    return wallet;
  }

  const agreementsOf = (wallet: Wallet, base = url) =>
    new AgreementsClient(
      new ServiceClient(base),
      async () => (await requestConnectorToken({ wallet, service: url, scopes: ['agreements'] })).accessToken,
    );

  const cli = (...args: string[]) => runCli(args, env);
  const ok = async (...args: string[]) => {
    const result = await cli(...args);
    assert.equal(result.code, 0, `${args.join(' ')} → ${result.stderr}`);
    return JSON.parse(result.stdout);
  };
  const as = (wallet: Wallet) => ['--wallet', wallet.dir, '--service', url];

  before(async function () {
    this.timeout(180_000);
    space = await openDataSpace(await fresh());
    url = space.running.publicUrl;
    city = await member('City of Example', ['public-authority']);
    mobility = await member('Example Mobility GmbH', ['data-consumer']);
    institute = await member('Institute of Urban Research', ['data-consumer']);
  });
  after(async () => space?.close());

  /** An active agreement between the city and the mobility company, made with the library. */
  async function concluded(target: string) {
    const offer = await agreementsOf(city).publishOffer(parkingOffer({ target }));
    const proposed = await agreementsOf(mobility).propose({ offer: offer.id as string });
    const id = proposed.id as string;
    assert.equal((await agreementsOf(mobility).sign(mobility, id)).status, 'proposed');
    assert.equal((await agreementsOf(city).sign(city, id)).status, 'active');
    return { offer, id };
  }

  describe('the library (AgreementsClient)', () => {
    it('publishes, accepts the latest version, signs after recomputing the hash, lists and checks', async () => {
      const { id } = await concluded('https://data.example-city.eu/datasets/lib');
      const listed = await agreementsOf(mobility).listAgreements({ status: 'active' });
      assert.ok((listed.items as { id: string }[]).some((item) => item.id === id));
      const answer = await agreementsOf(mobility).check({
        agreement: id,
        action: 'read',
        purpose: 'dpv:ServiceProvision',
        spatial: 'DE212',
      });
      assert.equal(answer.permitted, true);
      const stored = await agreementsOf(city).credential(city, id);
      assert.ok(stored.stored.types.includes('DataSharingAgreementCredential'));
      assert.equal(stored.stored.subject, city.did);
    });

    it('refuses terms_mismatch, signing nothing, when the service shows terms that are not the hash asked for', async () => {
      const offer = await agreementsOf(city).publishOffer(
        parkingOffer({ target: 'https://data.example-city.eu/datasets/lying' }),
      );
      const proposed = await agreementsOf(mobility).propose({ offer: offer.id as string });
      // A service that answers every request truthfully but the agreement's hash.
      const liar: Server = createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const upstream = await fetch(`${url}${req.url}`, {
          method: req.method ?? 'GET',
          headers: Object.fromEntries(
            ['authorization', 'content-type', 'accept']
              .filter((name) => req.headers[name] !== undefined)
              .map((name) => [name, String(req.headers[name])]),
          ),
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
        });
        let text = await upstream.text();
        if (req.method === 'GET' && req.url === `/api/v1/agreements/${proposed.id}`)
          text = text.replace(proposed.hash as string, 'f'.repeat(64));
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
        res.end(text);
      });
      await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
      try {
        const base = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
        await assert.rejects(
          agreementsOf(mobility, base).sign(mobility, proposed.id as string),
          (error) => error instanceof WalletError && error.code === 'terms_mismatch',
        );
      } finally {
        liar.closeAllConnections();
        await new Promise<void>((resolve) => liar.close(() => resolve()));
      }
      const after = await agreementsOf(mobility).agreement(proposed.id as string);
      assert.deepEqual(after.signed, { provider: false, consumer: false });
    });
  });

  describe('the CLI', () => {
    it('offers publish a new version; propose of the superseded version is refused offer_superseded (409)', async function () {
      this.timeout(120_000);
      const file = join(mkdtempSync(join(tmpdir(), 'dst-offer-')), 'offer.json');
      writeFileSync(
        file,
        JSON.stringify(parkingOffer({ target: 'https://data.example-city.eu/datasets/v' })),
      );
      const first = await ok('wallet', 'offers', 'publish', ...as(city), '--policy', `@${file}`);
      const second = await ok(
        'wallet',
        'offers',
        'publish',
        ...as(city),
        '--policy',
        `@${file}`,
        '--offer',
        first.id,
      );
      assert.equal(second.version, 2);
      const shown = await ok('wallet', 'offers', 'show', first.id, '--service', url);
      assert.equal(shown.version, 2);
      const stale = await cli(
        'wallet',
        'agreements',
        'propose',
        ...as(mobility),
        '--offer',
        first.id,
        '--offer-version',
        '1',
      );
      assert.equal(stale.code, 1);
      assert.match(stale.stderr, /offer_superseded \(HTTP 409\)/);
      assert.equal(stale.stdout, '');
    });

    it('terminates with a reason (signed); a second termination is refused already_ended (409)', async function () {
      this.timeout(120_000);
      const { id } = await concluded('https://data.example-city.eu/datasets/terminate');
      const ended = await ok(
        'wallet',
        'agreements',
        'terminate',
        id,
        ...as(city),
        '--reason',
        'the dataset is retired',
      );
      assert.equal(ended.status, 'terminated');
      assert.equal(ended.endReason, 'the dataset is retired');
      const again = await cli('wallet', 'agreements', 'terminate', id, ...as(mobility), '--reason', 'again');
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already_ended \(HTTP 409\)/);
    });

    it('takes a token from wallet connector-token (--token); a third member’s check is refused not_a_party (403)', async function () {
      this.timeout(120_000);
      const { id } = await concluded('https://data.example-city.eu/datasets/token');
      const token = await cli('wallet', 'connector-token', ...as(mobility), '--scope', 'agreements');
      assert.equal(token.code, 0, token.stderr);
      const listed = await ok(
        'wallet',
        'agreements',
        'list',
        '--service',
        url,
        '--token',
        token.stdout.trim(),
      );
      assert.ok(listed.items.some((item: { id: string }) => item.id === id));
      const stranger = await cli(
        'wallet',
        'agreements',
        'check',
        ...as(institute),
        '--agreement',
        id,
        '--action',
        'read',
      );
      assert.equal(stranger.code, 1);
      assert.match(stranger.stderr, /not_a_party \(HTTP 403\)/);
    });

    it('refuses bad arguments before asking the service (invalid_argument)', async function () {
      this.timeout(60_000);
      const version = await cli(
        'wallet',
        'agreements',
        'propose',
        ...as(mobility),
        '--offer',
        'offer-x',
        '--offer-version',
        '0',
      );
      assert.equal(version.code, 1);
      assert.match(version.stderr, /invalid_argument/);
      const policy = await cli('wallet', 'offers', 'publish', ...as(city), '--policy', '{not json');
      assert.equal(policy.code, 1);
      assert.match(policy.stderr, /invalid_argument: --policy must be JSON/);
    });
  });
});
