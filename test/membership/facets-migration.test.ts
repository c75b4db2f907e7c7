import { strict as assert } from 'node:assert';
import { createDataSource, MIGRATIONS, migrate } from '../../src/db/index.js';
import { MemberRegistryIndexes1795000000100 } from '../../src/db/migrations/1795000000100-member-registry-indexes.js';
import { MemberEntity, MemberFacetEntity } from '../../src/membership/entities.js';
import { ENTITIES } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';

describeEachDatabase('migration 1795000000100: member roles and sides as indexed rows', (fresh) => {
  it('fills member_facet from the members of an older database, and changes nothing else', async () => {
    const dataSource = createDataSource({ ...(await fresh()), entities: ENTITIES });
    await dataSource.initialize();
    try {
      await migrate(dataSource);
      // Back to the schema just before this migration (later ones are undone first).
      const later = MIGRATIONS.length - MIGRATIONS.indexOf(MemberRegistryIndexes1795000000100);
      for (let i = 0; i < later; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      const member = {
        did: 'did:web:city.example',
        legalName: 'City',
        registrationNumber: 'HRB 1',
        country: 'DE',
        roles: JSON.stringify(['public-authority', 'data-consumer']),
        sides: JSON.stringify(['supply', 'demand']),
        status: 'active' as const,
        memberSince: '2026-01-01T00:00:00Z',
        rulebookVersion: '1.0.0',
        applicationId: 'application-1',
        credentialId: null,
        credentialValidUntil: null,
        updatedAt: '2026-01-01T00:00:00.000Z',
      };
      await dataSource.createQueryBuilder().insert().into(MemberEntity).values(member).execute();
      assert.equal((await migrate(dataSource))[0], 'MemberRegistryIndexes1795000000100');
      const facets = await dataSource
        .getRepository(MemberFacetEntity)
        .find({ order: { facet: 'ASC', value: 'ASC' } });
      assert.deepEqual(
        facets.map((row) => [row.facet, row.value, row.memberDid]),
        [
          ['role', 'data-consumer', member.did],
          ['role', 'public-authority', member.did],
          ['side', 'demand', member.did],
          ['side', 'supply', member.did],
        ],
      );
      assert.deepEqual(await dataSource.getRepository(MemberEntity).findOneBy({ did: member.did }), member);
    } finally {
      await dataSource.destroy();
    }
  });
});
