/**
 * The founding board from a file (FOUNDING_BOARD_FILE, docs/governance.md "The board"): `start`
 * seats each listed member not yet seated, as `board add` would, until the board has opened its
 * first motion; afterwards the file seats no one. A file that is not a founding board stops the
 * start with `founding_board_invalid`.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  FoundingBoardFileError,
  readFoundingBoard,
  seatFoundingBoard,
} from '../../src/governance/founding-board.js';
import { describeEachDatabase } from '../support/databases.js';
import { freePort, runCli, spawnCli, waitUntilReady } from '../support/process.js';
import { openTestService, TEST_SECRET } from '../support/service.js';
import { motion, newActor } from './support.js';

function boardFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dst-board-')), 'founding-board.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('FOUNDING_BOARD_FILE is read strictly (founding_board_invalid)', () => {
  for (const [why, content, message] of [
    ['not JSON', '{"members": [', /not a readable JSON file/],
    ['no members', { members: [] }, /1 to 100 members/],
    [
      'a member without a DID',
      { members: [{ did: 'alice', name: 'Alice' }] },
      /members\[0\]\.did is not a DID/,
    ],
    ['a member without a name', { members: [{ did: 'did:key:z6Mk', name: ' ' }] }, /members\[0\]\.name/],
    [
      'affiliations that are not DIDs',
      { members: [{ did: 'did:key:z6Mk', name: 'A', affiliations: ['did:x:<b>bold</b>'] }] },
      /affiliations/,
    ],
    [
      'a DID listed twice',
      {
        members: [
          { did: 'did:key:z6Mk', name: 'A' },
          { did: 'did:key:z6Mk', name: 'B' },
        ],
      },
      /members\[1\]\.did is listed twice/,
    ],
    ['a file over 1 MB, unread', `{"members": [], "padding": "${'x'.repeat(1_000_001)}"}`, /larger than/],
  ] as const)
    it(`refuses ${why}`, async () => {
      const file = boardFile(content);
      await assert.rejects(readFoundingBoard(file), (error: unknown) => {
        assert.ok(error instanceof FoundingBoardFileError);
        assert.equal(error.code, 'founding_board_invalid');
        assert.match(error.message, message);
        assert.ok(error.message.includes(file), 'the message names the file');
        return true;
      });
    });
});

describeEachDatabase('governance: the founding board from FOUNDING_BOARD_FILE', (fresh) => {
  it('seats the listed members once (a second start finds them seated), and none once the board has opened a motion', async function () {
    this.timeout(60_000);
    const [alice, bob, carol] = [await newActor(), await newActor(), await newActor()];
    const service = await openTestService(await fresh());
    try {
      const founding = [
        { did: alice.did, name: 'Alice', affiliations: [] },
        { did: bob.did, name: 'Bob', affiliations: [] },
      ];
      const first = await seatFoundingBoard(service.governance.board, founding);
      assert.deepEqual(first, { seated: [alice.did, bob.did], present: [], refused: [] });
      const again = await seatFoundingBoard(service.governance.board, founding);
      assert.deepEqual(again, { seated: [], present: [alice.did, bob.did], refused: [] });
      for (const did of [alice.did, bob.did]) {
        const seat = await service.governance.board.seat(did);
        assert.equal(seat?.status, 'active');
        assert.equal(seat?.addedBy, 'operator');
        assert.ok(seat?.credentialId, 'each seat comes with its BoardMemberCredential');
      }

      // The board opens its first motion: from then on the file seats no one.
      await request(service.app.callback())
        .post('/api/v1/motions')
        .send({
          motion: await motion(alice, service.identity.did, 'add-board-member', carol.did, { name: 'Carol' }),
        })
        .expect(201);
      const later = await seatFoundingBoard(service.governance.board, [
        ...founding,
        { did: carol.did, name: 'Carol', affiliations: [] },
      ]);
      assert.deepEqual(later, { seated: [], present: [alice.did, bob.did], refused: [carol.did] });
      assert.equal(await service.governance.board.seat(carol.did), undefined);
      let seats = 0;
      for await (const entry of service.audit.entries()) if (entry.kind === 'board.member.added') seats++;
      assert.equal(seats, 2);
    } finally {
      await service.close();
    }
  });

  it('`start` seats them (a real process), and refuses to start with a file that is not a founding board', async function () {
    this.timeout(90_000);
    const database = await fresh();
    const alice = await newActor();
    const port = await freePort();
    const env = {
      DATA_DIR: database.dataDir,
      DATABASE_URL: database.databaseUrl,
      KEY_ENCRYPTION_SECRET: TEST_SECRET,
      PORT: String(port),
      PUBLIC_URL: `http://localhost:${port}`,
      LOG_LEVEL: 'info',
    };
    const invalid = await runCli(['start'], { ...env, FOUNDING_BOARD_FILE: boardFile({ members: [] }) });
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr + invalid.stdout, /founding_board_invalid|1 to 100 members/);

    const child = spawnCli(['start'], {
      ...env,
      FOUNDING_BOARD_FILE: boardFile({ members: [{ did: alice.did, name: 'Alice' }] }),
    });
    try {
      await waitUntilReady(`http://localhost:${port}/health/ready`, 60_000);
      const board = (await (await fetch(`http://localhost:${port}/api/v1/board`)).json()) as {
        items: { did: string; name: string }[];
      };
      assert.deepEqual(
        board.items.map((seat) => [seat.did, seat.name]),
        [[alice.did, 'Alice']],
      );
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
