import { strict as assert } from 'node:assert';
import {
  type JwsFormatError,
  MAX_TOKEN_LENGTH,
  parseCompactJws,
} from '../../../src/credentials/verify/compact-jws.js';
import {
  checkCredentialFormat,
  verifyCredential,
} from '../../../src/credentials/verify/verify-credential.js';
import { verifyPresentation } from '../../../src/credentials/verify/verify-presentation.js';
import {
  assertFails,
  base64urlJson,
  credentialBy,
  credentialPayload,
  didJwkSigner,
  legalPerson,
  NOW,
  offlineDeps,
  presentationBy,
  seconds,
  signatureOf,
  signedBy,
} from './support.js';

const issuer = didJwkSigner('EdDSA');
const holder = didJwkSigner('EdDSA');
const deps = offlineDeps({ anchors: [{ did: issuer.did, credentialTypes: ['LegalPersonCredential'] }] });
const good = credentialBy(issuer, 'vc+jwt', { subject: legalPerson(holder.did) });
const [goodHeader, goodPayload, goodSignature] = good.split('.') as [string, string, string];

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The same bytes spelled with a stray trailing bit: a segment whose length is 2 or 3 mod 4
 * leaves 4 or 2 bits of its last character unused, and a lenient decoder ignores them.
 */
function withStrayBit(segment: string): string {
  assert.ok(segment.length % 4 === 2 || segment.length % 4 === 3, 'a segment with unused bits');
  const last = BASE64URL.indexOf(segment.at(-1) as string);
  const stray = `${segment.slice(0, -1)}${BASE64URL[last + 1]}`;
  assert.deepEqual(
    Buffer.from(stray, 'base64url'),
    Buffer.from(segment, 'base64url'),
    'decodes to the same bytes',
  );
  return stray;
}

/** A token signed over exactly these segments, so only the property under test is wrong. */
function signedSegments(header: string, payload: string): string {
  return `${header}.${payload}.${signatureOf(issuer.key, `${header}.${payload}`).toString('base64url')}`;
}

async function verify(token: unknown) {
  return verifyCredential(token, deps);
}

describe('format: RFC 7515 §7.1 compact serialization, parsed strictly', () => {
  it('accepts the well-formed credential these cases are made from', async () => {
    assert.equal((await verify(good)).verified, true);
  });

  it('rejects a string that is not a JWS at all (malformed)', async () => {
    assertFails(await verify('not a token'), 'format', 'malformed');
  });

  it('rejects two segments (malformed)', async () => {
    assertFails(await verify(`${goodHeader}.${goodPayload}`), 'format', 'malformed');
  });

  it('rejects four and five segments (malformed): no JWS JSON, no JWE', async () => {
    assertFails(await verify(`${good}.${goodSignature}`), 'format', 'malformed');
    assertFails(await verify(`${good}.${goodSignature}.${goodSignature}`), 'format', 'malformed');
  });

  it('rejects an empty signature segment (malformed)', async () => {
    assertFails(await verify(`${goodHeader}.${goodPayload}.`), 'format', 'malformed');
  });

  it('rejects base64 padding "=" in a segment (malformed)', async () => {
    assertFails(await verify(`${goodHeader}.${goodPayload}.${goodSignature}==`), 'format', 'malformed');
    const paddedHeader = Buffer.from(
      JSON.stringify({ alg: 'EdDSA', typ: 'vc+jwt', kid: issuer.kid }),
    ).toString('base64');
    assert.ok(paddedHeader.endsWith('='), 'the standard encoding of this header is padded');
    assertFails(await verify(signedSegments(paddedHeader, goodPayload)), 'format', 'malformed');
  });

  it('rejects standard base64 characters "+" and "/" (malformed)', async () => {
    assertFails(
      await verify(`${goodHeader}.${goodPayload}.${goodSignature.slice(0, -2)}+/`),
      'format',
      'malformed',
    );
  });

  it('rejects a non-canonical base64url signature (stray trailing bits; malformed)', async () => {
    assertFails(
      await verify(`${goodHeader}.${goodPayload}.${withStrayBit(goodSignature)}`),
      'format',
      'malformed',
    );
  });

  it('rejects a non-canonical base64url header even when the signature covers it (malformed)', async () => {
    // Pad the header JSON with spaces until its encoding has unused bits to abuse.
    let text = JSON.stringify({ alg: 'EdDSA', typ: 'vc+jwt', kid: issuer.kid });
    while (Buffer.from(text).toString('base64url').length % 4 !== 2) text += ' ';
    const header = withStrayBit(Buffer.from(text).toString('base64url'));
    assertFails(await verify(signedSegments(header, goodPayload)), 'format', 'malformed');
  });

  it('accepts exactly the segments that re-encode to themselves (RFC 4648 §3.5), for every tail', () => {
    // Every last character after 2, 3 and 5 characters: the canonical test must agree with a
    // decode and re-encode, whichever bits the last character carries.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const prefix of ['', 'Q', 'QU', 'QUJD', 'QUJDR']) {
      for (const last of alphabet) {
        const segment = `${prefix}${last}`;
        const canonical = Buffer.from(segment, 'base64url').toString('base64url') === segment;
        let accepted = true;
        try {
          parseCompactJws(`${goodHeader}.${goodPayload}.${segment}`);
        } catch (error) {
          assert.equal((error as JwsFormatError).code, 'malformed');
          accepted = false;
        }
        assert.equal(accepted, canonical, `segment ${segment}`);
      }
    }
  });

  it('rejects a header that is not JSON (malformed)', async () => {
    assertFails(
      await verify(signedSegments(Buffer.from('{alg: EdDSA}').toString('base64url'), goodPayload)),
      'format',
      'malformed',
    );
  });

  it('rejects a header that is JSON but not an object (malformed)', async () => {
    assertFails(await verify(signedSegments(base64urlJson(['EdDSA']), goodPayload)), 'format', 'malformed');
  });

  it('rejects a header without alg (malformed)', async () => {
    assertFails(
      await verify(signedSegments(base64urlJson({ typ: 'vc+jwt', kid: issuer.kid }), goodPayload)),
      'format',
      'malformed',
    );
  });

  it('rejects a payload that is not JSON (malformed)', async () => {
    assertFails(
      await verify(signedSegments(goodHeader, Buffer.from('hello').toString('base64url'))),
      'format',
      'malformed',
    );
  });

  it('rejects a token longer than MAX_TOKEN_LENGTH before decoding it (malformed)', async () => {
    const result = await verify(
      `${goodHeader}.${goodPayload}.${goodSignature}${'A'.repeat(MAX_TOKEN_LENGTH)}`,
    );
    assertFails(result, 'format', 'malformed');
    assert.equal(result.checks[0]?.detail, 'the token is too long');
  });

  it('rejects a credential that is not a string (malformed)', async () => {
    assertFails(await verify({ '@context': [], type: ['VerifiableCredential'] }), 'format', 'malformed');
    assertFails(await verify(undefined), 'format', 'malformed');
  });
});

