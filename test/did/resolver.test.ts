import { strict as assert } from 'node:assert';
import { createDidResolver, selectVerificationKey } from '../../src/did/index.js';
import {
  documentWith,
  localDid,
  newKey,
  rejectsWith,
  serveDocuments,
  serveJson,
  startServer,
  type TestServer,
  throwsWith,
} from './helpers.js';

const ED25519_VECTOR = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';

describe('resolver: dispatch by DID method (DID Core §7.1)', () => {
  const resolver = createDidResolver({ developmentMode: true });

  for (const did of [
    'did:ethr:0xb9c5714089478a327f09197987f16f9e5d936e8a',
    'did:example:123456',
    'did:webs:example.com',
  ]) {
    it(`refuses ${did} as unsupported_method`, async () => {
      await rejectsWith(resolver.resolve(did), 'unsupported_method');
    });
  }

  const notDids = [
    'not-a-did',
    '',
    'did:',
    'did:key',
    'DID:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp',
    `${ED25519_VECTOR}#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp`,
    `did:web:${'a'.repeat(2050)}.example`,
  ];
  for (const did of notDids) {
    it(`refuses ${JSON.stringify(did.slice(0, 60))} as invalid_did`, async () => {
      await rejectsWith(resolver.resolve(did), 'invalid_did');
    });
  }

  it('refuses a value that is not a string as invalid_did', async () => {
    await rejectsWith(resolver.resolve(42 as unknown as string), 'invalid_did');
  });

  it('refuses nonsensical options', () => {
    assert.throws(() => createDidResolver({ developmentMode: false, cacheSize: -1 }), RangeError);
    assert.throws(() => createDidResolver({ developmentMode: false, timeoutMs: 0 }), RangeError);
  });
});

