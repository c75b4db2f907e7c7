import { strict as assert } from 'node:assert';
import { fetchDidDocument } from '../../src/did/fetch-document.js';
import { createDidResolver } from '../../src/did/index.js';
import {
  documentWith,
  fixedLookup,
  localDid,
  newKey,
  rejectsWith,
  serveDocuments,
  serveJson,
  startServer,
  startTlsServer,
  type TestServer,
  TLS_CERT,
} from './helpers.js';

const development = { developmentMode: true } as const;

describe('did:web method §3.2 "Read" over a real local server (development mode)', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(() => server.close());

  it('fetches /.well-known/did.json and asks for application/did+json', async () => {
    const did = localDid(server.port);
    const expected = documentWith(did, newKey('Ed25519').publicJwk);
    server.handler = serveJson(expected);
    const document = await createDidResolver(development).resolve(did);
    assert.deepEqual(document, expected);
    assert.deepEqual(server.requests, ['/.well-known/did.json']);
    assert.equal(server.accepts[0], 'application/did+json, application/json');
  });

  it('fetches the path form from /<path>/did.json', async () => {
    const did = localDid(server.port, 'user', 'alice');
    server.handler = serveDocuments({ '/user/alice/did.json': documentWith(did, newKey('P-256').publicJwk) });
    const document = await createDidResolver(development).resolve(did);
    assert.equal(document.id, did);
  });

  for (const status of [301, 302, 303, 307, 308]) {
    it(`refuses a ${status} redirect and does not follow it`, async () => {
      const target = await startServer(serveJson({}));
      try {
        server.handler = (_request, response) => {
          response
            .writeHead(status, { location: `http://localhost:${target.port}/.well-known/did.json` })
            .end();
        };
        await rejectsWith(createDidResolver(development).resolve(localDid(server.port)), 'redirect_refused');
        assert.equal(target.connections, 0);
      } finally {
        await target.close();
      }
    });
  }

  it('refuses a body whose Content-Length exceeds the cap', async () => {
    const did = localDid(server.port);
    server.handler = serveJson({ ...documentWith(did), padding: 'x'.repeat(2000) });
    await rejectsWith(createDidResolver({ ...development, maxBytes: 1024 }).resolve(did), 'too_large');
  });

  it('aborts a streamed body without Content-Length as soon as it passes the cap', async () => {
    let written = 0;
    server.handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => {
        written += 1024;
        response.write(Buffer.alloc(1024, 0x20));
      }, 5);
      response.on('close', () => clearInterval(timer));
    };
    const started = Date.now();
    await rejectsWith(
      createDidResolver({ ...development, maxBytes: 4096, timeoutMs: 10_000 }).resolve(localDid(server.port)),
      'too_large',
    );
    assert.ok(Date.now() - started < 2000);
    assert.ok(written < 64 * 1024, `the server wrote ${written} bytes before the client gave up`);
  });

  it('accepts a document of exactly the cap', async () => {
    const did = localDid(server.port);
    const body = JSON.stringify(documentWith(did));
    server.handler = (_request, response) => {
      response.writeHead(200).end(body);
    };
    const document = await createDidResolver({ ...development, maxBytes: Buffer.byteLength(body) }).resolve(
      did,
    );
    assert.equal(document.id, did);
  });

  it('times out when the server never answers', async () => {
    server.handler = () => {};
    const started = Date.now();
    await rejectsWith(
      createDidResolver({ ...development, timeoutMs: 150 }).resolve(localDid(server.port)),
      'timeout',
    );
    assert.ok(Date.now() - started < 1500);
  });

  it('times out when the body trickles in past the deadline (the deadline covers the whole body)', async () => {
    server.handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id":');
      const timer = setInterval(() => response.write(' '), 20);
      response.on('close', () => clearInterval(timer));
    };
    await rejectsWith(
      createDidResolver({ ...development, timeoutMs: 200 }).resolve(localDid(server.port)),
      'timeout',
    );
  });

  it('reports a 404 as not_found', async () => {
    await rejectsWith(createDidResolver(development).resolve(localDid(server.port)), 'not_found');
  });

  it('reports a 500 as fetch_failed', async () => {
    server.handler = (_request, response) => {
      response.writeHead(500).end('{}');
    };
    await rejectsWith(createDidResolver(development).resolve(localDid(server.port)), 'fetch_failed');
  });

  it('reports a refused connection as fetch_failed', async () => {
    const closed = await startServer();
    const port = closed.port;
    await closed.close();
    await rejectsWith(createDidResolver(development).resolve(localDid(port)), 'fetch_failed');
  });

  const malformed: Array<[string, string | Buffer]> = [
    ['a body that is not JSON', '<html>hello</html>'],
    ['an empty body', ''],
    ['a body that is not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ['a JSON array', '[]'],
    ['a JSON string', '"did:web:localhost"'],
    ['a document without id', '{"verificationMethod":[]}'],
  ];
  for (const [name, body] of malformed) {
    it(`refuses ${name} as invalid_document`, async () => {
      server.handler = (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' }).end(body);
      };
      await rejectsWith(createDidResolver(development).resolve(localDid(server.port)), 'invalid_document');
    });
  }

  const badShapes: Array<[string, (did: string) => unknown]> = [
    ['verificationMethod that is not an array', (did) => ({ id: did, verificationMethod: {} })],
    [
      'a verification method without controller',
      (did) => ({ id: did, verificationMethod: [{ id: '#a', type: 'Multikey' }] }),
    ],
    ['a verification method that is a string', (did) => ({ id: did, verificationMethod: [`${did}#a`] })],
    ['assertionMethod that is a string', (did) => ({ id: did, assertionMethod: `${did}#a` })],
    [
      'publicKeyJwk that is a string',
      (did) => ({
        id: did,
        verificationMethod: [{ id: '#a', type: 'JsonWebKey2020', controller: did, publicKeyJwk: 'x' }],
      }),
    ],
    [
      'two verification methods with one id (relative and absolute)',
      (did) => ({
        id: did,
        verificationMethod: [
          { id: '#a', type: 'Multikey', controller: did, publicKeyMultibase: 'z' },
          { id: `${did}#a`, type: 'Multikey', controller: did, publicKeyMultibase: 'z' },
        ],
      }),
    ],
  ];
  for (const [name, build] of badShapes) {
    it(`refuses a document with ${name} as invalid_document`, async () => {
      const did = localDid(server.port);
      server.handler = serveJson(build(did));
      await rejectsWith(createDidResolver(development).resolve(did), 'invalid_document');
    });
  }

  it('refuses a document whose id is another DID (id_mismatch)', async () => {
    const did = localDid(server.port);
    server.handler = serveJson(documentWith('did:web:attacker.example'));
    await rejectsWith(createDidResolver(development).resolve(did), 'id_mismatch');
  });

  it('refuses a document whose id differs from the DID only in case (id_mismatch)', async () => {
    const did = localDid(server.port, 'alice');
    server.handler = serveJson(documentWith(localDid(server.port, 'Alice')));
    await rejectsWith(createDidResolver(development).resolve(did), 'id_mismatch');
  });

  it('accepts a deeply nested document within the cap (no recursion on the sender’s depth)', async () => {
    const did = localDid(server.port);
    const depth = 30_000;
    const body = `{"id":"${did}","extension":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    server.handler = (_request, response) => {
      response.writeHead(200).end(body);
    };
    const document = await createDidResolver(development).resolve(did);
    assert.ok(Object.isFrozen(document.extension));
  });

  it('returns a frozen document', async () => {
    const did = localDid(server.port);
    server.handler = serveJson(documentWith(did, newKey('Ed25519').publicJwk));
    const document = await createDidResolver(development).resolve(did);
    assert.ok(Object.isFrozen(document));
    assert.ok(Object.isFrozen(document.verificationMethod?.[0]?.publicKeyJwk));
  });
});

describe('did:web method §2.6: transport security outside development', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer(serveJson({}));
  });
  afterEach(() => server.close());

  it('refuses http to localhost outside development (insecure_transport) without connecting', async () => {
    const url = new URL(`http://localhost:${server.port}/.well-known/did.json`);
    await rejectsWith(fetchDidDocument(url, { developmentMode: false }), 'insecure_transport');
    assert.equal(server.connections, 0);
  });

  it('refuses http to any host other than localhost, even in development (insecure_transport)', async () => {
    const lookup = fixedLookup('127.0.0.1');
    const url = new URL(`http://did.example.test:${server.port}/.well-known/did.json`);
    await rejectsWith(
      fetchDidDocument(url, { developmentMode: true, transport: { lookup } }),
      'insecure_transport',
    );
    assert.equal(server.connections, 0);
  });

  it('refuses other schemes (insecure_transport)', async () => {
    await rejectsWith(
      fetchDidDocument(new URL('ftp://did.example.test/did.json'), { developmentMode: false }),
      'insecure_transport',
    );
  });

  it('refuses a loopback IP literal URL outside development (private_address)', async () => {
    const url = new URL(`https://127.0.0.1:${server.port}/.well-known/did.json`);
    await rejectsWith(fetchDidDocument(url, { developmentMode: false }), 'private_address');
    assert.equal(server.connections, 0);
  });

  const answers: Array<[string, string[]]> = [
    ['127.0.0.1 (loopback)', ['127.0.0.1']],
    ['10.0.0.1 (private)', ['10.0.0.1']],
    ['169.254.169.254 (link-local, cloud metadata)', ['169.254.169.254']],
    ['100.64.0.1 (CGNAT)', ['100.64.0.1']],
    ['::ffff:127.0.0.1 (IPv4-mapped loopback)', ['::ffff:127.0.0.1']],
    ['::1 (IPv6 loopback)', ['::1']],
    ['fd00::1 (unique-local)', ['fd00::1']],
    ['a public and a loopback address', ['93.184.215.14', '127.0.0.1']],
  ];
  for (const [name, addresses] of answers) {
    it(`refuses a public name that resolves to ${name} (private_address) without connecting`, async () => {
      const lookup = fixedLookup(...addresses);
      const resolver = createDidResolver({ developmentMode: false, transport: { lookup } });
      await rejectsWith(resolver.resolve(`did:web:did.example.test%3A${server.port}`), 'private_address');
      assert.deepEqual(lookup.names, ['did.example.test']);
      assert.equal(server.connections, 0);
    });
  }
});

