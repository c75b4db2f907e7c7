import { strict as assert } from 'node:assert';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { newActor } from './support.js';

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  assert.fail('expected a refusal');
}

describeEachDatabase(
  'governance: a board seat needs a well-formed DID (DID Core §3.1, did:key, did:web)',
  (fresh) => {
    let service: Service;

    beforeEach(async function () {
      this.timeout(20_000);
      service = await openTestService(await fresh());
    });
    afterEach(() => service.close());

    for (const did of [
      'did:key:alice',
      'did:key:z6Mk',
      'did:key:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz',
      'did:jwk:eyJrdHkiOiJPS1AifQ',
      'did:web:127.0.0.1',
      'did:web:-bad-.example',
      'did:web:example..org',
      'did:web:intranet',
      'not-a-did',
    ]) {
      it(`refuses to seat ${did} with invalid_did, and nothing changes`, async function () {
        this.timeout(10_000);
        const before = await service.audit.head();
        assert.equal(
          await refusal(service.governance.board.add({ did, name: 'Alice', by: 'operator' })),
          'invalid_did',
        );
        assert.deepEqual(await service.governance.board.list(), []);
        assert.deepEqual(await service.audit.head(), before);
      });
    }

    it("refuses to seat the service's own DID with service_did_not_allowed (another spelling: invalid_did), and nothing changes", async function () {
      this.timeout(10_000);
      const own = service.identity.did;
      assert.equal(own, 'did:web:localhost%3A3000');
      const before = await service.audit.head();
      assert.equal(
        await refusal(service.governance.board.add({ did: own, name: 'Service', by: 'operator' })),
        'service_did_not_allowed',
      );
      assert.equal(
        await refusal(
          service.governance.board.add({ did: own.replace('%3A', '%3a'), name: 'Service', by: 'operator' }),
        ),
        'invalid_did',
      );
      assert.deepEqual(await service.governance.board.list(), []);
      assert.deepEqual(await service.audit.head(), before);
    });

    it('seats a DID whose key decodes', async function () {
      this.timeout(10_000);
      const actor = await newActor();
      const added = await service.governance.board.add({ did: actor.did, name: 'Alice', by: 'operator' });
      assert.equal(added.member.did, actor.did);
    });
  },
);
