/**
 * RFC 9901 §4.3 and §7.3 (key binding JWT) in a presentation: every refusal with its code.
 * The credential comes from `@sd-jwt/sd-jwt-vc`; the KB-JWTs are made by hand.
 */
import { strict as assert } from 'node:assert';
import { verifyPresentation } from '../../../src/credentials/verify/verify-presentation.js';
import {
  addSeconds,
  assertFails,
  assertVerified,
  base64urlJson,
  didJwkSigner,
  generateTestKey,
  NOW,
  seconds,
} from '../verify/support.js';
import { kbJwt, libraryMembership, NONCE, sdJwtDeps, VERIFIER } from './support.js';

const issuer = didJwkSigner('ES256');
const holder = generateTestKey('ES256');
const expected = { challenge: NONCE, domain: VERIFIER };
const fresh = () => sdJwtDeps({ anchors: [{ did: issuer.did, credentialTypes: ['MembershipCredential'] }] });

let credential: string;
before(async () => {
  credential = await libraryMembership(issuer, holder);
});

const present = (payload: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key = holder) =>
  `${credential}${kbJwt(key, credential, payload, header)}`;

describe('SD-JWT key binding (RFC 9901 §4.3, §7.3)', () => {
  it('verifies a presentation with a hand-made KB-JWT', async () => {
    assertVerified(await verifyPresentation(present(), expected, fresh()));
  });

  it('refuses a wrong nonce', async () => {
    assertFails(
      await verifyPresentation(present({ nonce: 'other' }), expected, fresh()),
      'challenge',
      'challenge_mismatch',
    );
  });

  it('refuses a nonce used before', async () => {
    const deps = fresh();
    assertVerified(await verifyPresentation(present(), expected, deps));
    assertFails(await verifyPresentation(present(), expected, deps), 'challenge', 'challenge_reused');
  });

  it('refuses a wrong audience', async () => {
    assertFails(
      await verifyPresentation(present({ aud: 'https://elsewhere.example' }), expected, fresh()),
      'domain',
      'domain_mismatch',
    );
  });

  it('refuses a stale iat', async () => {
    const stale = present({ iat: seconds(addSeconds(NOW, -3600)) });
    assertFails(await verifyPresentation(stale, expected, fresh()), 'validity', 'expired');
  });

  it('refuses an iat in the future', async () => {
    const future = present({ iat: seconds(addSeconds(NOW, 3600)) });
    assertFails(await verifyPresentation(future, expected, fresh()), 'validity', 'not_yet_valid');
  });

  it('refuses a wrong sd_hash', async () => {
    assertFails(
      await verifyPresentation(present({ sd_hash: 'AAAA' }), expected, fresh()),
      'holder_binding',
      'sd_hash_mismatch',
    );
  });

  it('refuses a KB-JWT lifted onto fewer disclosures than it was made for', async () => {
    const kb = kbJwt(holder, credential);
    const parts = credential.split('~');
    const fewer = `${[parts[0], parts[1]].join('~')}~`;
    assertFails(
      await verifyPresentation(`${fewer}${kb}`, expected, fresh()),
      'holder_binding',
      'sd_hash_mismatch',
    );
  });

  it('refuses a KB-JWT signed by a key other than cnf', async () => {
    const other = generateTestKey('ES256');
    assertFails(
      await verifyPresentation(present({}, {}, other), expected, fresh()),
      'signature',
      'invalid_signature',
    );
  });

  it('refuses alg none', async () => {
    const header = base64urlJson({ alg: 'none', typ: 'kb+jwt' });
    const body = base64urlJson({ iat: seconds(NOW), aud: VERIFIER, nonce: NONCE, sd_hash: 'x' });
    const result = await verifyPresentation(`${credential}${header}.${body}.`, expected, fresh());
    assert.equal(result.verified, false);
    assert.equal(result.checks[0]?.code, 'malformed');
  });

  it('refuses alg HS256', async () => {
    assertFails(
      await verifyPresentation(present({}, { alg: 'HS256' }), expected, fresh()),
      'signature',
      'unsupported_algorithm',
    );
  });

  it('refuses a typ other than kb+jwt', async () => {
    assertFails(
      await verifyPresentation(present({}, { typ: 'JWT' }), expected, fresh()),
      'format',
      'wrong_type',
    );
  });

  it('refuses a KB-JWT without sd_hash', async () => {
    assertFails(
      await verifyPresentation(present({ sd_hash: undefined }), expected, fresh()),
      'format',
      'malformed',
    );
  });

  it('refuses a credential without cnf', async () => {
    const bare = await libraryMembership(issuer, holder, { cnf: undefined });
    const result = await verifyPresentation(`${bare}${kbJwt(holder, bare)}`, expected, fresh());
    assertFails(result, 'signature', 'missing_cnf');
  });

  it('refuses a credential whose cnf holds a private key', async () => {
    const jwk = holder.privateKey.export({ format: 'jwk' });
    const leaky = await libraryMembership(issuer, holder, { cnf: { jwk } });
    const result = await verifyPresentation(`${leaky}${kbJwt(holder, leaky)}`, expected, fresh());
    assertFails(result, 'signature', 'unsupported_cnf');
  });
});
