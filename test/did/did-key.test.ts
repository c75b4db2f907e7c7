import { strict as assert } from 'node:assert';
import { createECDH, createPrivateKey, createPublicKey, ECDH, randomBytes, sign, verify } from 'node:crypto';
import { decodeBase58btc, encodeBase58btc } from '../../src/did/base58.js';
import { resolveDidKey, selectVerificationKey } from '../../src/did/index.js';
import { throwsWith } from './helpers.js';

/**
 * Test vectors of the did:key method (w3c-ccg/did-method-key, test-vectors/ed25519-x25519.json
 * and nist-curves.json). Only the DID and the private key are taken from them; the public
 * key that the document must hold is derived here with node:crypto.
 */
const ED25519_VECTORS = [
  {
    did: 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp',
    seed: '0000000000000000000000000000000000000000000000000000000000000000',
    publicKeyBase58: '4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS',
  },
  {
    did: 'did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG',
    seed: '0000000000000000000000000000000000000000000000000000000000000001',
    publicKeyBase58: '6ASf5EcmmEHTgDJ4X4ZT5vT6iHVJBXPg5AN5YoTCpGWt',
  },
];

const P256_VECTORS = [
  {
    did: 'did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv',
    d: 'gPh-VvVS8MbvKQ9LSVVmfnxnKjHn4Tqj0bmbpehRlpc',
  },
  {
    did: 'did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169',
    d: 'YjRs6vNvw4sYrzVVY8ipkEpDAD9PFqw1sUnvPRMA-WI',
  },
];

// RFC 8410 §7: a PKCS#8 Ed25519 private key is this prefix followed by the 32-byte seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function ed25519FromSeed(seedHex: string) {
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(seedHex, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  });
  const x = (createPublicKey(privateKey).export({ format: 'jwk' }) as { x: string }).x;
  return { privateKey, x };
}

function p256FromD(d: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(d, 'base64url'));
  const point = ecdh.getPublicKey();
  const x = point.subarray(1, 33).toString('base64url');
  const y = point.subarray(33, 65).toString('base64url');
  const privateKey = createPrivateKey({ key: { kty: 'EC', crv: 'P-256', d, x, y }, format: 'jwk' });
  return { privateKey, x, y };
}

const message = Buffer.from('did:key test message');

describe('did:key §3.1.2 "Document Creation Algorithm": Ed25519 (0xed01) test vectors', () => {
  for (const vector of ED25519_VECTORS) {
    it(`${vector.did} holds the public key derived from its seed`, () => {
      const { privateKey, x } = ed25519FromSeed(vector.seed);
      const document = resolveDidKey(vector.did);
      const fragment = vector.did.slice('did:key:'.length);
      const methodId = `${vector.did}#${fragment}`;
      assert.equal(document.id, vector.did);
      assert.deepEqual(document.verificationMethod, [
        {
          id: methodId,
          type: 'JsonWebKey2020',
          controller: vector.did,
          publicKeyJwk: { kty: 'OKP', crv: 'Ed25519', x },
        },
      ]);
      assert.deepEqual(document.assertionMethod, [methodId]);
      assert.deepEqual(document.authentication, [methodId]);
      // The same key as the vector's publicKeyBase58, read by our own base58 decoder.
      assert.equal(Buffer.from(decodeBase58btc(vector.publicKeyBase58) ?? []).toString('base64url'), x);

      const key = selectVerificationKey(document, { kid: methodId, relationship: 'assertionMethod' });
      assert.deepEqual(key.algorithms, ['EdDSA']);
      assert.ok(verify(null, message, key.publicKey, sign(null, message, privateKey)));
    });
  }
});

describe('did:key §3.1.2: P-256 (0x1200, compressed point) test vectors', () => {
  for (const vector of P256_VECTORS) {
    it(`${vector.did} holds the point derived from its private key, decompressed`, () => {
      const { privateKey, x, y } = p256FromD(vector.d);
      const document = resolveDidKey(vector.did);
      const methodId = `${vector.did}#${vector.did.slice('did:key:'.length)}`;
      assert.deepEqual(document.verificationMethod?.[0]?.publicKeyJwk, { kty: 'EC', crv: 'P-256', x, y });
      assert.equal(document.verificationMethod?.[0]?.id, methodId);

      const key = selectVerificationKey(document, { kid: methodId, relationship: 'authentication' });
      assert.deepEqual(key.algorithms, ['ES256']);
      const signature = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      assert.ok(verify('sha256', message, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature));
    });
  }
});

