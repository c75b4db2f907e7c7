import { strict as assert } from 'node:assert';
import { compactVerify } from 'jose';
import {
  createDidResolver,
  decodeMultibaseKey,
  resolveDidJwk,
  resolveDidKey,
  selectVerificationKey,
} from '../../src/did/index.js';
import { createWallet, type DidMethod, type WalletAlgorithm } from '../../src/wallet/index.js';
import { dataSpaceSchemas, PASSPHRASE, tempWalletDir } from './support.js';

const CASES: readonly [DidMethod, WalletAlgorithm][] = [
  ['did:key', 'EdDSA'],
  ['did:key', 'ES256'],
  ['did:jwk', 'EdDSA'],
  ['did:jwk', 'ES256'],
];

describe('the wallet DID resolves with the project resolvers to the wallet key', () => {
  for (const [method, algorithm] of CASES) {
    describe(`${method} with ${algorithm}`, () => {
      const temp = tempWalletDir();
      after(() => temp.remove());
      const wallet = () =>
        createWallet({
          dir: temp.dir,
          passphrase: PASSPHRASE,
          method,
          algorithm,
          schemas: dataSpaceSchemas(),
        });
      let created: Awaited<ReturnType<typeof wallet>>;
      before(async () => {
        created = await wallet();
      });

      it('has the DID syntax and the kid of its method', () => {
        if (method === 'did:key') {
          const multibase = created.did.slice('did:key:'.length);
          assert.match(multibase, algorithm === 'EdDSA' ? /^z6Mk/ : /^zDn/);
          assert.equal(created.kid, `${created.did}#${multibase}`);
          assert.deepEqual(decodeMultibaseKey(multibase).jwk, created.publicJwk);
        } else {
          assert.match(created.did, /^did:jwk:[A-Za-z0-9_-]+$/);
          assert.equal(created.kid, `${created.did}#0`);
        }
      });

      it(`resolves with ${method === 'did:key' ? 'resolveDidKey' : 'resolveDidJwk'} to a document naming the wallet's public key`, () => {
        const document = method === 'did:key' ? resolveDidKey(created.did) : resolveDidJwk(created.did);
        assert.equal(document.id, created.did);
        for (const relationship of ['assertionMethod', 'authentication'] as const) {
          const key = selectVerificationKey(document, { kid: created.kid, relationship });
          assert.equal(key.id, created.kid);
          assert.deepEqual(key.algorithms, [algorithm]);
          const jwk = key.publicKey.export({ format: 'jwk' });
          assert.deepEqual({ ...jwk }, { ...created.publicJwk });
        }
        assert.deepEqual(created.document(), document);
      });

      it('signs with the key its DID document publishes (verified through createDidResolver)', async () => {
        const resolver = createDidResolver({ developmentMode: false });
        const document = await resolver.resolve(created.did);
        const key = selectVerificationKey(document, { kid: created.kid, relationship: 'authentication' });
        const jws = await created.sign({ hello: 'world' }, { typ: 'JWT' });
        const { protectedHeader, payload } = await compactVerify(jws, key.publicKey, {
          algorithms: [algorithm],
        });
        assert.deepEqual(protectedHeader, { alg: algorithm, typ: 'JWT', kid: created.kid });
        assert.deepEqual(JSON.parse(Buffer.from(payload).toString('utf8')), { hello: 'world' });
      });
    });
  }
});