describe('format: RFC 7515 §4.1.11 "crit": extensions this service does not implement are refused', () => {
  it('rejects an unknown critical header parameter (unsupported_crit)', async () => {
    const payload = credentialPayload('vc+jwt', { issuer: issuer.did, subject: legalPerson(holder.did) });
    const token = signedBy(issuer, payload, {
      typ: 'vc+jwt',
      crit: ['urn:example:policy'],
      'urn:example:policy': 'x',
    });
    assertFails(await verify(token), 'format', 'unsupported_crit');
  });

  it('rejects an unencoded payload, RFC 7797 b64: false (unsupported_crit)', async () => {
    const payload = credentialPayload('vc+jwt', { issuer: issuer.did, subject: legalPerson(holder.did) });
    assertFails(
      await verify(signedBy(issuer, payload, { typ: 'vc+jwt', b64: false })),
      'format',
      'unsupported_crit',
    );
  });
});

describe('format: the token must be a credential, not another kind of JWT (wrong_type)', () => {
  const credential = credentialBy(issuer, 'jwt_vc_json', { subject: legalPerson(holder.did) });

  it('rejects a VCDM 1.1 presentation (jwt_vp_json) presented as a credential', async () => {
    const vp = presentationBy(holder, 'jwt_vp_json', {
      credentials: [credential],
      nonce: 'n',
      audience: 'a',
    });
    assertFails(await verify(vp), 'format', 'wrong_type');
  });

  it('rejects a VCDM 2.0 presentation (typ vp+jwt) presented as a credential', async () => {
    const vp = presentationBy(holder, 'vp+jwt', { credentials: [good], nonce: 'n', audience: 'a' });
    assertFails(await verify(vp), 'format', 'wrong_type');
  });

  for (const format of ['jwt_vc_json', 'vc+jwt'] as const) {
    it(`rejects a ${format} credential presented as a presentation`, async () => {
      const vc = credentialBy(holder, format, { subject: legalPerson(holder.did) });
      const result = await verifyPresentation(vc, { challenge: 'n', domain: 'a' }, deps);
      assertFails(result, 'format', 'wrong_type');
    });
  }

  it('rejects an ID-token-like JWT with typ JWT and no vc claim', async () => {
    const idToken = signedBy(issuer, {
      iss: issuer.did,
      sub: holder.did,
      aud: 'https://rp.example',
      nonce: 'n-0S6_WzA2Mj',
      iat: seconds(NOW),
      exp: seconds(NOW) + 600,
    });
    assertFails(await verify(idToken), 'format', 'wrong_type');
  });

  it('rejects a JWT of another typ even when it carries a vc claim (at+jwt)', async () => {
    const payload = credentialPayload('jwt_vc_json', {
      issuer: issuer.did,
      subject: legalPerson(holder.did),
    });
    assertFails(await verify(signedBy(issuer, payload, { typ: 'at+jwt' })), 'format', 'wrong_type');
  });

  it('rejects a JWT that carries both a vc and a vp claim', async () => {
    const payload = credentialPayload('jwt_vc_json', {
      issuer: issuer.did,
      subject: legalPerson(holder.did),
    });
    const both = { ...payload, vp: { type: ['VerifiablePresentation'] } };
    assertFails(await verify(signedBy(issuer, both)), 'format', 'wrong_type');
  });

  it('rejects a vc claim whose type lacks VerifiableCredential', async () => {
    const payload = credentialPayload('jwt_vc_json', {
      issuer: issuer.did,
      subject: legalPerson(holder.did),
    });
    const vc = { ...(payload.vc as Record<string, unknown>), type: ['LegalPersonCredential'] };
    assertFails(await verify(signedBy(issuer, { ...payload, vc })), 'format', 'wrong_type');
  });

  it('rejects a vc+jwt whose @context does not start with the VCDM 2.0 context (malformed)', async () => {
    const payload = credentialPayload('vc+jwt', { issuer: issuer.did, subject: legalPerson(holder.did) });
    const token = signedBy(
      issuer,
      { ...payload, '@context': ['https://www.w3.org/2018/credentials/v1'] },
      { typ: 'vc+jwt' },
    );
    assertFails(await verify(token), 'format', 'malformed');
  });

  it('reads the format from the token alone (checkCredentialFormat) without any key', () => {
    assert.equal(checkCredentialFormat(good).credential?.view.format, 'vc+jwt');
    assert.equal(checkCredentialFormat(credential).credential?.view.format, 'jwt_vc_json');
  });
});

