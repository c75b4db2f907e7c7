import { strict as assert } from 'node:assert';
import type { DataSource } from 'typeorm';
import { StatusListError, StatusService } from '../../../src/credentials/status/index.js';
import { describeEachDatabase } from '../../support/databases.js';
import { migratedDataSource, refusalCode } from './support.js';

describeEachDatabase(
  'Bitstring Status List §2.1 statusPurpose: revocation is final, suspension reversible',
  (fresh) => {
    let dataSource: DataSource;
    let service: StatusService;
    const credential = 'urn:uuid:11111111-2222-4333-8444-555555555555';

    beforeEach(async () => {
      dataSource = await migratedDataSource(await fresh());
      service = new StatusService({ dataSource, publicUrl: 'http://localhost:3000' });
      await service.allocateEntries({ credentialId: credential });
    });
    afterEach(async () => {
      await dataSource.destroy();
    });

    it('a new credential is neither revoked nor suspended', async () => {
      assert.deepEqual(await service.statusOf(credential), { revoked: false, suspended: false });
    });

    it('revokes', async () => {
      await service.revoke(credential);
      assert.deepEqual(await service.statusOf(credential), { revoked: true, suspended: false });
    });

    it('suspends, and reinstates', async () => {
      await service.suspend(credential);
      assert.deepEqual(await service.statusOf(credential), { revoked: false, suspended: true });
      await service.reinstate(credential);
      assert.deepEqual(await service.statusOf(credential), { revoked: false, suspended: false });
      await service.suspend(credential);
      assert.deepEqual(await service.statusOf(credential), { revoked: false, suspended: true });
    });

    it('revokes a suspended credential', async () => {
      await service.suspend(credential);
      await service.revoke(credential);
      assert.deepEqual(await service.statusOf(credential), { revoked: true, suspended: true });
    });

    it('refuses to revoke twice with already_revoked', async () => {
      await service.revoke(credential);
      assert.equal(await refusalCode(service.revoke(credential)), 'already_revoked');
    });

    it('refuses to suspend a revoked credential with already_revoked', async () => {
      await service.revoke(credential);
      assert.equal(await refusalCode(service.suspend(credential)), 'already_revoked');
    });

    it('never reinstates a revoked credential: already_revoked', async () => {
      await service.suspend(credential);
      await service.revoke(credential);
      assert.equal(await refusalCode(service.reinstate(credential)), 'already_revoked');
      assert.deepEqual(await service.statusOf(credential), { revoked: true, suspended: true });
    });

    it('refuses to suspend twice with already_suspended', async () => {
      await service.suspend(credential);
      assert.equal(await refusalCode(service.suspend(credential)), 'already_suspended');
    });

    it('refuses to reinstate a credential that is not suspended with not_suspended', async () => {
      assert.equal(await refusalCode(service.reinstate(credential)), 'not_suspended');
    });

    it('refuses every change and status question about an unknown credential with unknown_credential', async () => {
      const unknown = 'urn:uuid:00000000-0000-4000-8000-000000000000';
      assert.equal(await refusalCode(service.revoke(unknown)), 'unknown_credential');
      assert.equal(await refusalCode(service.suspend(unknown)), 'unknown_credential');
      assert.equal(await refusalCode(service.reinstate(unknown)), 'unknown_credential');
      assert.equal(await refusalCode(service.statusOf(unknown)), 'unknown_credential');
    });

    it('refuses to suspend a credential that holds only a revocation entry with no_status_entry', async () => {
      await service.allocate({ purpose: 'revocation', credentialId: 'urn:uuid:revocation-only' });
      assert.equal(await refusalCode(service.suspend('urn:uuid:revocation-only')), 'no_status_entry');
    });

    it('changes inside the caller’s transaction, and not at all when it rolls back', async () => {
      await assert.rejects(
        dataSource.transaction(async (manager) => {
          await service.revoke(credential, manager);
          assert.deepEqual(await service.statusOf(credential, manager), { revoked: true, suspended: false });
          throw new Error('the governance decision failed');
        }),
        /the governance decision failed/,
      );
      assert.deepEqual(await service.statusOf(credential), { revoked: false, suspended: false });
      await dataSource.transaction((manager) => service.suspend(credential, manager));
      assert.deepEqual(await service.statusOf(credential), { revoked: false, suspended: true });
    });

    it('of five concurrent revocations, one succeeds and four are refused with already_revoked', async () => {
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => service.revoke(credential)));
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
      for (const result of results) {
        if (result.status === 'rejected') {
          assert.ok(result.reason instanceof StatusListError);
          assert.equal(result.reason.code, 'already_revoked');
        }
      }
    });

    it('bumps the list revision and tells listeners which list changed', async () => {
      const [revocation] = await service.statusEntriesFor(credential);
      const listId = revocation?.statusListCredential.split('/').pop() ?? '';
      const before = await service.listRevision(listId);
      const changed: string[] = [];
      service.onChange((id) => changed.push(id));
      await service.revoke(credential);
      assert.equal(await service.listRevision(listId), (before ?? 0) + 1);
      assert.deepEqual(changed, [listId]);
      const snapshot = await service.listSnapshot(listId);
      assert.deepEqual(snapshot?.setIndexes, [Number(revocation?.statusListIndex)]);
    });
  },
);
