/**
 * A replica that is still starting answers every request 503 `starting` (problem+json, with
 * Retry-After), as `dataspace-trust start` does while it holds the port before the service
 * exists (reservePort). Every wallet command that first reads the service's discovery, metadata
 * or a challenge says that the service is not ready, with the HTTP status and the problem code,
 * and exits non-zero: never "does not describe itself as the issuer" or "not JSON".
 */
import { strict as assert } from 'node:assert';
import type { AddressInfo } from 'node:net';
import { type ReservedPort, reservePort } from '../../src/http/server.js';
import { createWallet, openWallet, requestConnectorToken, ServiceError } from '../../src/wallet/index.js';
import { runCli } from '../support/process.js';
import { PASSPHRASE, tempWalletDir } from './support.js';

describe('wallet commands against a replica that is starting (503 starting)', function () {
  this.timeout(60_000);
  const temp = tempWalletDir();
  const env = { WALLET_PASSPHRASE: PASSPHRASE };
  let replica: ReservedPort;
  let service: string;

  before(async () => {
    await createWallet({ dir: temp.dir, passphrase: PASSPHRASE });
    replica = await reservePort({ port: 0, host: '127.0.0.1' });
    service = `http://127.0.0.1:${(replica.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await replica?.close();
    temp.remove();
  });

  const notReady = (request: string) =>
    `dataspace-trust: starting (HTTP 503): the service is not ready: ${request} answered 503 starting (the service is starting); retry after 1 s\n`;

  it('requestConnectorToken rejects with ServiceError 503 starting, not invalid_response', async () => {
    const wallet = await openWallet({
      dir: temp.dir,
      passphrase: PASSPHRASE,
    });
    await assert.rejects(
      requestConnectorToken({ wallet, service, scopes: ['agreements'] }),
      (error: unknown) => {
        assert.ok(error instanceof ServiceError);
        assert.equal(error.status, 503);
        assert.equal(error.code, 'starting');
        assert.equal(
          error.message,
          `the service is not ready: GET ${service}/oidc/.well-known/openid-configuration answered 503 starting (the service is starting); retry after 1 s`,
        );
        return true;
      },
    );
  });

  it('wallet offers publish exits 1 saying the service is not ready (the discovery it reads first)', async () => {
    const result = await runCli(
      ['wallet', 'offers', 'publish', '--service', service, '--wallet', temp.dir, '--policy', '{}'],
      env,
    );
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, notReady(`GET ${service}/oidc/.well-known/openid-configuration`));
  });

  it('wallet connector-token exits 1 saying the service is not ready', async () => {
    const result = await runCli(
      ['wallet', 'connector-token', '--service', service, '--scope', 'agreements', '--wallet', temp.dir],
      env,
    );
    assert.equal(result.code, 1);
    assert.equal(result.stderr, notReady(`GET ${service}/oidc/.well-known/openid-configuration`));
  });

  it('wallet fetch-membership exits 1 saying the service is not ready (the challenge it asks first)', async () => {
    const result = await runCli(
      ['wallet', 'fetch-membership', '--service', service, '--application', 'a-1', '--wallet', temp.dir],
      env,
    );
    assert.equal(result.code, 1);
    assert.equal(result.stderr, notReady(`GET ${service}/api/v1/membership/challenge`));
  });

  it('wallet receive exits 1 saying the service is not ready (the offer it reads by reference)', async () => {
    const offerUri = `${service}/oid4vci/offers/o-1`;
    const result = await runCli(
      [
        'wallet',
        'receive',
        `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(offerUri)}`,
        '--wallet',
        temp.dir,
      ],
      env,
    );
    assert.equal(result.code, 1);
    assert.equal(result.stderr, notReady(`the credential offer (GET ${offerUri})`));
  });

  it('wallet receive --authorize exits 1 saying the service is not ready (the issuer metadata it reads first)', async () => {
    const result = await runCli(
      ['wallet', 'receive', '--authorize', '--issuer', service, '--wallet', temp.dir],
      env,
    );
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      notReady(`the issuer metadata (GET ${new URL(service).origin}/.well-known/openid-credential-issuer)`),
    );
  });
});