describe('format: a token that fails format is not evaluated further', () => {
  it('lists every other check as skipped (not_evaluated) and never verifies', async () => {
    const result = await verify('a.b');
    assert.equal(result.verified, false);
    assert.deepEqual(
      result.checks.map((c) => [c.check, c.result, c.code]),
      [
        ['format', 'failed', 'malformed'],
        ['signature', 'skipped', 'not_evaluated'],
        ['validity', 'skipped', 'not_evaluated'],
        ['trusted_issuer', 'skipped', 'not_evaluated'],
        ['status', 'skipped', 'not_evaluated'],
        ['schema', 'skipped', 'not_evaluated'],
      ],
    );
  });
});

describe('format: RFC 7515 §4.1.9 "typ" is a media type, compared as one', () => {
  const payload = credentialPayload('vc+jwt', { issuer: issuer.did, subject: legalPerson(holder.did) });
  for (const typ of ['application/vc+jwt', 'VC+JWT', 'Application/Vc+Jwt', 'vc+jwt']) {
    it(`accepts a vc+jwt credential with typ ${JSON.stringify(typ)}`, async () => {
      const result = await verify(signedBy(issuer, payload, { typ }));
      assert.equal(result.verified, true, JSON.stringify(result.checks));
      assert.equal(result.format, 'vc+jwt');
    });
  }

  it('accepts a VCDM 1.1 credential with typ "application/jwt"', async () => {
    const v1 = credentialPayload('jwt_vc_json', { issuer: issuer.did, subject: legalPerson(holder.did) });
    const result = await verify(signedBy(issuer, v1, { typ: 'application/jwt' }));
    assert.equal(result.format, 'jwt_vc_json');
    assert.equal(result.verified, true);
  });

  it('accepts a vp+jwt presentation with typ "application/vp+jwt"', async () => {
    const vp = presentationBy(
      holder,
      'vp+jwt',
      { credentials: [good], nonce: 'n-typ', audience: 'a' },
      { typ: 'application/vp+jwt' },
    );
    const result = await verifyPresentation(vp, { challenge: 'n-typ', domain: 'a' }, deps);
    assert.equal(result.format, 'vp+jwt');
    assert.equal(result.verified, true, JSON.stringify(result.checks));
  });

  it('rejects a media type that only contains vc+jwt (application/vc+jwt+x: wrong_type)', async () => {
    assertFails(
      await verify(signedBy(issuer, payload, { typ: 'application/vc+jwtx' })),
      'format',
      'wrong_type',
    );
  });

  it('rejects a typ that is not a string (wrong_type)', async () => {
    assertFails(await verify(signedBy(issuer, payload, { typ: 7 })), 'format', 'wrong_type');
  });
});

