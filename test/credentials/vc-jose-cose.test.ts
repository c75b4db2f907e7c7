/**
 * W3C VC-JOSE-COSE (§3.1.1 credentials, §3.1.2 presentations): the W3C test suite's JOSE
 * fixtures (test/credentials/fixtures/vc-jose-cose/, W3C Software and Document License) and,
 * since none of them has a DID issuer, spec-derived cases with DID issuers built here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { verifyCredential } from '../../src/credentials/verify/verify-credential.js';
import { verifyPresentation } from '../../src/credentials/verify/verify-presentation.js';
import {
  assertFails,
  assertVerified,
  credentialPayload,
  didJwkSigner,
  legalPerson,
  offlineDeps,
  presentationBy,
  signedBy,
} from './verify/support.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/vc-jose-cose/${name}.txt`, import.meta.url), 'utf8').trim();

describe('VC-JOSE-COSE: the W3C test suite JOSE fixtures (https issuers: none applies to a DID issuer)', () => {
  const deps = offlineDeps();

  it('refuses credential-jose-minimal: its issuer is https, not a DID (unsupported_issuer)', async () => {
    assertFails(
      await verifyCredential(fixture('credential-jose-minimal'), deps),
      'signature',
      'unsupported_issuer',
    );
  });

  it('rejects credential-jose-bad-media-type (typ bad+typ: wrong_type), as the suite expects', async () => {
    assertFails(
      await verifyCredential(fixture('credential-jose-bad-media-type'), deps),
      'format',
      'wrong_type',
    );
  });

  it('rejects credential-jose-vc-vp-claims (vc and vp claims in a vc+jwt: malformed), as the suite expects', async () => {
    assertFails(await verifyCredential(fixture('credential-jose-vc-vp-claims'), deps), 'format', 'malformed');
  });

  it('rejects presentation-jose-bad-media-type (typ bad+typ: wrong_type), as the suite expects', async () => {
    const result = await verifyPresentation(
      fixture('presentation-jose-bad-media-type'),
      { challenge: 'n', domain: 'd' },
      deps,
    );
    assertFails(result, 'format', 'wrong_type');
  });

  it('rejects presentation-jose-bad-credential (before its credentials: the holder is https)', async () => {
    const result = await verifyPresentation(
      fixture('presentation-jose-bad-credential'),
      { challenge: 'n', domain: 'd' },
      deps,
    );
    assertFails(result, 'signature', 'unsupported_issuer');
  });
});

describe('VC-JOSE-COSE: spec-derived cases with DID issuers (built here, not W3C fixtures)', () => {
  const issuer = didJwkSigner('ES256');
  const holder = didJwkSigner('EdDSA');
  const deps = offlineDeps({ anchors: [{ did: issuer.did, credentialTypes: ['LegalPersonCredential'] }] });
  const minimal = credentialPayload('vc+jwt', { issuer: issuer.did, subject: legalPerson(holder.did) });

  it('§3.1.1: verifies a minimal vc+jwt with cty vc from a DID issuer', async () => {
    assertVerified(await verifyCredential(signedBy(issuer, minimal, { typ: 'vc+jwt', cty: 'vc' }), deps), {
      status: 'no_status',
    });
  });

  it('RFC 7515 §5.2: rejects a vc+jwt whose signature does not verify (invalid_signature)', async () => {
    const token = signedBy(issuer, minimal, { typ: 'vc+jwt' });
    const [header, payload] = token.split('.');
    const other = signedBy(issuer, { ...minimal, id: 'urn:uuid:other' }, { typ: 'vc+jwt' }).split('.')[2];
    assertFails(
      await verifyCredential(`${header}.${payload}.${other}`, deps),
      'signature',
      'invalid_signature',
    );
  });

  it('§3.1.1: rejects a vc+jwt with a bad media type (wrong_type)', async () => {
    assertFails(
      await verifyCredential(signedBy(issuer, minimal, { typ: 'bad+typ' }), deps),
      'format',
      'wrong_type',
    );
  });

  it('§3.1.1: rejects a vc+jwt carrying vc and vp claims (malformed)', async () => {
    const token = signedBy(issuer, { ...minimal, vc: {}, vp: {} }, { typ: 'vc+jwt' });
    assertFails(await verifyCredential(token, deps), 'format', 'malformed');
  });

  it('§3.1.2: verifies a vp+jwt of enveloped vc+jwt credentials from a DID holder', async () => {
    const credential = signedBy(issuer, minimal, { typ: 'vc+jwt' });
    const vp = presentationBy(
      holder,
      'vp+jwt',
      { credentials: [credential, credential], nonce: 'n-multi', audience: 'd' },
      { cty: 'vp' },
    );
    const result = await verifyPresentation(vp, { challenge: 'n-multi', domain: 'd' }, deps);
    assert.equal(result.verified, true, JSON.stringify(result.checks));
  });

  it('§3.1.2: rejects a vp+jwt whose enveloped credential is not a credential (credential_failed)', async () => {
    const vp = presentationBy(holder, 'vp+jwt', {
      credentials: ['not-a-credential'],
      nonce: 'n-bad',
      audience: 'd',
    });
    const result = await verifyPresentation(vp, { challenge: 'n-bad', domain: 'd' }, deps);
    assertFails(result, 'credentials', 'credential_failed');
  });
});
