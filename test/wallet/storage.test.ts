import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWallet, inspectWallet, openWallet, WalletError } from '../../src/wallet/index.js';
import { decryptPrivateKey } from '../../src/wallet/key-protection.js';
import { CREDENTIALS_FILE, IDENTITY_FILE } from '../../src/wallet/storage.js';
import { dataSpaceSchemas, PASSPHRASE, rejectsWithCode, tempWalletDir } from './support.js';

describe('wallet storage: the identity and its private key encrypted at rest', () => {
  let temp: ReturnType<typeof tempWalletDir>;
  beforeEach(() => {
    temp = tempWalletDir();
  });
  afterEach(() => temp.remove());

  const create = (options: Partial<Parameters<typeof createWallet>[0]> = {}) =>
    createWallet({ dir: temp.dir, passphrase: PASSPHRASE, schemas: dataSpaceSchemas(), ...options });

  it('opens what it created: the same DID, kid and signing key', async () => {
    const created = await create({ method: 'did:jwk', algorithm: 'ES256' });
    const opened = await openWallet({ dir: temp.dir, passphrase: PASSPHRASE, schemas: dataSpaceSchemas() });
    assert.equal(opened.did, created.did);
    assert.equal(opened.kid, created.kid);
    assert.equal(opened.algorithm, 'ES256');
    assert.equal(opened.method, 'did:jwk');
    assert.deepEqual(opened.publicJwk, created.publicJwk);
  });

  it('refuses a wrong passphrase (wrong_passphrase)', async () => {
    await create();
    await rejectsWithCode(openWallet({ dir: temp.dir, passphrase: `${PASSPHRASE}!` }), 'wrong_passphrase');
  });

  it('throws a typed WalletError, not a crypto error, for a wrong passphrase', async () => {
    await create();
    await assert.rejects(openWallet({ dir: temp.dir, passphrase: 'not the passphrase' }), WalletError);
  });

  it('writes wallet.json with mode 0600 in a directory with mode 0700', async () => {
    const wallet = await create();
    await wallet
      .issueCredential({ type: 'Anything', subject: { id: wallet.did } })
      .then((jwt) => wallet.addCredential(jwt));
    assert.equal(statSync(temp.dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(temp.dir, IDENTITY_FILE)).mode & 0o777, 0o600);
    assert.equal(statSync(join(temp.dir, CREDENTIALS_FILE)).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(temp.dir).sort(), [CREDENTIALS_FILE, IDENTITY_FILE]);
  });

  for (const algorithm of ['EdDSA', 'ES256'] as const) {
    it(`stores no plaintext private key (${algorithm}): neither the JWK "d" nor the PKCS#8 bytes appear`, async () => {
      // The wallet never hands out its key: decrypt the stored one the way openWallet does.
      await create({ algorithm });
      const record = JSON.parse(readFileSync(join(temp.dir, IDENTITY_FILE), 'utf8'));
      const key = await decryptPrivateKey(record.privateKey, PASSPHRASE, record.did);
      const d = key.export({ format: 'jwk' }).d as string;
      const der = key.export({ format: 'der', type: 'pkcs8' });
      const raw = Buffer.from(d, 'base64url');
      for (const name of readdirSync(temp.dir)) {
        const bytes = readFileSync(join(temp.dir, name));
        const text = bytes.toString('utf8');
        for (const encoding of ['base64url', 'base64', 'hex'] as const) {
          assert.ok(!text.includes(raw.toString(encoding)), `${name} holds the key as ${encoding}`);
          assert.ok(!text.includes(der.toString(encoding)), `${name} holds the PKCS#8 as ${encoding}`);
        }
        assert.ok(!bytes.includes(raw), `${name} holds the raw key bytes`);
        assert.ok(!/"d"\s*:/.test(text), `${name} holds a JWK "d" member`);
      }
    });
  }

  it('binds the encrypted key to its DID: the key moved under another DID does not open (wrong_passphrase)', async () => {
    await create();
    const other = tempWalletDir();
    try {
      await createWallet({ dir: other.dir, passphrase: PASSPHRASE, schemas: dataSpaceSchemas() });
      const mine = JSON.parse(readFileSync(join(temp.dir, IDENTITY_FILE), 'utf8'));
      const theirs = JSON.parse(readFileSync(join(other.dir, IDENTITY_FILE), 'utf8'));
      writeFileSync(
        join(temp.dir, IDENTITY_FILE),
        JSON.stringify({ ...mine, privateKey: theirs.privateKey }),
      );
      await rejectsWithCode(openWallet({ dir: temp.dir, passphrase: PASSPHRASE }), 'wrong_passphrase');
    } finally {
      other.remove();
    }
  });

  it('refuses to create over an existing wallet (wallet_exists)', async () => {
    await create();
    await rejectsWithCode(create(), 'wallet_exists');
  });

  it('refuses a passphrase shorter than 8 characters (weak_passphrase)', async () => {
    await rejectsWithCode(create({ passphrase: 'short' }), 'weak_passphrase');
  });

  it('refuses an empty passphrase when opening (invalid_argument)', async () => {
    await create();
    await rejectsWithCode(openWallet({ dir: temp.dir, passphrase: '' }), 'invalid_argument');
  });

  it('reports a directory without a wallet (wallet_not_found)', async () => {
    await rejectsWithCode(openWallet({ dir: temp.dir, passphrase: PASSPHRASE }), 'wallet_not_found');
    assert.throws(() => inspectWallet({ dir: temp.dir }), { code: 'wallet_not_found' });
  });

  it('reports a wallet file that is not JSON (wallet_corrupt)', async () => {
    await create();
    writeFileSync(join(temp.dir, IDENTITY_FILE), '{ not json');
    await rejectsWithCode(openWallet({ dir: temp.dir, passphrase: PASSPHRASE }), 'wallet_corrupt');
  });

  it('reports scrypt parameters beyond the bounds without deriving (wallet_corrupt)', async () => {
    await create();
    const record = JSON.parse(readFileSync(join(temp.dir, IDENTITY_FILE), 'utf8'));
    writeFileSync(
      join(temp.dir, IDENTITY_FILE),
      JSON.stringify({ ...record, privateKey: { ...record.privateKey, N: 2 ** 30 } }),
    );
    await rejectsWithCode(openWallet({ dir: temp.dir, passphrase: PASSPHRASE }), 'wallet_corrupt');
  });

  it('inspectWallet reports a public JWK on file that is not the key of the DID (wallet_corrupt)', async () => {
    await create();
    const record = JSON.parse(readFileSync(join(temp.dir, IDENTITY_FILE), 'utf8'));
    const other = { ...record.publicJwk, x: Buffer.alloc(32, 7).toString('base64url') };
    writeFileSync(join(temp.dir, IDENTITY_FILE), JSON.stringify({ ...record, publicJwk: other }));
    assert.throws(() => inspectWallet({ dir: temp.dir }), { code: 'wallet_corrupt' });
  });

  it('inspectWallet reads the DID and document without the passphrase', async () => {
    const wallet = await create();
    const summary = inspectWallet({ dir: temp.dir });
    assert.equal(summary.did, wallet.did);
    assert.equal(summary.document.id, wallet.did);
    assert.deepEqual(summary.credentials, []);
    assert.ok(!('privateKey' in summary));
  });
});
