import { strict as assert } from 'node:assert';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { createDidResolver, resolveDidJwk, selectVerificationKey } from '../../src/did/index.js';
import { newKey, rejectsWith, throwsWith } from './helpers.js';

function didJwk(jwk: unknown): string {
  return `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`;
}

// The P-256 example of the did:jwk specification, "Examples".
const SPEC_P256 =
  'did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9';
// The X25519 example of the same section (an encryption key, `use: "enc"`).
const SPEC_X25519 =
  'did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdPUTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9';

describe('did:jwk "Read" and "To create the DID Document"', () => {
  it('reads the specification’s P-256 example', () => {
    const document = resolveDidJwk(SPEC_P256);
    const methodId = `${SPEC_P256}#0`;
    assert.equal(document.id, SPEC_P256);
    assert.deepEqual(document.verificationMethod, [
      {
        id: methodId,
        type: 'JsonWebKey2020',
        controller: SPEC_P256,
        publicKeyJwk: {
          crv: 'P-256',
          kty: 'EC',
          x: 'acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0',
          y: '_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE',
        },
      },
    ]);
    for (const relationship of [
      'assertionMethod',
      'authentication',
      'capabilityInvocation',
      'capabilityDelegation',
      'keyAgreement',
    ]) {
      assert.deepEqual(document[relationship], [methodId], relationship);
    }
  });

  for (const curve of ['Ed25519', 'P-256'] as const) {
    it(`round-trips a fresh ${curve} key: the selected key verifies its signature`, () => {
      const { publicJwk, privateKey } = newKey(curve);
      const did = didJwk(publicJwk);
      const key = selectVerificationKey(resolveDidJwk(did), { kid: '#0', relationship: 'assertionMethod' });
      assert.equal(key.id, `${did}#0`);
      const message = Buffer.from('did:jwk round trip');
      if (curve === 'Ed25519') {
        assert.deepEqual(key.algorithms, ['EdDSA']);
        assert.ok(verify(null, message, key.publicKey, sign(null, message, privateKey)));
      } else {
        assert.deepEqual(key.algorithms, ['ES256']);
        const signature = sign('sha256', message, privateKey);
        assert.ok(verify('sha256', message, key.publicKey, signature));
      }
    });
  }

  it('keeps the JWK as written, extra members included', () => {
    const publicKeyJwk = { ...newKey('Ed25519').publicJwk, kid: 'my-key', alg: 'EdDSA' };
    const document = resolveDidJwk(didJwk(publicKeyJwk));
    assert.deepEqual(document.verificationMethod?.[0]?.publicKeyJwk, publicKeyJwk);
  });

  it('leaves keyAgreement out for use "sig"', () => {
    const document = resolveDidJwk(didJwk({ ...newKey('Ed25519').publicJwk, use: 'sig' }));
    assert.equal(document.keyAgreement, undefined);
    assert.equal(document.assertionMethod?.length, 1);
  });

  it('puts a use "enc" key only under keyAgreement: it is no assertion or authentication key', () => {
    const did = didJwk({ ...newKey('P-256').publicJwk, use: 'enc' });
    const document = resolveDidJwk(did);
    assert.deepEqual(document.keyAgreement, [`${did}#0`]);
    assert.equal(document.assertionMethod, undefined);
    assert.equal(document.authentication, undefined);
    throwsWith(
      () => selectVerificationKey(document, { kid: '#0', relationship: 'assertionMethod' }),
      'unknown_key',
    );
    throwsWith(
      () => selectVerificationKey(document, { kid: '#0', relationship: 'authentication' }),
      'unknown_key',
    );
  });

  it('resolves through the resolver without network', async () => {
    const did = didJwk(newKey('Ed25519').publicJwk);
    const document = await createDidResolver({ developmentMode: false }).resolve(did);
    assert.equal(document.id, did);
  });
});

/** The same bytes in a second base64url spelling (a non-zero unused trailing bit). */
function nonCanonical(jwk: unknown): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let json = JSON.stringify(jwk);
  while (Buffer.byteLength(json) % 3 === 0) json += ' ';
  const encoded = Buffer.from(json).toString('base64url');
  const last = alphabet.indexOf(encoded.at(-1) as string);
  const other = `${encoded.slice(0, -1)}${alphabet[last ^ 1]}`;
  assert.equal(Buffer.from(other, 'base64url').toString(), json);
  return `did:jwk:${other}`;
}

describe('did:jwk "Security": refusals', () => {
  const ed = () => newKey('Ed25519').publicJwk;
  const p256 = () => newKey('P-256').publicJwk;
  const privateJwk = () =>
    generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as Record<string, string>;
  const refused: Array<[string, () => string, string]> = [
    ['a private Ed25519 JWK (d)', () => didJwk(privateJwk()), 'invalid_did'],
    ['a symmetric JWK (k)', () => didJwk({ kty: 'oct', k: 'c2VjcmV0' }), 'invalid_did'],
    [
      'an RSA private member (p) on a public key',
      () => didJwk({ kty: 'RSA', n: 'AQAB', e: 'AQAB', p: 'AQAB' }),
      'invalid_did',
    ],
    ['an RSA public key', () => didJwk({ kty: 'RSA', n: 'AQAB', e: 'AQAB' }), 'unsupported_method'],
    ['the specification’s X25519 example', () => SPEC_X25519, 'unsupported_method'],
    ['a P-384 key', () => didJwk({ ...p256(), crv: 'P-384' }), 'unsupported_method'],
    ['secp256k1', () => didJwk({ ...p256(), crv: 'secp256k1' }), 'unsupported_method'],
    [
      'a P-256 point off the curve',
      () => didJwk({ ...p256(), y: Buffer.alloc(32, 1).toString('base64url') }),
      'invalid_did',
    ],
    [
      'an Ed25519 x of 31 bytes',
      () => didJwk({ ...ed(), x: Buffer.alloc(31, 1).toString('base64url') }),
      'invalid_did',
    ],
    ['an EC key without y', () => didJwk({ kty: 'EC', crv: 'P-256', x: p256().x }), 'invalid_did'],
    ['an unknown use', () => didJwk({ ...ed(), use: 'wrap' }), 'invalid_did'],
    ['a JSON array', () => didJwk([ed()]), 'invalid_did'],
    [
      'bytes that are not JSON',
      () => `did:jwk:${Buffer.from('not json').toString('base64url')}`,
      'invalid_did',
    ],
    [
      'bytes that are not UTF-8',
      () => `did:jwk:${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}`,
      'invalid_did',
    ],
    ['a non-canonical base64url spelling', () => nonCanonical(ed()), 'invalid_did'],
    ['base64 with padding', () => `${didJwk(ed())}==`, 'invalid_did'],
    ['standard base64 characters', () => didJwk(ed()).replace(/[-_]/g, '+').replace('e', '+'), 'invalid_did'],
  ];
  for (const [name, did, code] of refused) {
    it(`refuses ${name} with ${code}`, async () => {
      const value = did();
      await rejectsWith(createDidResolver({ developmentMode: false }).resolve(value), code);
    });
  }
});
