import { strict as assert } from 'node:assert';
import { didWebForUrl } from '../../src/identity/index.js';

describe('did:web of PUBLIC_URL (did:web method §3.2 "Create")', () => {
  const cases: Array<[string, string, string]> = [
    ['https://trust.city.example', 'did:web:trust.city.example', '/.well-known/did.json'],
    ['http://localhost:3000', 'did:web:localhost%3A3000', '/.well-known/did.json'],
    ['https://city.example/dataspace', 'did:web:city.example:dataspace', '/dataspace/did.json'],
    ['https://city.example:8443/a/b', 'did:web:city.example%3A8443:a:b', '/a/b/did.json'],
    ['https://city.example/a%20b', 'did:web:city.example:a%20b', '/a%20b/did.json'],
  ];
  for (const [url, did, path] of cases) {
    it(`${url} → ${did} served at ${path}`, () => {
      const location = didWebForUrl(url);
      assert.equal(location.did, did);
      assert.equal(location.documentPath, path);
    });
  }
});