describe('format: VC-JOSE-COSE §3.1.1 a credential without typ is classified by its payload', () => {
  it('accepts a VCDM 2.0 credential (v2 @context, VerifiableCredential) without typ as vc+jwt', async () => {
    const payload = credentialPayload('vc+jwt', { issuer: issuer.did, subject: legalPerson(holder.did) });
    const result = await verify(signedBy(issuer, payload, { typ: undefined }));
    assert.equal(result.format, 'vc+jwt');
    assert.equal(result.verified, true, JSON.stringify(result.checks));
  });

  it('accepts a VCDM 2.0 presentation without typ as vp+jwt', async () => {
    const vp = presentationBy(
      holder,
      'vp+jwt',
      { credentials: [good], nonce: 'n-no-typ', audience: 'a' },
      { typ: undefined },
    );
    const result = await verifyPresentation(vp, { challenge: 'n-no-typ', domain: 'a' }, deps);
    assert.equal(result.format, 'vp+jwt');
    assert.equal(result.verified, true, JSON.stringify(result.checks));
  });

  it('rejects a payload without typ whose @context is not VCDM 2.0 and that has no vc claim (wrong_type)', async () => {
    const payload = credentialPayload('vc+jwt', { issuer: issuer.did, subject: legalPerson(holder.did) });
    const token = signedBy(
      issuer,
      { ...payload, '@context': ['https://www.w3.org/2018/credentials/v1'] },
      { typ: undefined },
    );
    assertFails(await verify(token), 'format', 'wrong_type');
  });

  it('does not classify a typ: JWT token by a VCDM 2.0 payload (wrong_type)', async () => {
    const payload = credentialPayload('vc+jwt', { issuer: issuer.did, subject: legalPerson(holder.did) });
    assertFails(await verify(signedBy(issuer, payload, { typ: 'JWT' })), 'format', 'wrong_type');
  });
});

describe('format: VC-JOSE-COSE §3.1.1/§3.1.2 a vc+jwt or vp+jwt must not carry vc or vp claims', () => {
  const payload = credentialPayload('vc+jwt', { issuer: issuer.did, subject: legalPerson(holder.did) });
  for (const claim of ['vc', 'vp'] as const) {
    it(`rejects a vc+jwt whose payload also carries a ${claim} claim (malformed)`, async () => {
      const token = signedBy(
        issuer,
        { ...payload, [claim]: { type: ['VerifiableCredential'] } },
        { typ: 'vc+jwt' },
      );
      assertFails(await verify(token), 'format', 'malformed');
    });
  }

  it('rejects a vp+jwt whose payload also carries a vp claim (malformed)', async () => {
    const vp = presentationBy(holder, 'vp+jwt', { credentials: [good], nonce: 'n', audience: 'a' });
    const [, body] = vp.split('.') as [string, string];
    const withVp = {
      ...JSON.parse(Buffer.from(body, 'base64url').toString('utf8')),
      vp: { type: ['VerifiablePresentation'] },
    };
    const token = signedBy(holder, withVp, { typ: 'vp+jwt' });
    assertFails(
      await verifyPresentation(token, { challenge: 'n', domain: 'a' }, deps),
      'format',
      'malformed',
    );
  });
});

describe('format: without SD-JWT VC support configured, an SD-JWT is unsupported_format (test/credentials/sd-jwt verifies it)', () => {
  const payload = { iss: issuer.did, vct: 'https://example.org/pid', iat: seconds(NOW), _sd_alg: 'sha-256' };

  it('refuses an issuer-signed SD-JWT with disclosures (~-separated)', async () => {
    const disclosure = Buffer.from(JSON.stringify(['salt', 'given_name', 'Erika'])).toString('base64url');
    const sdJwt = `${signedBy(issuer, payload, { typ: 'dc+sd-jwt' })}~${disclosure}~`;
    assertFails(await verify(sdJwt), 'format', 'unsupported_format');
  });

  for (const typ of ['dc+sd-jwt', 'vc+sd-jwt', 'application/dc+sd-jwt']) {
    it(`refuses a compact JWS with typ ${typ} and no disclosures`, async () => {
      assertFails(await verify(signedBy(issuer, payload, { typ })), 'format', 'unsupported_format');
    });
  }

  it('refuses an SD-JWT presented as a presentation', async () => {
    const sdJwt = `${signedBy(issuer, payload, { typ: 'dc+sd-jwt' })}~`;
    assertFails(
      await verifyPresentation(sdJwt, { challenge: 'n', domain: 'a' }, deps),
      'format',
      'unsupported_format',
    );
  });
});
