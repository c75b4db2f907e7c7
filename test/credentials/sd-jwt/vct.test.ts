/**
 * SD-JWT VC types of the data space (`credential-schemas/{Type}/sd-jwt/v1.json`, docs/sd-jwt.md)
 * and their type metadata (SD-JWT VC §6): the shipped MembershipCredential vct, and the
 * refusals that stop the start.
 */
import { strict as assert } from 'node:assert';
import { loadVctRegistry } from '../../../src/credentials/sd-jwt/vct.js';
import { directoryWith } from '../../support/temp-dir.js';

const PUBLIC_URL = 'https://trust.example/';

describe('SD-JWT VC types (docs/sd-jwt.md): credential-schemas/{Type}/sd-jwt/v1.json', () => {
  it('maps the shipped membership vct under PUBLIC_URL to MembershipCredential, both ways', () => {
    const vcts = loadVctRegistry('credential-schemas', PUBLIC_URL);
    const type = vcts.byVct('https://trust.example/vct/membership');
    assert.equal(type?.type, 'MembershipCredential');
    assert.equal(vcts.byType('MembershipCredential')?.vct, 'https://trust.example/vct/membership');
    assert.deepEqual(type?.selectivelyDisclosable, [
      'legalName',
      'roles',
      'sides',
      'memberSince',
      'rulebookVersion',
    ]);
  });

  it('maps the EU PID vct (urn:eudi:pid:1) to PersonIdentificationCredential with its own claim names, unpublished', () => {
    const vcts = loadVctRegistry('credential-schemas', PUBLIC_URL);
    const pid = vcts.byVct('urn:eudi:pid:1');
    assert.equal(pid?.type, 'PersonIdentificationCredential');
    assert.equal(pid?.published, undefined);
    assert.equal(pid?.subjectClaims.personalIdentifier, 'personal_administrative_number');
    assert.equal(pid?.subjectClaims.birthDate, 'birthdate');
    assert.equal(vcts.byType('PersonIdentificationCredential')?.vct, 'urn:eudi:pid:1');
  });

  it('SD-JWT VC §6.2: serves type metadata with display names and each claim’s sd rule', () => {
    const metadata = loadVctRegistry('credential-schemas', PUBLIC_URL).metadata('membership') as {
      vct: string;
      display: { lang: string; name: string }[];
      claims: { path: string[]; sd: string }[];
    };
    assert.equal(metadata.vct, 'https://trust.example/vct/membership');
    assert.equal(metadata.display[0]?.lang, 'en');
    assert.deepEqual(
      metadata.claims.map((c) => [c.path[0], c.sd]),
      [
        ['sub', 'never'],
        ['legalName', 'always'],
        ['roles', 'always'],
        ['sides', 'always'],
        ['memberSince', 'always'],
        ['rulebookVersion', 'always'],
      ],
    );
  });

  const refuses = (config: Record<string, unknown>, pattern: RegExp) => {
    const { dir, remove } = directoryWith({ 'ExampleCredential/sd-jwt/v1.json': config });
    try {
      assert.throws(() => loadVctRegistry(dir, PUBLIC_URL), pattern);
    } finally {
      remove();
    }
  };

  for (const claim of ['iss', 'cnf', 'status', 'vct', 'exp'])
    it(`stops the start when ${claim} is listed as selectively disclosable`, () => {
      refuses({ vct: 'example', name: 'Example', selectivelyDisclosable: [claim] }, /must stay visible/);
    });

  it('stops the start on a vct that is neither a name nor an absolute URI', () => {
    refuses({ vct: 'Not A Name', name: 'Example' }, /vct is a name/);
  });

  it('stops the start on subjectClaims that map id, use a path outside claim-name syntax, or map two claims to one path', () => {
    refuses({ vct: 'example', name: 'Example', subjectClaims: { id: 'sub' } }, /subjectClaims\.id/);
    refuses({ vct: 'example', name: 'Example', subjectClaims: { a: 'x..y' } }, /subjectClaims\.a/);
    refuses({ vct: 'example', name: 'Example', subjectClaims: { a: 'x', b: 'x' } }, /two claims to one path/);
    refuses({ vct: 'example', name: 'Example', subjectClaims: ['a'] }, /must be an object/);
  });

  it('stops the start on a schema that does not compile in strict mode', () => {
    refuses({ vct: 'example', name: 'Example', schema: { type: 'object', required: ['x'] } }, /strict mode/);
  });
});
