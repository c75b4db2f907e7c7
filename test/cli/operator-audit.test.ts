/**
 * Issue 8 item 7: every operator action is an audit entry, and a board-decided credential
 * type is refused to the operator unless forced (then audited as forced).
 */
import { strict as assert } from 'node:assert';
import type { AuditEntry } from '../../src/audit/index.js';
import {
  addClientAsOperator,
  changeStatusAsOperator,
  issueAsOperator,
  recordKeyRetirement,
  recordKeyRotation,
  removeClientAsOperator,
} from '../../src/cli/operator-actions.js';
import type { Service } from '../../src/service.js';
import { newActor } from '../governance/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';

async function entriesAfter(service: Service, after: number): Promise<AuditEntry[]> {
  return (await service.audit.page({ after, limit: 500 })).items;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  assert.fail('expected a refusal');
}

const MEMBERSHIP_CLAIMS = {
  legalName: 'City of Example',
  roles: ['public-authority'],
  sides: ['supply', 'demand'],
  memberSince: '2026-01-01T00:00:00Z',
  rulebookVersion: '1.0.0',
};

describeEachDatabase('operator actions are audited (issue 8 item 7)', (fresh) => {
  let service: Service;
  let start: number;

  beforeEach(async function () {
    this.timeout(20_000);
    service = await openTestService(await fresh());
    start = (await service.audit.head()).size;
  });
  afterEach(() => service.close());

  it('the first rulebook adoption is the first entry, by the operator', async () => {
    const [first] = await entriesAfter(service, 0);
    assert.equal(first?.kind, 'rulebook.adopted');
    assert.equal(first?.actor, 'operator');
    assert.equal(
      (first?.data as { version: string } | undefined)?.version,
      (await service.rulebook.store.current()).version,
    );
  });

  it('refuses a MembershipCredential outside a board decision: board_decision_required, nothing issued or logged', async () => {
    const request = {
      type: 'MembershipCredential',
      subject: { id: 'did:web:city.example', ...MEMBERSHIP_CLAIMS },
    };
    assert.equal(await refusal(issueAsOperator(service, request)), 'board_decision_required');
    assert.equal(
      await refusal(
        issueAsOperator(service, { type: 'BoardMemberCredential', subject: { id: 'did:web:a.example' } }),
      ),
      'board_decision_required',
    );
    assert.deepEqual(await entriesAfter(service, start), []);
    const [row] = await service.dataSource.query('SELECT COUNT(*) AS n FROM credential_issuance');
    assert.equal(Number(row.n), 0);
  });

  it('issues it when forced, audited as operator.credential.issued with forcedOutsideBoard', async () => {
    const request = {
      type: 'MembershipCredential',
      subject: { id: 'did:web:city.example', ...MEMBERSHIP_CLAIMS },
    };
    const issued = await issueAsOperator(service, request, { forceOutsideBoard: true });
    const [entry] = await entriesAfter(service, start);
    assert.equal(entry?.kind, 'operator.credential.issued');
    assert.equal(entry?.actor, 'operator');
    assert.equal(entry?.subject, issued.id);
    assert.deepEqual(entry?.data, {
      credentialId: issued.id,
      type: 'MembershipCredential',
      format: 'vc+jwt',
      forcedOutsideBoard: true,
      subjectDid: 'did:web:city.example',
    });
  });

  it('records other types without the subject DID or any claim (no personal data)', async () => {
    const issued = await issueAsOperator(service, {
      type: 'LegalPersonCredential',
      subject: {
        id: 'did:key:z6MkPersonal',
        legalName: 'Jane Doe Consulting',
        registrationNumber: 'HRB 1',
        country: 'DE',
      },
    });
    const [entry] = await entriesAfter(service, start);
    assert.equal(entry?.kind, 'operator.credential.issued');
    assert.deepEqual(entry?.data, {
      credentialId: issued.id,
      type: 'LegalPersonCredential',
      format: 'vc+jwt',
      forcedOutsideBoard: false,
    });
    assert.ok(!JSON.stringify(entry).includes('z6MkPersonal') && !JSON.stringify(entry).includes('Jane'));
  });

  it('revoke, suspend and reinstate are operator.credential.revoked|suspended|reinstated', async () => {
    const subject = { id: 'did:web:org.example', legalName: 'Org', registrationNumber: 'R1', country: 'DE' };
    const a = await issueAsOperator(service, { type: 'LegalPersonCredential', subject });
    const b = await issueAsOperator(service, { type: 'LegalPersonCredential', subject });
    const mark = (await service.audit.head()).size;
    await changeStatusAsOperator(service, 'suspend', a.id);
    await changeStatusAsOperator(service, 'reinstate', a.id);
    await changeStatusAsOperator(service, 'revoke', b.id);
    assert.deepEqual(
      (await entriesAfter(service, mark)).map((entry) => [entry.kind, entry.actor, entry.subject]),
      [
        ['operator.credential.suspended', 'operator', a.id],
        ['operator.credential.reinstated', 'operator', a.id],
        ['operator.credential.revoked', 'operator', b.id],
      ],
    );
    // A refused change (already revoked) leaves no entry.
    assert.equal(await refusal(changeStatusAsOperator(service, 'revoke', b.id)), 'already_revoked');
    assert.equal((await service.audit.head()).size, mark + 3);
  });

  it('clients add and remove are operator.client.added|removed, without the secret', async () => {
    const client = await addClientAsOperator(service, {
      clientId: 'city-portal',
      redirectUris: ['https://portal.city.example/cb'],
    });
    assert.ok(client.client_secret);
    await removeClientAsOperator(service, 'city-portal');
    const entries = await entriesAfter(service, start);
    assert.deepEqual(
      entries.map((entry) => [entry.kind, entry.subject]),
      [
        ['operator.client.added', 'city-portal'],
        ['operator.client.removed', 'city-portal'],
      ],
    );
    assert.ok(!JSON.stringify(entries).includes(client.client_secret as string));
  });

  it('keys rotate and retire are operator.keys.rotated (with a key-history statement) and operator.keys.retired', async () => {
    const before = (await service.identity.publishedKeys()).map((key) => key.id);
    await recordKeyRotation(service, await service.identity.rotate());
    await recordKeyRetirement(service, await service.identity.retire());
    const [rotated, retired] = await entriesAfter(service, start);
    assert.equal(rotated?.kind, 'operator.keys.rotated');
    assert.deepEqual(
      [...((rotated?.data as { superseded: string[] } | undefined)?.superseded ?? [])].sort(),
      [...before].sort(),
    );
    assert.equal((rotated?.data as { history: string } | undefined)?.history?.split('.').length, 3);
    assert.equal(retired?.kind, 'operator.keys.retired');
    assert.deepEqual(
      [...((retired?.data as { retired: string[] } | undefined)?.retired ?? [])].sort(),
      [...before].sort(),
    );
  });

  it('board add is board.member.added by the operator', async () => {
    const actor = await newActor();
    await service.governance.board.add({ did: actor.did, name: 'Alice', by: 'operator' });
    const [entry] = await entriesAfter(service, start);
    assert.deepEqual(
      [entry?.kind, entry?.actor, entry?.subject],
      ['board.member.added', 'operator', actor.did],
    );
  });
});
