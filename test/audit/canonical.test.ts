import { strict as assert } from 'node:assert';
import { canonicalEntry, canonicalJson, entryHash, GENESIS_HASH } from '../../src/audit/index.js';

describe('audit entry hash: canonical serialisation (RFC 8785 JCS)', () => {
  const first = {
    sequence: 1,
    at: '2025-01-01T00:00:00.000Z',
    kind: 'rulebook.adopted',
    actor: 'operator',
    subject: null,
    data: { version: '1.0', hash: 'ab' },
    prevHash: GENESIS_HASH,
  };

  it('test vector 1: the first entry, serialised and hashed', () => {
    assert.equal(
      canonicalEntry(first),
      `{"actor":"operator","at":"2025-01-01T00:00:00.000Z","data":{"hash":"ab","version":"1.0"},"kind":"rulebook.adopted","prevHash":"${'0'.repeat(64)}","sequence":1,"subject":null}`,
    );
    assert.equal(entryHash(first), '28cebc3663ccedb481a88454d2a3637e8d89c41df00b78d10bb23eb8b511022b');
  });

  it('test vector 2: a linked entry with a subject, non-ASCII text and RFC 8785 numbers', () => {
    const second = {
      ...first,
      sequence: 2,
      actor: 'did:key:z6Mk',
      subject: 'did:web:city.example',
      data: { é: 'ü', b: [1, 2.5, -0, 1e21, true, null], a: {} },
      prevHash: entryHash(first),
    };
    assert.equal(
      canonicalEntry(second),
      '{"actor":"did:key:z6Mk","at":"2025-01-01T00:00:00.000Z","data":{"a":{},"b":[1,2.5,0,1e+21,true,null],"é":"ü"},"kind":"rulebook.adopted","prevHash":"28cebc3663ccedb481a88454d2a3637e8d89c41df00b78d10bb23eb8b511022b","sequence":2,"subject":"did:web:city.example"}',
    );
    assert.equal(entryHash(second), '2f33aea73fa08880d4902bd06a0fd980e960190e164320de159373a9581bb04c');
  });

  it('RFC 8785 §3.2.3: members sorted by UTF-16 code units', () => {
    const keys = ['\u20ac', '\r', '\ufb33', '1', '\ud83d\ude00', '\u0080', '\u00f6'];
    const expected = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    assert.equal(
      canonicalJson(Object.fromEntries(keys.map((key) => [key, 0]))),
      `{${expected.map((key) => `${JSON.stringify(key)}:0`).join(',')}}`,
    );
  });

  it('the hash does not depend on the order the data was written in', () => {
    assert.equal(entryHash({ ...first, data: { hash: 'ab', version: '1.0' } }), entryHash(first));
  });

  it('refuses values that are not JSON', () => {
    for (const value of [
      undefined,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      new Date(0),
      () => 1,
      { a: undefined },
      1n,
    ]) {
      assert.throws(() => canonicalJson(value), TypeError);
    }
  });
});
