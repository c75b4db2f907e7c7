import { strict as assert } from 'node:assert';
import { CLOCK_SKEW_SECONDS } from '../../../src/credentials/verify/checks/validity.js';
import { verifyCredential } from '../../../src/credentials/verify/verify-credential.js';
import {
  addSeconds,
  assertFails,
  assertVerified,
  type CredentialFormat,
  credentialPayload,
  didJwkSigner,
  isoSeconds,
  LEGAL_PERSON,
  legalPerson,
  NOW,
  offlineDeps,
  seconds,
  signedBy,
  TYP,
} from './support.js';

const issuer = didJwkSigner('EdDSA');
const subject = didJwkSigner('EdDSA');
const deps = offlineDeps({ anchors: [{ did: issuer.did, credentialTypes: [LEGAL_PERSON] }], now: NOW });

/** A credential valid since an hour ago, with `changes` applied to the payload (and to `vc` for jwt_vc_json). */
function credential(
  format: CredentialFormat,
  changes: { jwt?: Record<string, unknown>; model?: Record<string, unknown> } = {},
): string {
  const payload = credentialPayload(format, { issuer: issuer.did, subject: legalPerson(subject.did) });
  const changed =
    format === 'vc+jwt'
      ? { ...payload, ...changes.jwt, ...changes.model }
      : { ...payload, ...changes.jwt, vc: { ...(payload.vc as Record<string, unknown>), ...changes.model } };
  return signedBy(issuer, changed, { typ: TYP[format] });
}

const verify = (token: string) => verifyCredential(token, deps);
const NO_STATUS = { status: 'no_status' };

describe('validity: RFC 7519 §4.1.4 exp and §4.1.5 nbf', () => {
  it('rejects exp in the past (expired)', async () => {
    assertFails(
      await verify(credential('vc+jwt', { jwt: { exp: seconds(NOW) - 3600 } })),
      'validity',
      'expired',
    );
  });

  it('rejects nbf in the future (not_yet_valid)', async () => {
    assertFails(
      await verify(credential('vc+jwt', { jwt: { nbf: seconds(NOW) + 3600 } })),
      'validity',
      'not_yet_valid',
    );
  });

  it('rejects iat in the future (not_yet_valid)', async () => {
    assertFails(
      await verify(credential('jwt_vc_json', { jwt: { iat: seconds(NOW) + 3600 } })),
      'validity',
      'not_yet_valid',
    );
  });

  it('rejects exp as a string (malformed), even one that would be in the future', async () => {
    const inAnHour = String(seconds(NOW) + 3600);
    assertFails(await verify(credential('vc+jwt', { jwt: { exp: inAnHour } })), 'validity', 'malformed');
    assertFails(await verify(credential('jwt_vc_json', { jwt: { exp: inAnHour } })), 'validity', 'malformed');
  });

  it('rejects nbf and iat that are not NumericDates (malformed)', async () => {
    assertFails(
      await verify(credential('vc+jwt', { jwt: { nbf: isoSeconds(NOW) } })),
      'validity',
      'malformed',
    );
    assertFails(await verify(credential('vc+jwt', { jwt: { iat: null } })), 'validity', 'malformed');
  });
});

describe(`validity: one clock skew of ${CLOCK_SKEW_SECONDS} s, in the holder's favour, on both sides`, () => {
  it('accepts a credential that expired 59 s ago', async () => {
    assertVerified(await verify(credential('vc+jwt', { jwt: { exp: seconds(NOW) - 59 } })), NO_STATUS);
  });

  it('rejects a credential that expired 61 s ago (expired)', async () => {
    assertFails(
      await verify(credential('vc+jwt', { jwt: { exp: seconds(NOW) - 61 } })),
      'validity',
      'expired',
    );
  });

  it('accepts a credential whose nbf is 59 s ahead', async () => {
    assertVerified(await verify(credential('jwt_vc_json', { jwt: { nbf: seconds(NOW) + 59 } })), NO_STATUS);
  });

  it('rejects a credential whose nbf is 61 s ahead (not_yet_valid)', async () => {
    assertFails(
      await verify(credential('jwt_vc_json', { jwt: { nbf: seconds(NOW) + 61 } })),
      'validity',
      'not_yet_valid',
    );
  });

  it('applies the same bound to data-model dates (validUntil 59 s / 61 s ago)', async () => {
    const at = (delta: number) =>
      credential('vc+jwt', { model: { validUntil: isoSeconds(addSeconds(NOW, delta)) } });
    assertVerified(await verify(at(-59)), NO_STATUS);
    assertFails(await verify(at(-61)), 'validity', 'expired');
  });
});

