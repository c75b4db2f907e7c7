/**
 * IETF Token Status List (draft-ietf-oauth-status-list): the `lst` codec checked against
 * `@sd-jwt/jwt-status-list` both ways, and the `status` check of an SD-JWT VC over Status
 * List Tokens served by a stand-in source, each refusal with its code.
 */
import { strict as assert } from 'node:assert';
import { StatusList } from '@sd-jwt/jwt-status-list';
import {
  createTokenStatusLookup,
  decodeTokenList,
  encodeTokenList,
  type StatusBits,
  statusAt,
} from '../../../src/credentials/sd-jwt/token-status-list.js';
import { didKeyLookup } from '../../../src/credentials/verify/adapters.js';
import { verifyCredential } from '../../../src/credentials/verify/verify-credential.js';
import { createDidResolver } from '../../../src/did/index.js';
import {
  addSeconds,
  assertFails,
  assertVerified,
  didJwkSigner,
  generateTestKey,
  NOW,
  seconds,
  signedBy,
} from '../verify/support.js';
import { disclosure, handMade, membershipPayload, sdJwtDeps } from './support.js';

const LIST_URL = 'https://issuer.example/status-lists/1';

describe('Token Status List §4.1: the status list codec', () => {
  for (const bits of [1, 2, 4, 8] as StatusBits[]) {
    it(`encodes ${bits}-bit statuses that @sd-jwt/jwt-status-list reads, and reads what it encodes`, () => {
      const values: Array<[number, number]> = [
        [0, 1],
        [5, (1 << bits) - 1],
        [77, 1],
        [1023, bits > 1 ? 2 : 1],
      ];
      const lst = encodeTokenList(bits, 1024, values);
      const theirs = StatusList.decompressStatusList(lst, bits);
      for (const [index, value] of values) assert.equal(theirs.getStatus(index), value);
      assert.equal(theirs.getStatus(1), 0);
      const mine = decodeTokenList(
        new StatusList(
          Array.from({ length: 1024 }, (_, i) => (i === 77 ? 1 : 0)),
          bits,
        ).compressStatusList(),
      );
      assert.equal(statusAt(mine, bits, 77), 1);
      assert.equal(statusAt(mine, bits, 76), 0);
    });
  }

  it('refuses an lst that is not base64url ZLIB', () => {
    assert.throws(() => decodeTokenList('not+base64'));
    assert.throws(() => decodeTokenList('AAAA'));
  });
});

describe('SD-JWT VC status (Token Status List §8.3): the status check', () => {
  const issuer = didJwkSigner('EdDSA');
  const holder = generateTestKey('EdDSA');
  const NAME = disclosure('s1', 'legalName', 'Example Data GmbH');
  const credential = (idx: number) =>
    handMade(issuer, {
      payload: membershipPayload(issuer, holder, [NAME], { status: { status_list: { idx, uri: LIST_URL } } }),
      disclosures: [NAME],
    });
  const listToken = (
    values: Array<[number, number]>,
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
    by = issuer,
  ) =>
    signedBy(
      by,
      {
        sub: LIST_URL,
        iat: seconds(NOW) - 10,
        exp: seconds(addSeconds(NOW, 600)),
        ttl: 300,
        status_list: { bits: 2, lst: encodeTokenList(2, 64, values) },
        ...claims,
      },
      { typ: 'statuslist+jwt', ...header },
    );
  const depsServing = (token: string) => {
    const keys = didKeyLookup(createDidResolver({ developmentMode: true, cacheTtlMs: 0 }));
    return sdJwtDeps({
      anchors: [{ did: issuer.did, credentialTypes: ['MembershipCredential'] }],
      tokenStatuses: createTokenStatusLookup({
        keys,
        now: () => NOW,
        source: { isAuthoritative: () => false, fetch: async () => token },
      }),
    });
  };

  it('passes for value 0 (VALID)', async () => {
    assertVerified(await verifyCredential(credential(3), depsServing(listToken([[4, 1]]))));
  });

  it('fails revoked for value 1 (INVALID)', async () => {
    assertFails(await verifyCredential(credential(4), depsServing(listToken([[4, 1]]))), 'status', 'revoked');
  });

  it('fails suspended for value 2 (SUSPENDED)', async () => {
    assertFails(
      await verifyCredential(credential(4), depsServing(listToken([[4, 2]]))),
      'status',
      'suspended',
    );
  });

  it('fails status_set for an application-specific value', async () => {
    assertFails(
      await verifyCredential(credential(4), depsServing(listToken([[4, 3]]))),
      'status',
      'status_set',
    );
  });

  it('refuses a list token typed other than statuslist+jwt', async () => {
    const token = listToken([], {}, { typ: 'JWT' });
    assertFails(await verifyCredential(credential(1), depsServing(token)), 'status', 'status_list_invalid');
  });

  it('refuses a list whose sub is not the uri it was fetched from', async () => {
    const token = listToken([], { sub: 'https://issuer.example/status-lists/2' });
    assertFails(await verifyCredential(credential(1), depsServing(token)), 'status', 'status_list_invalid');
  });

  it('refuses a list signed by another issuer', async () => {
    const token = listToken([], {}, {}, didJwkSigner('EdDSA'));
    assertFails(
      await verifyCredential(credential(1), depsServing(token)),
      'status',
      'status_issuer_mismatch',
    );
  });

  it('refuses an expired list', async () => {
    const token = listToken([], { exp: seconds(addSeconds(NOW, -600)) });
    assertFails(await verifyCredential(credential(1), depsServing(token)), 'status', 'status_list_invalid');
  });

  it('refuses bits other than 1, 2, 4, 8', async () => {
    const token = listToken([], { status_list: { bits: 3, lst: encodeTokenList(2, 64, []) } });
    assertFails(await verifyCredential(credential(1), depsServing(token)), 'status', 'status_list_invalid');
  });

  it('refuses an index beyond the list', async () => {
    assertFails(
      await verifyCredential(credential(64), depsServing(listToken([]))),
      'status',
      'status_index_out_of_range',
    );
  });

  it('refuses a status claim without status_list', async () => {
    const token = handMade(issuer, {
      payload: membershipPayload(issuer, holder, [NAME], { status: { other: {} } }),
      disclosures: [NAME],
    });
    assertFails(await verifyCredential(token, depsServing(listToken([]))), 'status', 'unsupported_status');
  });

  it('refuses a status_list without an integer idx', async () => {
    const token = handMade(issuer, {
      payload: membershipPayload(issuer, holder, [NAME], {
        status: { status_list: { idx: '1', uri: LIST_URL } },
      }),
      disclosures: [NAME],
    });
    assertFails(await verifyCredential(token, depsServing(listToken([]))), 'status', 'status_invalid');
  });

  it('fails status_unavailable when the list cannot be fetched', async () => {
    const deps = sdJwtDeps({
      anchors: [{ did: issuer.did, credentialTypes: ['MembershipCredential'] }],
      tokenStatuses: createTokenStatusLookup({
        keys: didKeyLookup(createDidResolver({ developmentMode: true })),
        now: () => NOW,
        source: {
          isAuthoritative: () => false,
          fetch: async () => {
            throw new Error('connection refused');
          },
        },
      }),
    });
    assertFails(await verifyCredential(credential(1), deps), 'status', 'status_unavailable');
  });
});
