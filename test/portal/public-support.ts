/**
 * A data space with something to show on the public pages: a seated board, three admitted
 * members (a city, a data provider that the board then suspends, and one whose legal name is
 * hostile HTML), a rulebook amended by vote from 1.1.0 to 1.2.0 (the renewal window shortened),
 * and a signed checkpoint of the audit log.
 */
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import {
  type Actor,
  admitMember,
  anchorsDir,
  motion,
  newActor,
  seatBoard,
  vote,
} from '../governance/support.js';
import type { TestDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';

export const HOSTILE_NAME = '<script>alert(1)</script>';
/** A trust anchor of the public world that names an SD-JWT VC issuer by its https URL. */
export const HTTPS_ISSUER = 'https://pid.example/tenants/de';

export interface PublicWorld {
  readonly service: Service;
  readonly board: readonly Actor[];
  readonly city: string;
  readonly provider: string;
  readonly hostile: string;
  readonly suspension: string;
  readonly amendment: string;
  close(): Promise<void>;
}

/** Opens a motion by `board[0]` and has the board members in `voters` approve it; its id. */
async function decide(
  service: Service,
  board: readonly Actor[],
  kind: string,
  subject: string,
  voters: number,
) {
  const app = service.app.callback();
  const did = service.identity.did;
  const opened = await request(app)
    .post('/api/v1/motions')
    .send({ motion: await motion(board[0] as Actor, did, kind, subject) })
    .expect(201);
  for (const member of board.slice(0, voters)) {
    await request(app)
      .post(`/api/v1/motions/${opened.body.id}/votes`)
      .send({ vote: await vote(member, did, opened.body.id, 'approve') })
      .expect(201);
  }
  assert.equal((await service.governance.engine.motion(opened.body.id)).status, 'approved');
  return opened.body.id as string;
}

export async function publicWorld(
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<PublicWorld> {
  const rulebookDir = mkdtempSync(join(tmpdir(), 'dst-rulebook-'));
  cpSync(new URL('../../rulebook', import.meta.url), rulebookDir, { recursive: true });
  const register = await newActor();
  const anchors = anchorsDir(register);
  // An SD-JWT VC issuer named by its URL (issue 12), with a name that must be escaped.
  writeFileSync(
    join(anchors, 'pid.json'),
    JSON.stringify({
      issuer: HTTPS_ISSUER,
      name: HOSTILE_NAME,
      credentialTypes: ['PersonIdentificationCredential'],
    }),
  );
  const environment = { RULEBOOK_DIR: rulebookDir, TRUST_ANCHORS_DIR: anchors, ...env };

  let service = await openTestService(database, environment);
  const board = await seatBoard(service, 3);
  const admit = async (roles: string[], legalName: string, registrationNumber: string) =>
    (await admitMember(service, board, register, roles, { legalName, registrationNumber, country: 'DE' }))
      .applicant.did;
  const city = await admit(['public-authority'], 'City of Example', 'GV 1');
  const provider = await admit(['data-provider'], 'Data Provider Ltd', 'HRB 42');
  const hostile = await admit(['data-consumer'], HOSTILE_NAME, 'HRB 666');
  const suspension = await decide(service, board, 'suspend', provider, 2);
  await service.close();

  // The file proposes 1.2.0 (a shorter renewal window); the board adopts it by vote.
  const file = join(rulebookDir, 'rulebook.yaml');
  const proposed = readFileSync(file, 'utf8')
    .replace(/^version: "1\.1\.0"/m, 'version: "1.2.0"')
    .replace(/renewalWindowDays: 60/, 'renewalWindowDays: 45');
  assert.notEqual(proposed, readFileSync(file, 'utf8'));
  writeFileSync(file, proposed);
  service = await openTestService(database, environment);
  const amendment = await decide(service, board, 'amend-rulebook', '1.2.0', 3);
  await service.audit.checkpoint();
  const opened = service;
  return {
    service: opened,
    board,
    city,
    provider,
    hostile,
    suspension,
    amendment,
    close: () => opened.close(),
  };
}