describe('validity: VCDM 1.1 §4.6 issuanceDate and §4.7 expirationDate (jwt_vc_json)', () => {
  it('rejects vc.expirationDate in the past when there is no exp (expired)', async () => {
    const token = credential('jwt_vc_json', {
      model: { expirationDate: isoSeconds(addSeconds(NOW, -86_400)) },
    });
    assert.equal(
      JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).exp,
      undefined,
    );
    assertFails(await verify(token), 'validity', 'expired');
  });

  it('rejects vc.expirationDate in the past even when exp says otherwise (expired)', async () => {
    const token = credential('jwt_vc_json', {
      jwt: { exp: seconds(NOW) + 86_400 },
      model: { expirationDate: isoSeconds(addSeconds(NOW, -86_400)) },
    });
    assertFails(await verify(token), 'validity', 'expired');
  });

  it('rejects vc.issuanceDate in the future (not_yet_valid)', async () => {
    const token = credential('jwt_vc_json', { model: { issuanceDate: isoSeconds(addSeconds(NOW, 86_400)) } });
    assertFails(await verify(token), 'validity', 'not_yet_valid');
  });

  it('rejects an expirationDate that is not an XML Schema dateTime (malformed)', async () => {
    for (const value of ['2027-01-01', 'tomorrow', 1_900_000_000, '2027-01-01T00:00:00']) {
      assertFails(
        await verify(credential('jwt_vc_json', { model: { expirationDate: value } })),
        'validity',
        'malformed',
      );
    }
  });
});

describe('validity: VCDM 2.0 §4.9 validFrom and validUntil (vc+jwt)', () => {
  it('rejects validFrom in the future (not_yet_valid)', async () => {
    const token = credential('vc+jwt', { model: { validFrom: isoSeconds(addSeconds(NOW, 86_400)) } });
    assertFails(await verify(token), 'validity', 'not_yet_valid');
  });

  it('rejects validUntil in the past when there is no exp (expired)', async () => {
    const token = credential('vc+jwt', { model: { validUntil: isoSeconds(addSeconds(NOW, -86_400)) } });
    assertFails(await verify(token), 'validity', 'expired');
  });

  it('rejects a validFrom that is not a dateTime (malformed)', async () => {
    assertFails(
      await verify(credential('vc+jwt', { model: { validFrom: 'soon' } })),
      'validity',
      'malformed',
    );
  });

  it('accepts a credential inside every bound it states', async () => {
    const token = credential('vc+jwt', {
      jwt: { exp: seconds(NOW) + 3600 },
      model: { validFrom: isoSeconds(addSeconds(NOW, -3600)), validUntil: isoSeconds(addSeconds(NOW, 3600)) },
    });
    assertVerified(await verify(token), NO_STATUS);
  });
});

describe('validity: an expired credential is still reported in full', () => {
  it('runs trusted_issuer, status and schema and still does not verify', async () => {
    const result = await verify(credential('vc+jwt', { jwt: { exp: seconds(NOW) - 3600 } }));
    assert.equal(result.verified, false);
    assert.deepEqual(
      result.checks.map((c) => [c.check, c.result, c.code]),
      [
        ['format', 'passed', undefined],
        ['signature', 'passed', undefined],
        ['validity', 'failed', 'expired'],
        ['trusted_issuer', 'passed', undefined],
        ['status', 'skipped', 'no_status'],
        ['schema', 'passed', undefined],
      ],
    );
  });
});
