/**
 * W3C Bitstring Status List 1.0 in an SD-JWT VC (`status.bitstring_status_list`, docs/sd-jwt.md):
 * the entries are checked as a W3C credential's `credentialStatus` (§3.2 Validate) over a real
 * BitstringStatusListCredential signed by the issuer, beside or instead of a Token Status List
 * reference, each refusal with its code.
 */

import {
  createTokenStatusLookup,
  encodeTokenList,
} from '../../../src/credentials/sd-jwt/token-status-list.js';
import {
  Bitstring,
  decodeList,
  encodeList,
  MINIMUM_LIST_BITS,
} from '../../../src/credentials/status/index.js';
import { didKeyLookup } from '../../../src/credentials/verify/adapters.js';
import { createStatusListLookup } from '../../../src/credentials/verify/status-lists.js';
import { verifyCredential } from '../../../src/credentials/verify/verify-credential.js';
import { createDidResolver } from '../../../src/did/index.js';
import {
  addSeconds,
  assertFails,
  assertVerified,
  didJwkSigner,
  generateTestKey,
  isoSeconds,
  NOW,
  seconds,
  signedBy,
  type TestSigner,
} from '../verify/support.js';
import { disclosure, handMade, membershipPayload, sdJwtDeps } from './support.js';

const LIST_URL = 'https://issuer.example/bitstring/1';
const TOKEN_URL = 'https://issuer.example/token-lists/1';

function bitstringList(signer: TestSigner, purpose: string, set: readonly number[]): string {
  const bits = Bitstring.zeros(MINIMUM_LIST_BITS);
  for (const index of set) bits.set(index, true);
  return signedBy(
    signer,
    {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: LIST_URL,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: signer.did,
      validFrom: isoSeconds(addSeconds(NOW, -60)),
      validUntil: isoSeconds(addSeconds(NOW, 3600)),
      credentialSubject: {
        id: `${LIST_URL}#list`,
        type: 'BitstringStatusList',
        statusPurpose: purpose,
        encodedList: encodeList(bits),
      },
      iss: signer.did,
      iat: seconds(NOW) - 60,
    },
    { typ: 'vc+jwt' },
  );
}

const entry = (purpose: string, index: number) => ({
  id: `${LIST_URL}#${index}`,
  type: 'BitstringStatusListEntry',
  statusPurpose: purpose,
  statusListIndex: String(index),
  statusListCredential: LIST_URL,
});

describe('SD-JWT VC status with a Bitstring Status List entry (Bitstring Status List 1.0 §3.2)', () => {
  const issuer = didJwkSigner('EdDSA');
  const holder = generateTestKey('EdDSA');
  const NAME = disclosure('s1', 'legalName', 'Example Data GmbH');
  const credential = (status: unknown) =>
    handMade(issuer, { payload: membershipPayload(issuer, holder, [NAME], { status }), disclosures: [NAME] });

  function deps(list: string, token?: string) {
    const keys = didKeyLookup(createDidResolver({ developmentMode: true, cacheTtlMs: 0 }));
    return sdJwtDeps({
      anchors: [{ did: issuer.did, credentialTypes: ['MembershipCredential'] }],
      statuses: createStatusListLookup({
        keys,
        source: { isAuthoritative: () => false, fetch: async () => list },
        decode: (encoded) => decodeList(encoded),
        now: () => NOW,
      }),
      ...(token
        ? {
            tokenStatuses: createTokenStatusLookup({
              keys,
              now: () => NOW,
              source: { isAuthoritative: () => false, fetch: async () => token },
            }),
          }
        : {}),
    });
  }

  const tokenList = (values: Array<[number, number]>) =>
    signedBy(
      issuer,
      {
        sub: TOKEN_URL,
        iat: seconds(NOW) - 10,
        exp: seconds(addSeconds(NOW, 600)),
        status_list: { bits: 2, lst: encodeTokenList(2, 64, values) },
      },
      { typ: 'statuslist+jwt' },
    );

  it('passes when the entry bit is unset', async () => {
    const result = await verifyCredential(
      credential({ bitstring_status_list: entry('revocation', 5) }),
      deps(bitstringList(issuer, 'revocation', [6])),
    );
    assertVerified(result);
  });

  it('fails revoked when the revocation bit is set', async () => {
    assertFails(
      await verifyCredential(
        credential({ bitstring_status_list: [entry('revocation', 6)] }),
        deps(bitstringList(issuer, 'revocation', [6])),
      ),
      'status',
      'revoked',
    );
  });

  it('fails suspended when the suspension bit is set', async () => {
    assertFails(
      await verifyCredential(
        credential({ bitstring_status_list: entry('suspension', 9) }),
        deps(bitstringList(issuer, 'suspension', [9])),
      ),
      'status',
      'suspended',
    );
  });

  it('refuses a list signed by another issuer (status_issuer_mismatch)', async () => {
    const result = await verifyCredential(
      credential({ bitstring_status_list: entry('revocation', 5) }),
      deps(bitstringList(didJwkSigner('EdDSA'), 'revocation', [])),
    );
    assertFails(result, 'status', 'status_issuer_mismatch');
  });

  it('refuses an empty entry list or a non-object entry (status_invalid)', async () => {
    const list = bitstringList(issuer, 'revocation', []);
    assertFails(
      await verifyCredential(credential({ bitstring_status_list: [] }), deps(list)),
      'status',
      'status_invalid',
    );
    assertFails(
      await verifyCredential(credential({ bitstring_status_list: ['x'] }), deps(list)),
      'status',
      'status_invalid',
    );
  });

  it('checks both mechanisms when both are carried: a set bitstring bit fails although the token list says VALID', async () => {
    const status = { status_list: { idx: 1, uri: TOKEN_URL }, bitstring_status_list: entry('revocation', 3) };
    assertVerified(
      await verifyCredential(
        credential(status),
        deps(bitstringList(issuer, 'revocation', []), tokenList([])),
      ),
    );
    assertFails(
      await verifyCredential(
        credential(status),
        deps(bitstringList(issuer, 'revocation', [3]), tokenList([])),
      ),
      'status',
      'revoked',
    );
    assertFails(
      await verifyCredential(
        credential(status),
        deps(bitstringList(issuer, 'revocation', []), tokenList([[1, 2]])),
      ),
      'status',
      'suspended',
    );
  });

  it('refuses a status naming neither mechanism (unsupported_status)', async () => {
    assertFails(
      await verifyCredential(credential({ other: {} }), deps(bitstringList(issuer, 'revocation', []))),
      'status',
      'unsupported_status',
    );
  });
});