describe('did:web over https with a trusted test CA', () => {
  let server: TestServer;
  const did = () => `did:web:did.example.test%3A${server.port}`;
  beforeEach(async () => {
    server = await startTlsServer();
  });
  afterEach(() => server.close());

  it('resolves over https when the certificate is trusted (development mode allows the local address)', async () => {
    server.handler = serveJson(documentWith(did(), newKey('Ed25519').publicJwk));
    const resolver = createDidResolver({
      developmentMode: true,
      transport: { lookup: fixedLookup('127.0.0.1'), ca: TLS_CERT },
    });
    const document = await resolver.resolve(did());
    assert.equal(document.id, did());
    assert.deepEqual(server.requests, ['/.well-known/did.json']);
  });

  it('refuses a certificate that is not trusted (fetch_failed)', async () => {
    server.handler = serveJson(documentWith(did()));
    const resolver = createDidResolver({
      developmentMode: true,
      transport: { lookup: fixedLookup('127.0.0.1') },
    });
    await rejectsWith(resolver.resolve(did()), 'fetch_failed');
    assert.deepEqual(server.requests, []);
  });

  it('refuses a certificate for another name (fetch_failed)', async () => {
    const other = `did:web:other.example.test%3A${server.port}`;
    server.handler = serveJson(documentWith(other));
    const resolver = createDidResolver({
      developmentMode: true,
      transport: { lookup: fixedLookup('127.0.0.1'), ca: TLS_CERT },
    });
    await rejectsWith(resolver.resolve(other), 'fetch_failed');
    assert.deepEqual(server.requests, []);
  });
});