describe('resolver: cache (bounded, TTL, keyed by the exact DID)', () => {
  let server: TestServer;
  let clock: number;
  const now = () => clock;
  beforeEach(async () => {
    server = await startServer();
    clock = 1_750_000_000_000;
  });
  afterEach(() => server.close());

  it('answers a second resolution from the cache without a request', async () => {
    const did = localDid(server.port);
    server.handler = serveJson(documentWith(did, newKey('Ed25519').publicJwk));
    const resolver = createDidResolver({ developmentMode: true, now });
    const first = await resolver.resolve(did);
    const second = await resolver.resolve(did);
    assert.equal(second, first);
    assert.equal(server.requests.length, 1);
  });

  it('stops finding a removed key once the TTL has passed', async () => {
    const did = localDid(server.port);
    const [one, two] = [newKey('Ed25519').publicJwk, newKey('P-256').publicJwk];
    server.handler = serveJson(documentWith(did, one, two));
    const resolver = createDidResolver({ developmentMode: true, now, cacheTtlMs: 60_000 });
    const kid = `${did}#key-2`;
    selectVerificationKey(await resolver.resolve(did), { kid, relationship: 'assertionMethod' });

    server.handler = serveJson(documentWith(did, one));
    clock += 59_999;
    selectVerificationKey(await resolver.resolve(did), { kid, relationship: 'assertionMethod' });
    assert.equal(server.requests.length, 1);

    clock += 1;
    const refreshed = await resolver.resolve(did);
    assert.equal(server.requests.length, 2);
    throwsWith(
      () => selectVerificationKey(refreshed, { kid, relationship: 'assertionMethod' }),
      'unknown_key',
    );
  });

  it('shares one request between concurrent resolutions of a DID', async () => {
    const did = localDid(server.port);
    const document = documentWith(did, newKey('Ed25519').publicJwk);
    server.handler = (_request, response) => {
      setTimeout(() => response.writeHead(200).end(JSON.stringify(document)), 50);
    };
    const resolver = createDidResolver({ developmentMode: true, now });
    const results = await Promise.all(Array.from({ length: 5 }, () => resolver.resolve(did)));
    assert.equal(server.requests.length, 1);
    for (const result of results) assert.equal(result, results[0]);
  });

  it('shares one failing request between concurrent resolutions, and does not cache the failure', async () => {
    const did = localDid(server.port);
    server.handler = (_request, response) => {
      setTimeout(() => response.writeHead(404).end(), 30);
    };
    const resolver = createDidResolver({ developmentMode: true, now });
    await Promise.all([1, 2, 3].map(() => rejectsWith(resolver.resolve(did), 'not_found')));
    assert.equal(server.requests.length, 1);

    server.handler = serveJson(documentWith(did));
    assert.equal((await resolver.resolve(did)).id, did);
    assert.equal(server.requests.length, 2);
  });

  it('evicts the least recently used document when full', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((name) => localDid(server.port, name)) as [string, string, string];
    server.handler = serveDocuments({
      '/a/did.json': documentWith(a),
      '/b/did.json': documentWith(b),
      '/c/did.json': documentWith(c),
    });
    const resolver = createDidResolver({ developmentMode: true, now, cacheSize: 2 });
    await resolver.resolve(a);
    await resolver.resolve(b);
    await resolver.resolve(a); // a is now the most recently used
    await resolver.resolve(c); // evicts b
    assert.equal(server.requests.length, 3);
    await resolver.resolve(a);
    assert.equal(server.requests.length, 3);
    await resolver.resolve(b);
    assert.deepEqual(server.requests, ['/a/did.json', '/b/did.json', '/c/did.json', '/b/did.json']);
  });

  it('forgets one DID, or all, on invalidate', async () => {
    const [a, b] = ['a', 'b'].map((name) => localDid(server.port, name)) as [string, string];
    server.handler = serveDocuments({ '/a/did.json': documentWith(a), '/b/did.json': documentWith(b) });
    const resolver = createDidResolver({ developmentMode: true, now });
    await resolver.resolve(a);
    await resolver.resolve(b);
    resolver.invalidate(a);
    await resolver.resolve(a);
    await resolver.resolve(b);
    assert.equal(server.requests.length, 3);
    resolver.invalidate();
    await resolver.resolve(a);
    await resolver.resolve(b);
    assert.equal(server.requests.length, 5);
  });

  it('does not keep a result that was invalidated while in flight', async () => {
    const did = localDid(server.port);
    server.handler = (_request, response) => {
      setTimeout(() => response.writeHead(200).end(JSON.stringify(documentWith(did))), 30);
    };
    const resolver = createDidResolver({ developmentMode: true, now });
    const pending = resolver.resolve(did);
    resolver.invalidate(did);
    await pending;
    await resolver.resolve(did);
    assert.equal(server.requests.length, 2);
  });

  it('caches nothing when the TTL is 0', async () => {
    const did = localDid(server.port);
    server.handler = serveJson(documentWith(did));
    const resolver = createDidResolver({ developmentMode: true, now, cacheTtlMs: 0 });
    await resolver.resolve(did);
    await resolver.resolve(did);
    assert.equal(server.requests.length, 2);
  });

  it('does not answer a near-miss DID from the cache', async () => {
    const alice = localDid(server.port, 'alice');
    server.handler = serveDocuments({ '/alice/did.json': documentWith(alice) });
    const resolver = createDidResolver({ developmentMode: true, now });
    await resolver.resolve(alice);
    await rejectsWith(resolver.resolve(localDid(server.port, 'Alice')), 'not_found');
    await rejectsWith(resolver.resolve(localDid(server.port, 'alice%20')), 'not_found');
    await rejectsWith(resolver.resolve(`${alice}:`), 'invalid_did');
    await rejectsWith(resolver.resolve(`${alice}#key-1`), 'invalid_did');
    await rejectsWith(resolver.resolve(alice.replace('localhost', 'LOCALHOST')), 'invalid_did');
    assert.deepEqual(server.requests, ['/alice/did.json', '/Alice/did.json', '/alice%20/did.json']);
  });

  it('resolves did:key and did:jwk without network, and caches them too', async () => {
    const resolver = createDidResolver({ developmentMode: false, now });
    const key = await resolver.resolve(ED25519_VECTOR);
    assert.equal(await resolver.resolve(ED25519_VECTOR), key);
    const jwkDid = `did:jwk:${Buffer.from(JSON.stringify(newKey('P-256').publicJwk)).toString('base64url')}`;
    const jwk = await resolver.resolve(jwkDid);
    assert.equal(await resolver.resolve(jwkDid), jwk);
  });

  it('resolves a did:key one character away to its own document, never the cached one', async () => {
    const resolver = createDidResolver({ developmentMode: false, now });
    const original = await resolver.resolve(ED25519_VECTOR);
    const nearMiss = `${ED25519_VECTOR.slice(0, -1)}P`;
    const other = await resolver.resolve(nearMiss);
    assert.equal(other.id, nearMiss);
    assert.notEqual(
      other.verificationMethod?.[0]?.publicKeyJwk?.x,
      original.verificationMethod?.[0]?.publicKeyJwk?.x,
    );
  });
});

describe('resolver: the service’s own documents (localDocuments)', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer(serveJson({}));
  });
  afterEach(() => server.close());

  it('resolves a local document without any request, and never from the cache', async () => {
    const did = localDid(server.port);
    let current = documentWith(did, newKey('Ed25519').publicJwk);
    const resolver = createDidResolver({
      developmentMode: true,
      localDocuments: (asked) => (asked === did ? current : undefined),
    });
    assert.deepEqual(await resolver.resolve(did), current);
    current = documentWith(did, newKey('P-256').publicJwk);
    assert.deepEqual(await resolver.resolve(did), current);
    assert.equal(server.connections, 0);
    assert.ok(!Object.isFrozen(current), 'the caller’s own object is not frozen');
  });

  it('falls through to the network for DIDs it does not hold', async () => {
    const did = localDid(server.port, 'other');
    server.handler = serveJson(documentWith(did));
    const resolver = createDidResolver({ developmentMode: true, localDocuments: async () => undefined });
    assert.equal((await resolver.resolve(did)).id, did);
    assert.equal(server.requests.length, 1);
  });

  it('refuses a local document for another DID (id_mismatch)', async () => {
    const did = localDid(server.port);
    const resolver = createDidResolver({
      developmentMode: true,
      localDocuments: () => documentWith(`${did}:x`),
    });
    await rejectsWith(resolver.resolve(did), 'id_mismatch');
  });
});
