/**
 * The BoardMemberCredential a seat comes with answers the `board` login: every claim path the
 * shipped rulebook's `board` scope asks the wallet for (its claimMapping) is in the subject the
 * service issues and keeps in the registry. (A seat's credential without `seat` could not log
 * in to the board's workspace: newcomer review.)
 */
import assert from 'node:assert/strict';
import { boardMemberSubject } from '../../src/governance/board.js';
import { queryForScopes, valueAt } from '../../src/oid4vp/dcql.js';
import { loadRulebook } from '../../src/rulebook/index.js';
import { SHIPPED_RULEBOOK_DIR } from '../rulebook/helpers.js';

describe('a board seat’s BoardMemberCredential and the board login', () => {
  it('holds every claim the board scope’s DCQL query asks for', () => {
    const query = queryForScopes(['board'], loadRulebook(SHIPPED_RULEBOOK_DIR));
    const board = query.credentials.find(
      (credential) => credential.format === 'jwt_vc_json' && credential.id === 'board',
    ) as { claims?: { path: readonly string[] }[] } | undefined;
    assert.ok(board, 'the board scope asks for a jwt_vc_json credential');
    const paths = (board.claims ?? []).map((claim) => claim.path);
    assert.ok(paths.length > 0, 'the board scope asks for claims');
    const credential = {
      credentialSubject: boardMemberSubject({
        did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
        name: 'Alice',
        addedAt: '2026-11-29T00:00:00.000Z',
      }),
    };
    for (const path of paths)
      assert.notEqual(valueAt(credential, path), undefined, `missing ${path.join('.')}`);
  });
});
