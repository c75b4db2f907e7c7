import { strict as assert } from 'node:assert';
import { sign, verify } from 'node:crypto';
import { encodeBase58btc } from '../../src/did/base58.js';
import {
  type DidDocument,
  encodeMultibaseKey,
  type PublicJwk,
  selectVerificationKey,
  type VerificationMethod,
} from '../../src/did/index.js';
import { documentWith, newKey, throwsWith } from './helpers.js';

const DID = 'did:web:city.example:org:alice';
const message = Buffer.from('signed payload');

function jwkMethod(
  fragment: string,
  publicKeyJwk: PublicJwk,
  extra: Partial<VerificationMethod> = {},
): VerificationMethod {
  return { id: `${DID}#${fragment}`, type: 'JsonWebKey2020', controller: DID, publicKeyJwk, ...extra };
}

/** A document whose relationships are given as fragment lists. */
function documentOf(
  methods: VerificationMethod[],
  relationships: { assertionMethod?: unknown[]; authentication?: unknown[] },
): DidDocument {
  return { id: DID, verificationMethod: methods, ...relationships } as DidDocument;
}

describe('DID Core §5.3.2 assertionMethod / §5.3.1 authentication: key selection', () => {
  const ed = newKey('Ed25519');
  const p256 = newKey('P-256');
  const withBoth = documentWith(DID, ed.publicJwk, p256.publicJwk);

  it('selects a key by its absolute DID URL and verifies with it (EdDSA)', () => {
    const key = selectVerificationKey(withBoth, { kid: `${DID}#key-1`, relationship: 'assertionMethod' });
    assert.equal(key.id, `${DID}#key-1`);
    assert.deepEqual(key.algorithms, ['EdDSA']);
    assert.ok(verify(null, message, key.publicKey, sign(null, message, ed.privateKey)));
  });

  it('selects a key by a relative #fragment, resolved against the document id (ES256)', () => {
    const key = selectVerificationKey(withBoth, { kid: '#key-2', relationship: 'authentication' });
    assert.equal(key.id, `${DID}#key-2`);
    assert.deepEqual(key.algorithms, ['ES256']);
    assert.ok(verify('sha256', message, key.publicKey, sign('sha256', message, p256.privateKey)));
  });

  it('uses the only method of the relationship when no kid is given', () => {
    const document = documentWith(DID, ed.publicJwk);
    assert.equal(selectVerificationKey(document, { relationship: 'assertionMethod' }).id, `${DID}#key-1`);
  });

  it('refuses to guess between several methods when no kid is given (unknown_key)', () => {
    throwsWith(() => selectVerificationKey(withBoth, { relationship: 'assertionMethod' }), 'unknown_key');
  });

  it('refuses an authentication-only key for assertionMethod (unknown_key), and accepts it for authentication', () => {
    const document = documentOf([jwkMethod('auth', ed.publicJwk), jwkMethod('sign', p256.publicJwk)], {
      authentication: ['#auth'],
      assertionMethod: ['#sign'],
    });
    throwsWith(
      () => selectVerificationKey(document, { kid: '#auth', relationship: 'assertionMethod' }),
      'unknown_key',
    );
    assert.equal(
      selectVerificationKey(document, { kid: '#auth', relationship: 'authentication' }).id,
      `${DID}#auth`,
    );
    assert.equal(selectVerificationKey(document, { relationship: 'assertionMethod' }).id, `${DID}#sign`);
  });

  it('does not fall back to verificationMethod when the relationship is absent (unknown_key)', () => {
    const document = documentOf([jwkMethod('key-1', ed.publicJwk)], { authentication: ['#key-1'] });
    throwsWith(() => selectVerificationKey(document, { relationship: 'assertionMethod' }), 'unknown_key');
    throwsWith(
      () => selectVerificationKey(document, { kid: '#key-1', relationship: 'assertionMethod' }),
      'unknown_key',
    );
  });

  it('does not borrow a method embedded under authentication for assertionMethod (unknown_key)', () => {
    const embedded = jwkMethod('embedded', ed.publicJwk);
    const document = documentOf([], { authentication: [embedded], assertionMethod: ['#embedded'] });
    throwsWith(
      () => selectVerificationKey(document, { kid: '#embedded', relationship: 'assertionMethod' }),
      'unknown_key',
    );
    assert.equal(
      selectVerificationKey(document, { kid: '#embedded', relationship: 'authentication' }).id,
      embedded.id,
    );
  });

  it('uses a method embedded under the relationship itself', () => {
    const embedded = jwkMethod('embedded', p256.publicJwk);
    const document = documentOf([], { assertionMethod: [embedded] });
    assert.deepEqual(selectVerificationKey(document, { relationship: 'assertionMethod' }).algorithms, [
      'ES256',
    ]);
  });

  const foreignKids = [
    ['another DID with the same fragment', 'did:web:attacker.example#key-1'],
    ['a DID that only starts like this one', `${DID}x#key-1`],
    ['a parent DID', 'did:web:city.example:org#key-1'],
    ['the DID without a fragment', DID],
    ['an empty fragment', `${DID}#`],
    ['a DID URL with a query', `${DID}?versionId=1#key-1`],
    ['a fragment that is not in the document', '#key-9'],
  ] as const;
  for (const [name, kid] of foreignKids) {
    it(`refuses a kid that is ${name} (unknown_key)`, () => {
      throwsWith(
        () => selectVerificationKey(withBoth, { kid, relationship: 'assertionMethod' }),
        'unknown_key',
      );
    });
  }

  it('ignores a relationship entry that references another DID’s method (unknown_key)', () => {
    const document = documentOf([jwkMethod('key-1', ed.publicJwk)], {
      assertionMethod: ['did:web:attacker.example#key-1'],
    });
    throwsWith(() => selectVerificationKey(document, { relationship: 'assertionMethod' }), 'unknown_key');
    throwsWith(
      () =>
        selectVerificationKey(document, {
          kid: 'did:web:attacker.example#key-1',
          relationship: 'assertionMethod',
        }),
      'unknown_key',
    );
  });

  it('refuses a method whose controller is another DID (invalid_key)', () => {
    const document = documentOf(
      [jwkMethod('key-1', ed.publicJwk, { controller: 'did:web:attacker.example' })],
      {
        assertionMethod: ['#key-1'],
      },
    );
    throwsWith(
      () => selectVerificationKey(document, { kid: '#key-1', relationship: 'assertionMethod' }),
      'invalid_key',
    );
  });

  it('refuses a kid that names two methods (invalid_key)', () => {
    const document = documentOf([jwkMethod('key-1', ed.publicJwk), jwkMethod('key-1', p256.publicJwk)], {
      assertionMethod: ['#key-1'],
    });
    throwsWith(
      () => selectVerificationKey(document, { kid: '#key-1', relationship: 'assertionMethod' }),
      'invalid_key',
    );
  });
});

