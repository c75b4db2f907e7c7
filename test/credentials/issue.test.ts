import { strict as assert } from 'node:assert';
import { IssuanceEntity } from '../../src/credentials/entities.js';
import { IssuanceError } from '../../src/credentials/issue/errors.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';

const SUBJECT = {
  id: 'did:web:city.example',
  legalName: 'City of Example',
  roles: ['public-authority'],
  sides: ['supply', 'demand'],
  memberSince: '2026-01-01T00:00:00Z',
  rulebookVersion: '1.0.0',
};

async function refusal(promise: Promise<unknown>): Promise<IssuanceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof IssuanceError, `expected IssuanceError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the issuance to be refused');
}

describeEachDatabase('issuing credentials', (fresh) => {
  let service: Service;
  const records = () => service.dataSource.getRepository(IssuanceEntity).count();
  beforeEach(async () => {
    service = await openTestService(await fresh());
  });
  afterEach(async () => {
    await service.close();
  });

  for (const format of ['vc+jwt', 'jwt_vc_json'] as const) {
    for (const algorithm of ['EdDSA', 'ES256'] as const) {
      it(`issues ${format} with ${algorithm} that verifies, with a revocation and a suspension entry`, async () => {
        const issued = await service.credentials.issuer.issue({
          type: 'MembershipCredential',
          subject: SUBJECT,
          format,
          algorithm,
        });
        assert.equal(issued.statusEntries.length, 2);
        const result = await service.credentials.verifyCredential(issued.jwt);
        assert.equal(result.verified, true, JSON.stringify(result.checks));
        assert.equal(result.format, format);
        assert.equal(result.id, issued.id);
      });
    }
  }

  describe('the claims of each format', () => {
    const payloadOf = (jwt: string) =>
      JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));

    it('VC-JOSE-COSE §3.1.1: a vc+jwt has validFrom and id, no nbf and no jti, and names the data-space context', async () => {
      const issued = await service.credentials.issuer.issue({
        type: 'MembershipCredential',
        subject: SUBJECT,
      });
      const payload = payloadOf(issued.jwt);
      assert.equal(payload.nbf, undefined);
      assert.equal(payload.jti, undefined);
      assert.equal(payload.id, issued.id);
      assert.equal(typeof payload.validFrom, 'string');
      assert.deepEqual(payload['@context'], [
        'https://www.w3.org/ns/credentials/v2',
        `${service.config.publicUrl.replace(/\/$/, '')}/contexts/dataspace/v3`,
      ]);
    });

    it('VCDM 1.1 §6.3.1: a jwt_vc_json has nbf (issuanceDate) and jti (id), and names the data-space context', async () => {
      const issued = await service.credentials.issuer.issue({
        type: 'MembershipCredential',
        subject: SUBJECT,
        format: 'jwt_vc_json',
      });
      const payload = payloadOf(issued.jwt);
      assert.equal(typeof payload.nbf, 'number');
      assert.equal(payload.jti, issued.id);
      assert.equal(payload.vc['@context'][0], 'https://www.w3.org/2018/credentials/v1');
      assert.match(payload.vc['@context'][1], /\/contexts\/dataspace\/v3$/);
    });
  });

  describe('idempotency under a caller-given key', () => {
    it('a retry with the same key and request answers the same credential and records one issuance', async () => {
      const request = { type: 'MembershipCredential', subject: SUBJECT, idempotencyKey: 'admission-42' };
      const first = await service.credentials.issuer.issue(request);
      const again = await service.credentials.issuer.issue(request);
      assert.equal(again.id, first.id);
      assert.equal(again.replayed, true);
      assert.equal(again.jwt, first.jwt, 'EdDSA signatures are deterministic: the very same token');
      assert.equal(await records(), 1);
    });

    it('concurrent retries record one issuance', async () => {
      const request = { type: 'MembershipCredential', subject: SUBJECT, idempotencyKey: 'race' };
      const results = await Promise.all(
        Array.from({ length: 5 }, () => service.credentials.issuer.issue(request)),
      );
      assert.equal(new Set(results.map((r) => r.id)).size, 1);
      assert.equal(await records(), 1);
    });

    it('the same key for a different request is refused: idempotency_conflict, nothing written', async () => {
      await service.credentials.issuer.issue({
        type: 'MembershipCredential',
        subject: SUBJECT,
        idempotencyKey: 'k',
      });
      const error = await refusal(
        service.credentials.issuer.issue({
          type: 'MembershipCredential',
          subject: { ...SUBJECT, legalName: 'Someone Else' },
          idempotencyKey: 'k',
        }),
      );
      assert.equal(error.code, 'idempotency_conflict');
      assert.equal(await records(), 1);
    });
  });

  describe('refusals write nothing', () => {
    it('a type the data space does not define: unknown_type', async () => {
      const error = await refusal(
        service.credentials.issuer.issue({ type: 'PassportCredential', subject: SUBJECT }),
      );
      assert.equal(error.code, 'unknown_type');
      assert.equal(await records(), 0);
    });

    it('a subject that violates the schema: schema_violation, naming the field', async () => {
      const { legalName: _dropped, ...withoutName } = SUBJECT;
      const error = await refusal(
        service.credentials.issuer.issue({ type: 'MembershipCredential', subject: withoutName }),
      );
      assert.equal(error.code, 'schema_violation');
      assert.ok(
        error.errors.some((line) => line.includes('legalName')),
        error.errors.join('; '),
      );
      assert.equal(await records(), 0);
    });

    it('a subject that is not a DID: invalid_request', async () => {
      const error = await refusal(
        service.credentials.issuer.issue({
          type: 'MembershipCredential',
          subject: { ...SUBJECT, id: 'city' },
        }),
      );
      assert.equal(error.code, 'invalid_request');
    });

    it('claims that are not JSON (an undefined member): invalid_request', async () => {
      const error = await refusal(
        service.credentials.issuer.issue({
          type: 'MembershipCredential',
          subject: { ...SUBJECT, website: undefined },
        }),
      );
      assert.equal(error.code, 'invalid_request');
      assert.equal(await records(), 0);
    });

    it('validUntil not after validFrom: invalid_request', async () => {
      const at = new Date('2026-06-01T00:00:00Z');
      const error = await refusal(
        service.credentials.issuer.issue({
          type: 'MembershipCredential',
          subject: SUBJECT,
          validFrom: at,
          validUntil: at,
        }),
      );
      assert.equal(error.code, 'invalid_request');
    });
  });
});
