import { strict as assert } from 'node:assert';
import {
  Bitstring,
  decodeList,
  encodeList,
  MINIMUM_LIST_BITS,
} from '../../../src/credentials/status/index.js';
import { didKeyLookup } from '../../../src/credentials/verify/adapters.js';
import { createStatusListLookup } from '../../../src/credentials/verify/status-lists.js';
import { createDidResolver } from '../../../src/did/index.js';
import { didDocument, startLocalWebHost } from './local-web.js';
import { addSeconds, didJwkSigner, generateTestKey, isoSeconds, NOW, seconds, signedBy } from './support.js';

const LIST_BYTES = MINIMUM_LIST_BITS / 8;

describe('per-replica caches are bounded in bytes (lru-cache maxSize)', () => {
  it('evicts the least recently used status list once the lists exceed the byte budget', async () => {
    const issuer = didJwkSigner('EdDSA');
    const fetched: string[] = [];
    const list = (url: string) =>
      signedBy(
        issuer,
        {
          '@context': ['https://www.w3.org/ns/credentials/v2'],
          id: url,
          type: ['VerifiableCredential', 'BitstringStatusListCredential'],
          issuer: issuer.did,
          validFrom: isoSeconds(addSeconds(NOW, -60)),
          validUntil: isoSeconds(addSeconds(NOW, 3600)),
          credentialSubject: {
            type: 'BitstringStatusList',
            statusPurpose: 'revocation',
            encodedList: encodeList(Bitstring.zeros(MINIMUM_LIST_BITS)),
          },
          iat: seconds(NOW) - 60,
        },
        { typ: 'vc+jwt' },
      );
    const lookup = createStatusListLookup({
      keys: didKeyLookup(createDidResolver({ developmentMode: false })),
      source: {
        isAuthoritative: () => false,
        fetch: async (url) => {
          fetched.push(url);
          return list(url);
        },
      },
      decode: (encoded) => decodeList(encoded),
      now: () => NOW,
      // Room for two decoded lists (16 KiB each plus their tokens), not three; the count bound is far away.
      cacheMaxBytes: 2 * LIST_BYTES + 8 * 1024,
      cacheSize: 1000,
    });
    const read = (name: string) =>
      lookup.isSet(
        {
          type: 'BitstringStatusListEntry',
          statusPurpose: 'revocation',
          statusListIndex: '1',
          statusListCredential: `https://lists.example/${name}`,
        },
        issuer.did,
      );
    for (const name of ['a', 'b', 'a', 'b']) await read(name);
    assert.deepEqual(fetched, ['https://lists.example/a', 'https://lists.example/b'], 'two lists fit');
    await read('c');
    await read('b');
    await read('a');
    assert.deepEqual(
      fetched.slice(2),
      ['https://lists.example/c', 'https://lists.example/a'],
      'the third list pushed out the least recently used one (a), by bytes',
    );
  });

  it('evicts the least recently used DID document once the documents exceed the byte budget', async () => {
    const host = await startLocalWebHost();
    try {
      const dids = ['a', 'b', 'c'].map((name) => {
        const did = host.did(name);
        host.serve(`/${name}/did.json`, didDocument(did, generateTestKey('EdDSA'), ['assertionMethod']));
        return did;
      });
      const size = Buffer.byteLength(
        JSON.stringify(didDocument(dids[0] as string, generateTestKey('EdDSA'), ['assertionMethod'])),
      );
      const resolver = createDidResolver({ developmentMode: true, cacheMaxBytes: Math.floor(size * 2.5) });
      const [a, b, c] = dids as [string, string, string];
      for (const did of [a, b, a, b]) await resolver.resolve(did);
      assert.equal(host.requests, 2, 'two documents fit');
      await resolver.resolve(c);
      await resolver.resolve(b);
      assert.equal(host.requests, 3, 'b stayed');
      await resolver.resolve(a);
      assert.equal(host.requests, 4, 'a was evicted by bytes');
    } finally {
      await host.close();
    }
  });
});
