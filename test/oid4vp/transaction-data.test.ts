/**
 * OpenID4VP 1.0 §5.1 `transaction_data` and §8.4: the verifier sends items the holder signs into
 * its presentation (`transaction_data_hashes`, as Appendix B.3.3 defines them, here in the JWT
 * VP); an answer that does not cover every item is refused with a code and changes nothing.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { OAuthError } from '../../src/http/index.js';
import { queryForScopes, type TransactionDataItem } from '../../src/oid4vp/index.js';
import type { SigningRequest } from '../../src/oid4vp/signing.js';
import { WalletError } from '../../src/wallet/errors.js';
import type { TransactionDataView, Wallet } from '../../src/wallet/index.js';
import { walletLogin } from '../../src/wallet/index.js';
import { giveMembership, newWallet, type Running, startService } from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';

function invalidItem(error: unknown): boolean {
  assert.ok(error instanceof OAuthError);
  assert.equal(error.error, 'invalid_request');
  assert.match(error.errorDescription, /^transaction_data_invalid/);
  return true;
}

const b64hash = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');

describeEachDatabase('OpenID4VP transaction_data (§5.1, §8.4)', (fresh) => {
  let running: Running;

  before(async function () {
    this.timeout(60_000);
    running = await startService(await fresh());
  });
  after(async () => running?.close());

  async function membershipQuery() {
    const { rulebook } = await running.service.rulebook.store.current();
    return queryForScopes(['openid', 'membership'], rulebook);
  }

  async function voteRequest(extra: Partial<TransactionDataItem> = {}): Promise<SigningRequest> {
    const query = await membershipQuery();
    return running.service.oid4vp.signing.request({
      query,
      transactionData: [
        {
          type: 'dataspace_vote',
          credential_ids: [query.credentials[0]?.id ?? ''],
          motion: 'motion-1',
          decision: 'approve',
          ...extra,
        },
      ],
    });
  }

  /** The request object as a wallet reads it. */
  async function requestObject(request: SigningRequest): Promise<Record<string, unknown>> {
    const uri = new URL(request.crossDeviceUrl).searchParams.get('request_uri') as string;
    return decodeJwt(await (await fetch(uri)).text()) as Record<string, unknown>;
  }

  async function member(): Promise<Wallet> {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    return wallet;
  }

  /** Posts a presentation (signed by the wallet, with the given claims) answering every query. */
  async function post(request: SigningRequest, wallet: Wallet, claims: Record<string, unknown>) {
    const object = await requestObject(request);
    const now = Math.floor(Date.now() / 1000);
    const token = await wallet.sign(
      {
        iss: wallet.did,
        aud: object.client_id,
        nonce: object.nonce,
        iat: now,
        exp: now + 300,
        jti: `urn:uuid:${crypto.randomUUID()}`,
        ...claims,
        vp: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiablePresentation'],
          holder: wallet.did,
          verifiableCredential: wallet.credentials().map((c) => c.jwt),
        },
      },
      { typ: 'JWT' },
    );
    const ids = (object.dcql_query as { credentials: { id: string }[] }).credentials.map((c) => c.id);
    const response = await fetch(object.response_uri as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        vp_token: JSON.stringify(Object.fromEntries(ids.map((id) => [id, [token]]))),
        state: object.state as string,
      }).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  }

  /** Refused with `code`; the request ends refused with that code (the portal's page shows it). */
  async function refusedAndRecorded(
    request: SigningRequest,
    result: { status: number; body: Record<string, string> },
    code: string,
  ) {
    assert.equal(result.status, 400, JSON.stringify(result.body));
    assert.equal(result.body.error, 'access_denied');
    assert.match(result.body.error_description ?? '', new RegExp(`^${code}:`));
    assert.deepEqual(await running.service.oid4vp.signing.status(request.state), { status: 'refused', code });
    await assert.rejects(running.service.oid4vp.signing.take(request.state), {
      code,
      error: 'access_denied',
    });
  }

  describe('§5.1: the request object carries the items', () => {
    it('sends transaction_data as base64url JSON with type and credential_ids', async () => {
      const request = await voteRequest();
      const object = await requestObject(request);
      const items = object.transaction_data as string[];
      assert.equal(items.length, 1);
      const item = JSON.parse(Buffer.from(items[0] as string, 'base64url').toString('utf8'));
      const query = await membershipQuery();
      assert.deepEqual(item, {
        type: 'dataspace_vote',
        credential_ids: [query.credentials[0]?.id],
        motion: 'motion-1',
        decision: 'approve',
      });
    });

    it('refuses an item naming a credential query the request lacks (transaction_data_invalid)', async () => {
      await assert.rejects(voteRequest({ credential_ids: ['not-a-query'] }), invalidItem);
    });

    it('refuses an item without a type (transaction_data_invalid)', async () => {
      await assert.rejects(voteRequest({ type: '' }), invalidItem);
    });
  });

  describe('§8.4: the holder wallet signs the items into its presentation', () => {
    it('shows the decoded items, signs their hashes, and the portal reads the verified answer once', async () => {
      const wallet = await member();
      const request = await voteRequest();
      const [sent] = (await requestObject(request)).transaction_data as string[];
      let shown: readonly TransactionDataView[] = [];
      await walletLogin(wallet, request.crossDeviceUrl, {
        resolver: running.service.credentials.resolver,
        confirmTransactionData: (items) => {
          shown = items;
          return true;
        },
      });
      assert.equal(shown.length, 1);
      assert.equal(shown[0]?.type, 'dataspace_vote');
      assert.equal(shown[0]?.decision, 'approve');
      assert.deepEqual(await running.service.oid4vp.signing.status(request.state), { status: 'presented' });

      const outcome = await running.service.oid4vp.signing.take(request.state);
      assert.ok(outcome);
      assert.equal(outcome.holder, wallet.did);
      assert.deepEqual(outcome.transactionData, [sent]);
      const [presentation] = Object.values(outcome.vpToken)[0] ?? [];
      const payload = decodeJwt(presentation as string);
      assert.deepEqual(payload.transaction_data_hashes, [b64hash(outcome.transactionData[0] as string)]);
      assert.equal(payload.transaction_data_hashes_alg, 'sha-256');
      await assert.rejects(running.service.oid4vp.signing.take(request.state), /used/);
    });

    it('declines to sign what the holder did not confirm (transaction_data_declined), nothing posted', async () => {
      const wallet = await member();
      const request = await voteRequest();
      await assert.rejects(
        walletLogin(wallet, request.crossDeviceUrl, { resolver: running.service.credentials.resolver }),
        (error: unknown) => error instanceof WalletError && error.code === 'transaction_data_declined',
      );
      await assert.rejects(
        walletLogin(wallet, request.crossDeviceUrl, {
          resolver: running.service.credentials.resolver,
          confirmTransactionData: () => false,
        }),
        (error: unknown) => error instanceof WalletError && error.code === 'transaction_data_declined',
      );
      assert.deepEqual(await running.service.oid4vp.signing.status(request.state), { status: 'pending' });
    });
  });

  describe('§8.4: the verifier refuses an answer that does not cover every item', () => {
    it('refuses a presentation without transaction_data_hashes (transaction_data_hashes_missing)', async () => {
      const request = await voteRequest();
      await refusedAndRecorded(
        request,
        await post(request, await member(), {}),
        'transaction_data_hashes_missing',
      );
    });

    it('refuses hashes of other data (transaction_data_not_covered)', async () => {
      const request = await voteRequest();
      const other = Buffer.from(JSON.stringify({ type: 'dataspace_vote', decision: 'reject' })).toString(
        'base64url',
      );
      await refusedAndRecorded(
        request,
        await post(request, await member(), {
          transaction_data_hashes: [b64hash(other)],
          transaction_data_hashes_alg: 'sha-256',
        }),
        'transaction_data_not_covered',
      );
    });

    it('refuses another hash algorithm (transaction_data_hash_alg_unsupported)', async () => {
      const request = await voteRequest();
      const [item] = (await requestObject(request)).transaction_data as string[];
      await refusedAndRecorded(
        request,
        await post(request, await member(), {
          transaction_data_hashes: [b64hash(item as string)],
          transaction_data_hashes_alg: 'sha-384',
        }),
        'transaction_data_hash_alg_unsupported',
      );
    });

    it('accepts the right hash posted by hand, and the holder is the signer', async () => {
      const request = await voteRequest();
      const wallet = await member();
      const [item] = (await requestObject(request)).transaction_data as string[];
      const result = await post(request, wallet, {
        transaction_data_hashes: [b64hash(item as string)],
        transaction_data_hashes_alg: 'sha-256',
      });
      assert.equal(result.status, 200, JSON.stringify(result.body));
      assert.equal((await running.service.oid4vp.signing.take(request.state))?.holder, wallet.did);
    });
  });
});
