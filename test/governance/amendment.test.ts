import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import {
  anchorsDir,
  applicationCredential,
  legalPersonCredential,
  motion,
  newActor,
  presentation,
  vote,
} from './support.js';

const ORG = { legalName: 'Mobility Lab', registrationNumber: 'HRB 777', country: 'DE' };

describeEachDatabase('governance: amending the rulebook is a board motion', (fresh) => {
  it('an amendment adopted by vote changes the version that new decisions use', async function () {
    this.timeout(60_000);
    const database = await fresh();
    const rulebookDir = mkdtempSync(join(tmpdir(), 'dst-rulebook-'));
    cpSync(new URL('../../rulebook', import.meta.url), rulebookDir, { recursive: true });
    const register = await newActor();
    const env = { RULEBOOK_DIR: rulebookDir, TRUST_ANCHORS_DIR: anchorsDir(register) };
    const [first, second, third] = [await newActor(), await newActor(), await newActor()];
    const board = [first, second, third];

    // First start adopts 1.1.0 from the file; the board is seated.
    let service = await openTestService(database, env);
    for (const [i, member] of board.entries()) {
      await service.governance.board.add({ did: member.did, name: `Member ${i}`, by: 'operator' });
    }
    await service.close();

    // The file now proposes 1.2.0, where one approval admits. A restart does not adopt it.
    const file = join(rulebookDir, 'rulebook.yaml');
    const proposed = readFileSync(file, 'utf8')
      .replace(/^version: "1\.1\.0"/m, 'version: "1.2.0"')
      .replace(/admit:\s+\{ minApprovals: 2,/, 'admit: { minApprovals: 1,');
    assert.notEqual(proposed, readFileSync(file, 'utf8'));
    writeFileSync(file, proposed);
    service = await openTestService(database, env);
    try {
      const app = service.app.callback();
      const did = service.identity.did;
      assert.equal((await request(app).get('/api/v1/rulebook').expect(200)).body.version, '1.1.0');

      const opened = await request(app)
        .post('/api/v1/motions')
        .send({ motion: await motion(first, did, 'amend-rulebook', '1.2.0') })
        .expect(201);
      for (const member of board) {
        await request(app)
          .post(`/api/v1/motions/${opened.body.id}/votes`)
          .send({ vote: await vote(member, did, opened.body.id, 'approve') })
          .expect(201);
      }
      assert.equal((await service.governance.engine.motion(opened.body.id)).status, 'approved');
      const current = await request(app).get('/api/v1/rulebook').expect(200);
      assert.equal(current.body.version, '1.2.0');
      const versions = await request(app).get('/api/v1/rulebook/versions').expect(200);
      assert.equal(
        JSON.stringify(versions.body).includes('1.1.0'),
        true,
        'the old version stays retrievable',
      );

      // A new admission is decided under 1.2.0: one approval is enough.
      const applicant = await newActor();
      const challenge = (await request(app).get('/api/v1/membership/challenge')).body.challenge;
      const vp = await presentation(applicant, did, challenge, [
        await legalPersonCredential(register, applicant.did, ORG),
        await applicationCredential(applicant, ORG, ['data-provider']),
      ]);
      const applied = await request(app)
        .post('/api/v1/membership/applications')
        .send({ presentation: vp })
        .expect(201);
      const admission = await service.governance.engine.motion(applied.body.motionId);
      assert.equal(admission.rulebookVersion, '1.2.0');
      const decided = await request(app)
        .post(`/api/v1/motions/${applied.body.motionId}/votes`)
        .send({ vote: await vote(second, did, applied.body.motionId, 'approve') })
        .expect(201);
      assert.equal(decided.body.status, 'approved');
    } finally {
      await service.close();
    }
  });
});