/** A did:key for arbitrary multicodec bytes. */
function didKeyOf(...parts: Uint8Array[]): string {
  return `did:key:z${encodeBase58btc(Buffer.concat(parts))}`;
}

/** 32 bytes that are the x of no P-256 point. */
function xOffTheCurve(): Buffer {
  for (let i = 1; ; i++) {
    const candidate = Buffer.alloc(32);
    candidate.writeUInt32BE(i, 28);
    try {
      ECDH.convertKey(
        Buffer.concat([Buffer.from([2]), candidate]),
        'prime256v1',
        undefined,
        undefined,
        'uncompressed',
      );
    } catch {
      return candidate;
    }
  }
}

describe('did:key §3.1.1 "Decode Public Key Algorithm": refusals', () => {
  const ed = Buffer.from([0xed, 0x01]);
  const p256 = Buffer.from([0x80, 0x24]);
  const refused: Array<[string, () => string, string]> = [
    [
      'secp256k1 (0xe7)',
      () => 'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme',
      'unsupported_method',
    ],
    ['X25519 (0xec)', () => 'did:key:z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW', 'unsupported_method'],
    [
      'P-384 (0x1201)',
      () => 'did:key:z82Lm1MpAkeJcix9K8TMiLd5NMAhnwkjjCBeWHXyu3U4oT2MVJJKXkcVBgjGhnLBn2Kaau9',
      'unsupported_method',
    ],
    [
      'a multibase other than base58btc',
      () => 'did:key:u7QHmvn9dJlsMmW1xWbsWamC2I9QxvpLT9zDgyG4i6MvhlQ',
      'invalid_did',
    ],
    [
      'a character outside base58 (0)',
      () => 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0',
      'invalid_did',
    ],
    ['an Ed25519 key a byte short', () => didKeyOf(ed, randomBytes(31)), 'invalid_did'],
    ['a multicodec prefix alone', () => didKeyOf(ed), 'invalid_did'],
    ['a value too short for any multicodec', () => didKeyOf(Buffer.from([0xed])), 'invalid_did'],
    ['an Ed25519 key with a byte too many', () => didKeyOf(ed, randomBytes(33)), 'invalid_did'],
    ['a P-256 key not compressed', () => didKeyOf(p256, Buffer.from([4]), randomBytes(64)), 'invalid_did'],
    ['a P-256 x that is on no point', () => didKeyOf(p256, Buffer.from([2]), xOffTheCurve()), 'invalid_did'],
    ['a version segment', () => 'did:key:1:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp', 'invalid_did'],
    ['a bare prefix', () => 'did:key:z', 'invalid_did'],
    ['a value too long to be a key', () => `did:key:z${'2'.repeat(300)}`, 'invalid_did'],
  ];
  for (const [name, did, code] of refused) {
    it(`refuses ${name} with ${code}`, () => {
      throwsWith(() => resolveDidKey(did()), code);
    });
  }
});

describe('base58btc (draft-msporny-base58 §3)', () => {
  it('round-trips bytes, keeping leading zero bytes as leading 1s', () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from([0]), Buffer.from([0, 0, 1, 2]), randomBytes(35)]) {
      const text = encodeBase58btc(bytes);
      if (bytes.length > 0) assert.deepEqual(Buffer.from(decodeBase58btc(text) ?? []), bytes);
    }
    assert.equal(encodeBase58btc(Buffer.from([0, 0, 1])), '112');
  });

  it('decodes the draft example "Hello World!"', () => {
    assert.equal(Buffer.from(decodeBase58btc('2NEpo7TZRRrLZSi2U') ?? []).toString(), 'Hello World!');
  });

  it('refuses characters outside the alphabet', () => {
    for (const text of ['0', 'O', 'I', 'l', '+', '']) assert.equal(decodeBase58btc(text), undefined);
  });
});
