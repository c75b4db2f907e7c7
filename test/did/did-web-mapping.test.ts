import { strict as assert } from 'node:assert';
import { createDidResolver, didWebToUrl } from '../../src/did/index.js';
import { fixedLookup, rejectsWith, startServer, type TestServer, throwsWith } from './helpers.js';

describe('did:web method §3.2 "Read": DID → URL', () => {
  const production = { developmentMode: false };
  const development = { developmentMode: true };
  const cases: Array<[string, { developmentMode: boolean }, string]> = [
    ['did:web:w3c-ccg.github.io', production, 'https://w3c-ccg.github.io/.well-known/did.json'],
    ['did:web:w3c-ccg.github.io:user:alice', production, 'https://w3c-ccg.github.io/user/alice/did.json'],
    ['did:web:example.com%3A3000', production, 'https://example.com:3000/.well-known/did.json'],
    ['did:web:example.com%3A3000:user:alice', production, 'https://example.com:3000/user/alice/did.json'],
    ['did:web:city.example:a%20b', production, 'https://city.example/a%20b/did.json'],
    ['did:web:xn--mnchen-3ya.example', production, 'https://xn--mnchen-3ya.example/.well-known/did.json'],
    ['did:web:localhost%3A8080', development, 'http://localhost:8080/.well-known/did.json'],
    ['did:web:localhost:user:alice', development, 'http://localhost/user/alice/did.json'],
    ['did:web:example.com', development, 'https://example.com/.well-known/did.json'],
    ['did:web:sub.localhost%3A8080', development, 'https://sub.localhost:8080/.well-known/did.json'],
  ];
  for (const [did, options, url] of cases) {
    it(`maps ${did} to ${url}${options.developmentMode ? ' in development' : ''}`, () => {
      assert.equal(didWebToUrl(did, options).href, url);
    });
  }

  it('uses https for localhost outside development, and refuses the single-label host', () => {
    throwsWith(() => didWebToUrl('did:web:localhost%3A8080', production), 'invalid_did');
  });

  it('refuses a DID of another method', () => {
    throwsWith(
      () => didWebToUrl('did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp', production),
      'invalid_did',
    );
  });
});

/** Hostile did:web forms; `{port}` is the port of a local server that must never be contacted. */
const HOSTILE: Array<[string, string]> = [
  ['IPv4 literal', 'did:web:127.0.0.1%3A{port}'],
  ['IPv4 short form', 'did:web:127.1%3A{port}'],
  ['decimal integer host', 'did:web:2130706433%3A{port}'],
  ['hex integer host', 'did:web:0x7f000001%3A{port}'],
  ['hex dotted host', 'did:web:0x7f.1%3A{port}'],
  ['octal integer host', 'did:web:017700000001%3A{port}'],
  ['octal dotted host', 'did:web:0177.0.0.1%3A{port}'],
  ['host ending in a number', 'did:web:example.0x10%3A{port}'],
  ['encoded IPv6 literal', 'did:web:%5B%3A%3A1%5D%3A{port}'],
  ['raw IPv6 literal', 'did:web:[::1]%3A{port}'],
  ['encoded userinfo', 'did:web:evil.example%40localhost%3A{port}'],
  ['encoded userinfo, lowercase', 'did:web:localhost%3A{port}:a%40b'],
  ['raw userinfo', 'did:web:user@localhost%3A{port}'],
  ['encoded slash', 'did:web:localhost%3A{port}:a%2Fb'],
  ['encoded slash, lowercase', 'did:web:localhost%3A{port}:a%2fb'],
  ['encoded slash in the host', 'did:web:localhost%2Fx%3A{port}'],
  ['encoded question mark', 'did:web:localhost%3A{port}:a%3Fb'],
  ['encoded hash', 'did:web:localhost%3A{port}:a%23b'],
  ['encoded backslash', 'did:web:localhost%3A{port}:a%5Cb'],
  ['encoded backslash, lowercase', 'did:web:localhost%3A{port}:a%5cb'],
  ['encoded NUL', 'did:web:localhost%3A{port}:a%00b'],
  ['other escape in the host', 'did:web:local%68ost%3A{port}'],
  ['lowercase port separator', 'did:web:localhost%3a{port}'],
  ['two port separators', 'did:web:localhost%3A{port}%3A80'],
  ['dot-dot segment', 'did:web:localhost%3A{port}:a:..:b'],
  ['dot segment', 'did:web:localhost%3A{port}:.'],
  ['encoded dot-dot segment', 'did:web:localhost%3A{port}:%2E%2E'],
  ['half-encoded dot-dot segment', 'did:web:localhost%3A{port}:.%2e'],
  ['empty segment', 'did:web:localhost%3A{port}::a'],
  ['trailing colon', 'did:web:localhost%3A{port}:'],
  ['empty host', 'did:web::localhost%3A{port}'],
  ['no method-specific id', 'did:web:'],
  ['trailing-dot host', 'did:web:localhost.%3A{port}'],
  ['uppercase host', 'did:web:LOCALHOST%3A{port}'],
  ['mixed-case host', 'did:web:Example.com%3A{port}'],
  ['port 0', 'did:web:localhost%3A0'],
  ['port above 65535', 'did:web:localhost%3A65536'],
  ['port with a leading zero', 'did:web:localhost%3A0{port}'],
  ['non-numeric port', 'did:web:localhost%3Ahttp'],
  ['empty port', 'did:web:localhost%3A'],
  ['label starting with a hyphen', 'did:web:-example.com%3A{port}'],
  ['label ending with a hyphen', 'did:web:example-.com%3A{port}'],
  ['underscore in the host', 'did:web:exa_mple.com%3A{port}'],
  ['empty label', 'did:web:example..com%3A{port}'],
  ['label longer than 63', `did:web:${'a'.repeat(64)}.example%3A{port}`],
  ['host longer than 253', `did:web:${`${'a'.repeat(60)}.`.repeat(5)}example%3A{port}`],
  ['non-ASCII host', 'did:web:exämple.com%3A{port}'],
  ['fragment', 'did:web:localhost%3A{port}#key-1'],
  ['query', 'did:web:localhost%3A{port}?versionId=1'],
  ['raw slash', 'did:web:localhost%3A{port}/a'],
  ['raw backslash', 'did:web:localhost%3A{port}\\a'],
  ['space', 'did:web:localhost%3A{port}:a b'],
  ['malformed escape', 'did:web:localhost%3A{port}:a%ZZ'],
  ['overlong UTF-8 escape', 'did:web:localhost%3A{port}:%C0%AF'],
  ['uppercase method', 'did:WEB:localhost%3A{port}'],
];

describe('did:web method §2.6 "Security and Privacy": hostile DIDs are refused before any network access', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((_request, response) => {
      response.writeHead(200).end('{}');
    });
  });
  after(() => server.close());

  for (const [name, template] of HOSTILE) {
    it(`refuses a ${name} with invalid_did and makes no request`, async () => {
      const did = template.replaceAll('{port}', String(server.port));
      const connectionsBefore = server.connections;
      // Development mode is the most permissive; every name would be sent to the local server.
      const lookup = fixedLookup('127.0.0.1');
      const resolver = createDidResolver({ developmentMode: true, transport: { lookup } });
      await rejectsWith(resolver.resolve(did), 'invalid_did');
      throwsWith(() => didWebToUrl(did, { developmentMode: false }), 'invalid_did');
      assert.deepEqual(lookup.names, []);
      assert.equal(server.connections, connectionsBefore);
    });
  }
});