describe('DID Core §5.2.1 verification material: JWKs', () => {
  const ed = newKey('Ed25519').publicJwk;
  const select =
    (publicKeyJwk: unknown, extra: Partial<VerificationMethod> = {}) =>
    () =>
      selectVerificationKey(
        documentOf([jwkMethod('k', publicKeyJwk as PublicJwk, extra)], { assertionMethod: ['#k'] }),
        {
          kid: '#k',
          relationship: 'assertionMethod',
        },
      );

  it('accepts the type JsonWebKey as well as JsonWebKey2020', () => {
    assert.deepEqual(select(ed, { type: 'JsonWebKey' })().algorithms, ['EdDSA']);
  });

  it('accepts an alg that matches the curve, and use "sig" with key_ops ["verify"]', () => {
    assert.deepEqual(select({ ...ed, alg: 'EdDSA', use: 'sig', key_ops: ['verify'] })().algorithms, [
      'EdDSA',
    ]);
  });

  const refused: Array<[string, unknown, string, Partial<VerificationMethod>?]> = [
    ['a JWK with a private member (d)', { ...ed, d: ed.x }, 'invalid_key'],
    ['a JWK for encryption (use "enc")', { ...ed, use: 'enc' }, 'invalid_key'],
    ['a JWK whose key_ops exclude "verify"', { ...ed, key_ops: ['encrypt'] }, 'invalid_key'],
    ['an alg of another curve (ES256 on Ed25519)', { ...ed, alg: 'ES256' }, 'unsupported_key'],
    ['an alg outside the allow-list (RS256)', { ...ed, alg: 'RS256' }, 'unsupported_key'],
    ['a P-384 JWK', { kty: 'EC', crv: 'P-384', x: 'AA', y: 'AA' }, 'unsupported_key'],
    ['an RSA JWK', { kty: 'RSA', n: 'AQAB', e: 'AQAB' }, 'unsupported_key'],
    [
      'a P-256 point off the curve',
      { ...newKey('P-256').publicJwk, y: Buffer.alloc(32, 7).toString('base64url') },
      'invalid_key',
    ],
    ['a method type outside the list', ed, 'unsupported_key', { type: 'EcdsaSecp256k1VerificationKey2019' }],
    ['a method with publicKeyJwk and publicKeyMultibase', ed, 'invalid_key', { publicKeyMultibase: 'z6Mk' }],
    ['a method that also carries publicKeyBase58', ed, 'invalid_key', { publicKeyBase58: '4zvw' }],
    ['a JsonWebKey2020 without publicKeyJwk', undefined, 'invalid_key'],
  ];
  for (const [name, jwk, code, extra] of refused) {
    it(`refuses ${name} (${code})`, () => throwsWith(select(jwk, extra), code));
  }

  it('imports a key once: the same key material gives the same KeyObject, from any document', () => {
    const first = select({ ...ed })();
    const second = select({ ...ed, kid: 'other' })();
    assert.equal(second.publicKey, first.publicKey);
  });
});

