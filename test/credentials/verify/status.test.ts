import { strict as assert } from 'node:assert';
import request from 'supertest';
import {
  Bitstring,
  decodeList,
  encodeList,
  MINIMUM_LIST_BITS,
} from '../../../src/credentials/status/index.js';
import { didKeyLookup } from '../../../src/credentials/verify/adapters.js';
import type { KeyLookup } from '../../../src/credentials/verify/ports.js';
import type { CredentialVerificationResult } from '../../../src/credentials/verify/result.js';
import { createStatusListLookup } from '../../../src/credentials/verify/status-lists.js';
import { createDidResolver } from '../../../src/did/index.js';
import type { Service } from '../../../src/service.js';
import { describeEachDatabase } from '../../support/databases.js';
import { openTestService } from '../../support/service.js';
import { closedPort, type LocalWebHost, startLocalWebHost } from './local-web.js';
import {
  addSeconds,
  anchorsDirectory,
  assertFails,
  assertVerified,
  type CredentialFormat,
  credentialBy,
  didJwkSigner,
  FORMATS,
  isoSeconds,
  LEGAL_PERSON,
  legalPerson,
  NOW,
  seconds,
  signedBy,
  type TestSigner,
} from './support.js';

/** A BitstringStatusListCredential (§2.2) at `url`, signed by `signer`, with `set` bits on; `id` is optional (§2.2). */
function statusList(
  signer: TestSigner,
  url: string,
  purpose: string,
  set: readonly number[],
  options: { withId?: boolean } = {},
): string {
  const bits = Bitstring.zeros(MINIMUM_LIST_BITS);
  for (const index of set) bits.set(index, true);
  return signedBy(
    signer,
    {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      ...(options.withId === false ? {} : { id: url }),
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: signer.did,
      validFrom: isoSeconds(addSeconds(NOW, -60)),
      validUntil: isoSeconds(addSeconds(NOW, 3600)),
      credentialSubject: {
        id: `${url}#list`,
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

/** A BitstringStatusListEntry (§2.1) for one index of the list at `url`. */
function entry(url: string, purpose: string, index: number): Record<string, unknown> {
  return {
    id: `${url}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: purpose,
    statusListIndex: String(index),
    statusListCredential: url,
  };
}

describeEachDatabase(
  'status: Bitstring Status List §3.2 Validate, through POST /api/v1/credentials/verify',
  (fresh) => {
    const holder = didJwkSigner('EdDSA');
    /** A register trusted for LegalPersonCredential, publishing its own lists on `remote`. */
    const register = didJwkSigner('EdDSA');
    const anchors = anchorsDirectory([{ did: register.did, credentialTypes: [LEGAL_PERSON] }]);
    let service: Service;
    let remote: LocalWebHost;
    let listCount = 0;

    before(async () => {
      remote = await startLocalWebHost();
      service = await openTestService(await fresh(), { TRUST_ANCHORS_DIR: anchors.dir }, { now: () => NOW });
    });
    after(async () => {
      await service?.close();
      await remote?.close();
      anchors.remove();
    });

    async function verify(credential: string): Promise<CredentialVerificationResult> {
      const response = await request(service.app.callback())
        .post('/api/v1/credentials/verify')
        .send({ credential })
        .expect(200);
      return response.body as CredentialVerificationResult;
    }

    function issueMembership(format: CredentialFormat = 'vc+jwt') {
      return service.credentials.issuer.issue({
        type: 'MembershipCredential',
        format,
        subject: {
          id: holder.did,
          legalName: 'Stadtwerke Musterstadt GmbH',
          roles: ['data-consumer'],
          sides: ['demand'],
          memberSince: isoSeconds(NOW),
          rulebookVersion: '1.0',
        },
      });
    }

    /** A fresh URL on the remote host serving `list(url)` (lists are cached per URL). */
    function publish(list: (url: string) => string): string {
      const path = `/status/${++listCount}`;
      const url = `http://localhost:${remote.port}${path}`;
      remote.serve(path, list(url), 'application/vc+jwt');
      return url;
    }

    const byRegister = (status: readonly unknown[]) =>
      credentialBy(register, 'vc+jwt', { subject: legalPerson(holder.did), status });

    describe('credentials issued by the service', () => {
      for (const format of FORMATS) {
        it(`verifies a fresh ${format} credential with both its entries unset (status passed)`, async () => {
          const issued = await issueMembership(format);
          assert.deepEqual(
            issued.statusEntries.map((e) => e.statusPurpose),
            ['revocation', 'suspension'],
          );
          assertVerified(await verify(issued.jwt));
        });
      }

      it('rejects a revoked credential (revoked), for good', async () => {
        const issued = await issueMembership();
        await service.credentials.status.revoke(issued.id);
        assertFails(await verify(issued.jwt), 'status', 'revoked');
        await assert.rejects(service.credentials.status.reinstate(issued.id));
        assertFails(await verify(issued.jwt), 'status', 'revoked');
      });

      it('rejects a suspended credential (suspended), and verifies it again once reinstated', async () => {
        const issued = await issueMembership('jwt_vc_json');
        assertVerified(await verify(issued.jwt));
        await service.credentials.status.suspend(issued.id);
        assertFails(await verify(issued.jwt), 'status', 'suspended');
        await service.credentials.status.reinstate(issued.id);
        assertVerified(await verify(issued.jwt));
      });

      it('revoking one credential leaves the others on the same list valid', async () => {
        const [revoked, kept] = [await issueMembership(), await issueMembership()];
        assert.equal(
          revoked?.statusEntries[0]?.statusListCredential,
          kept?.statusEntries[0]?.statusListCredential,
        );
        await service.credentials.status.revoke(revoked.id);
        assertFails(await verify(revoked.jwt), 'status', 'revoked');
        assertVerified(await verify(kept.jwt));
      });
    });

    describe('the status list must come from the credential issuer', () => {
      it("rejects a register credential that points at the service's list (status_issuer_mismatch)", async () => {
        const issued = await issueMembership();
        const serviceEntry = issued.statusEntries[0] as Record<string, unknown>;
        assertFails(await verify(byRegister([serviceEntry])), 'status', 'status_issuer_mismatch');
      });

      it('rejects a list that names the register as issuer but another key signed (status_list_invalid)', async () => {
        const forger = didJwkSigner('EdDSA');
        const url = publish((u) =>
          statusList({ ...forger, did: register.did, kid: register.kid }, u, 'revocation', []),
        );
        assertFails(await verify(byRegister([entry(url, 'revocation', 3)])), 'status', 'status_list_invalid');
      });
    });

    describe('lists the register publishes on its own host', () => {
      // Pending on a bug outside src/credentials/verify: fetchBounded (src/did/fetch-document.ts)
      // requests url.pathname only, so "?list=2" is dropped and the list without the query is
      // read: with lists that carry no id (allowed, §2.2) a revoked credential verifies.
      it('reads the list at its exact URL, query included (revoked)', async () => {
        const path = `/status/by-query-${++listCount}`;
        const base = `http://localhost:${remote.port}${path}`;
        const listed = `${base}?list=2`;
        remote.serve(
          path,
          statusList(register, base, 'revocation', [], { withId: false }),
          'application/vc+jwt',
        );
        remote.serve(
          `${path}?list=2`,
          statusList(register, listed, 'revocation', [3], { withId: false }),
          'application/vc+jwt',
        );
        assertFails(await verify(byRegister([entry(listed, 'revocation', 3)])), 'status', 'revoked');
      });

      it('verifies a credential whose bit is unset (status passed)', async () => {
        const url = publish((u) => statusList(register, u, 'revocation', [4]));
        assertVerified(await verify(byRegister([entry(url, 'revocation', 3)])));
      });

      it('rejects a credential whose revocation bit is set (revoked)', async () => {
        const url = publish((u) => statusList(register, u, 'revocation', [3]));
        assertFails(await verify(byRegister([entry(url, 'revocation', 3)])), 'status', 'revoked');
      });

      it('checks every entry: a set suspension bit fails beside an unset revocation bit (suspended)', async () => {
        const revocation = publish((u) => statusList(register, u, 'revocation', []));
        const suspension = publish((u) => statusList(register, u, 'suspension', [9]));
        const credential = byRegister([
          entry(revocation, 'revocation', 9),
          entry(suspension, 'suspension', 9),
        ]);
        assertFails(await verify(credential), 'status', 'suspended');
      });

      it('rejects an entry whose purpose the list is not for (status_purpose_mismatch)', async () => {
        const url = publish((u) => statusList(register, u, 'revocation', []));
        assertFails(
          await verify(byRegister([entry(url, 'suspension', 3)])),
          'status',
          'status_purpose_mismatch',
        );
      });

      it('rejects an index beyond the list (status_index_out_of_range)', async () => {
        const url = publish((u) => statusList(register, u, 'revocation', []));
        const credential = byRegister([entry(url, 'revocation', MINIMUM_LIST_BITS)]);
        assertFails(await verify(credential), 'status', 'status_index_out_of_range');
      });

      it('rejects an entry without a decimal string index (status_invalid)', async () => {
        const url = publish((u) => statusList(register, u, 'revocation', []));
        for (const statusListIndex of [3, '03', '-1', undefined]) {
          const credential = byRegister([{ ...entry(url, 'revocation', 3), statusListIndex }]);
          assertFails(await verify(credential), 'status', 'status_invalid');
        }
      });

      it('rejects a credentialStatus entry that is not an object instead of ignoring it (status_invalid)', async () => {
        assertFails(
          await verify(byRegister(['https://register.example/status/1'])),
          'status',
          'status_invalid',
        );
      });
    });

    describe('a list that cannot be read never passes', () => {
      it('rejects a list nobody answers for (status_unavailable)', async () => {
        const url = `http://localhost:${await closedPort()}/status/1`;
        assertFails(await verify(byRegister([entry(url, 'revocation', 3)])), 'status', 'status_unavailable');
      });

      it('rejects a list that is not there (404; status_unavailable)', async () => {
        const url = `http://localhost:${remote.port}/status/missing`;
        assertFails(await verify(byRegister([entry(url, 'revocation', 3)])), 'status', 'status_unavailable');
      });

      it('rejects an entry type other than BitstringStatusListEntry (unsupported_status)', async () => {
        const url = publish((u) => statusList(register, u, 'revocation', []));
        const legacy = { ...entry(url, 'revocation', 3), type: 'StatusList2021Entry' };
        assertFails(await verify(byRegister([legacy])), 'status', 'unsupported_status');
      });
    });
  },
);

describe('status: the service reads its own lists afresh on every lookup', () => {
  it('a lookup that starts after a revocation sees it, even while an older copy is being verified', async () => {
    const issuer = didJwkSigner('EdDSA');
    const url = 'https://trust-service.example/status/1';
    let published = statusList(issuer, url, 'revocation', []);
    const realKeys = didKeyLookup(createDidResolver({ developmentMode: false }));
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let keyLookups = 0;
    // The first verification of the list stalls on its key, as a slow one would.
    const keys: KeyLookup = {
      async verificationKey(did, kid, relationship) {
        if (keyLookups++ === 0) await held;
        return realKeys.verificationKey(did, kid, relationship);
      },
    };
    const lookup = createStatusListLookup({
      keys,
      source: { isAuthoritative: () => true, fetch: async () => published },
      decode: (encoded) => decodeList(encoded),
      now: () => NOW,
    });
    const revocation = entry(url, 'revocation', 7);

    const earlier = lookup.isSet(revocation, issuer.did);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(keyLookups, 1, 'the earlier lookup is verifying the list it fetched');
    published = statusList(issuer, url, 'revocation', [7]);
    const later = lookup.isSet(revocation, issuer.did);
    await new Promise((resolve) => setImmediate(resolve));
    release();

    assert.deepEqual(await later, { purpose: 'revocation', set: true });
    assert.deepEqual(await earlier, { purpose: 'revocation', set: false });
    assert.deepEqual(await lookup.isSet(revocation, issuer.did), { purpose: 'revocation', set: true });
  });
});