describe('Controlled Identifiers §2.2.2 Multikey and Ed25519VerificationKey2020', () => {
  function multikey(type: string, publicKeyMultibase: string): DidDocument {
    return documentOf([{ id: `${DID}#mk`, type, controller: DID, publicKeyMultibase }], {
      assertionMethod: ['#mk'],
    });
  }
  const pick = (document: DidDocument) =>
    selectVerificationKey(document, { kid: '#mk', relationship: 'assertionMethod' });

  it('parses an Ed25519 Multikey (0xed01) and verifies with it', () => {
    const { publicJwk, privateKey } = newKey('Ed25519');
    const value = encodeMultibaseKey({ curve: 'Ed25519', jwk: publicJwk });
    assert.match(value, /^z6Mk/);
    const key = pick(multikey('Multikey', value));
    assert.deepEqual(key.algorithms, ['EdDSA']);
    assert.ok(verify(null, message, key.publicKey, sign(null, message, privateKey)));
  });

  it('parses a P-256 Multikey (0x1200, compressed) and verifies with it', () => {
    const { publicJwk, privateKey } = newKey('P-256');
    const value = encodeMultibaseKey({ curve: 'P-256', jwk: publicJwk });
    assert.match(value, /^zDn/);
    const key = pick(multikey('Multikey', value));
    assert.deepEqual(key.algorithms, ['ES256']);
    assert.ok(verify('sha256', message, key.publicKey, sign('sha256', message, privateKey)));
  });

  it('parses an Ed25519VerificationKey2020', () => {
    const value = encodeMultibaseKey({ curve: 'Ed25519', jwk: newKey('Ed25519').publicJwk });
    assert.deepEqual(pick(multikey('Ed25519VerificationKey2020', value)).algorithms, ['EdDSA']);
  });

  it('refuses a P-256 key in an Ed25519VerificationKey2020 (invalid_key)', () => {
    const value = encodeMultibaseKey({ curve: 'P-256', jwk: newKey('P-256').publicJwk });
    throwsWith(() => pick(multikey('Ed25519VerificationKey2020', value)), 'invalid_key');
  });

  it('refuses a secp256k1 Multikey (unsupported_key)', () => {
    throwsWith(
      () => pick(multikey('Multikey', 'zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme')),
      'unsupported_key',
    );
  });

  it('refuses a Multikey that is not base58btc, or truncated (invalid_key)', () => {
    throwsWith(
      () => pick(multikey('Multikey', 'u7QHmvn9dJlsMmW1xWbsWamC2I9QxvpLT9zDgyG4i6MvhlQ')),
      'invalid_key',
    );
    const truncated = `z${encodeBase58btc(Buffer.concat([Buffer.from([0xed, 0x01]), Buffer.alloc(16, 1)]))}`;
    throwsWith(() => pick(multikey('Multikey', truncated)), 'invalid_key');
  });

  it('refuses a Multikey that also carries a publicKeyJwk (invalid_key)', () => {
    const value = encodeMultibaseKey({ curve: 'Ed25519', jwk: newKey('Ed25519').publicJwk });
    const document = documentOf(
      [
        {
          id: `${DID}#mk`,
          type: 'Multikey',
          controller: DID,
          publicKeyMultibase: value,
          publicKeyJwk: newKey('Ed25519').publicJwk,
        },
      ],
      { assertionMethod: ['#mk'] },
    );
    throwsWith(() => pick(document), 'invalid_key');
  });
});

describe('key selection on a resolved (frozen) document: remembered per document, never across documents', () => {
  const ed = newKey('Ed25519');
  const p256 = newKey('P-256');

  it('answers the same key for the same kid and relationship, and the right key for each', () => {
    const document = deepFrozen(documentWith(DID, ed.publicJwk, p256.publicJwk));
    const first = selectVerificationKey(document, { kid: `${DID}#key-1`, relationship: 'assertionMethod' });
    const again = selectVerificationKey(document, { kid: `${DID}#key-1`, relationship: 'assertionMethod' });
    const other = selectVerificationKey(document, { kid: '#key-2', relationship: 'assertionMethod' });
    assert.equal(again, first);
    assert.equal(first.id, `${DID}#key-1`);
    assert.equal(other.id, `${DID}#key-2`);
    assert.ok(verify(null, message, first.publicKey, sign(null, message, ed.privateKey)));
    assert.ok(Object.isFrozen(first));
  });

  it('still refuses, every time, a kid the document does not grant (failures are not remembered as keys)', () => {
    const document = deepFrozen(documentWith(DID, ed.publicJwk));
    for (let i = 0; i < 3; i++) {
      throwsWith(
        () => selectVerificationKey(document, { kid: `${DID}#key-9`, relationship: 'assertionMethod' }),
        'unknown_key',
      );
    }
  });

  it('a new document of the same DID (a rotation) is read anew: the old key is not answered for it', () => {
    const before = deepFrozen(documentWith(DID, ed.publicJwk));
    const after = deepFrozen(documentWith(DID, p256.publicJwk));
    const old = selectVerificationKey(before, { kid: `${DID}#key-1`, relationship: 'assertionMethod' });
    const rotated = selectVerificationKey(after, { kid: `${DID}#key-1`, relationship: 'assertionMethod' });
    assert.deepEqual(old.algorithms, ['EdDSA']);
    assert.deepEqual(rotated.algorithms, ['ES256']);
  });
});

function deepFrozen<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFrozen(child);
    Object.freeze(value);
  }
  return value;
}
