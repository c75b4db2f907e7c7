import assert from 'node:assert/strict';
import {
  canonicalJson,
  compareSemver,
  InvalidRolesError,
  isSemver,
  loadRulebook,
  MOTION_KINDS,
  type MotionKind,
} from '../../src/rulebook/index.js';
import { rulebookVersion, SHIPPED_RULEBOOK_DIR } from './helpers.js';

const shipped = loadRulebook(SHIPPED_RULEBOOK_DIR);
const REGISTER = 'did:web:business-register.example';
const CHAMBER = 'did:web:chamber.example';

/** The shipped rulebook, with a municipal register as extra evidence for public authorities and did:web only for the board. */
const custom = rulebookVersion('1.1.0', (document) => {
  const authority = document.roles.find((role: { id: string }) => role.id === 'public-authority');
  authority.evidence.push({
    credentialType: 'LegalPersonCredential',
    issuers: [CHAMBER, REGISTER],
    requiredClaims: ['credentialSubject.legalName'],
  });
  authority.evidence.push({
    credentialType: 'PublicBodyCredential',
    issuers: [REGISTER],
    requiredClaims: ['credentialSubject.jurisdiction'],
  });
  const consumer = document.roles.find((role: { id: string }) => role.id === 'data-consumer');
  consumer.evidence[0].requiredClaims = ['credentialSubject.legalName', 'credentialSubject.lei'];
  document.didMethods.board = ['did:web'];
});

describe('the rulebook model: what the other capabilities ask of it', () => {
  describe('rule(kind)', () => {
    it('answers a rule for every motion kind', () => {
      for (const kind of MOTION_KINDS) assert.equal(shipped.rule(kind), shipped.document.decisions[kind]);
    });

    it('throws a RangeError for a kind that is not a motion kind (no inherited properties either)', () => {
      assert.throws(() => shipped.rule('expel' as MotionKind), RangeError);
      assert.throws(() => shipped.rule('toString' as MotionKind), RangeError);
    });
  });

  describe('role(id)', () => {
    it('answers a defined role and undefined for any other id', () => {
      assert.equal(shipped.role('public-authority')?.title, 'Public authority');
      assert.equal(shipped.role('broker'), undefined);
      assert.equal(shipped.role('constructor'), undefined);
    });
  });

  describe('evidenceFor(roles)', () => {
    it('merges requirements for the same type from the same issuers into the union of their claims', () => {
      assert.deepEqual(custom.evidenceFor(['data-provider', 'data-consumer']), [
        {
          credentialType: 'LegalPersonCredential',
          issuers: 'trust-anchors',
          requiredClaims: [
            'credentialSubject.legalName',
            'credentialSubject.registrationNumber',
            'credentialSubject.country',
            'credentialSubject.lei',
          ],
        },
      ]);
    });

    it('keeps requirements from other issuers and of other types separate: each must be met', () => {
      const evidence = custom.evidenceFor(['public-authority']);
      assert.deepEqual(
        evidence.map((e) => [e.credentialType, e.issuers]),
        [
          ['LegalPersonCredential', 'trust-anchors'],
          ['LegalPersonCredential', [CHAMBER, REGISTER]],
          ['PublicBodyCredential', [REGISTER]],
        ],
      );
    });

    it('counts a role named twice once', () => {
      assert.deepEqual(
        shipped.evidenceFor(['data-provider', 'data-provider']),
        shipped.evidenceFor(['data-provider']),
      );
    });

    it('refuses an empty role list: no roles never means no evidence', () => {
      assert.throws(
        () => shipped.evidenceFor([]),
        (error) =>
          error instanceof InvalidRolesError && error.code === 'invalid_roles' && error.unknown.length === 0,
      );
    });

    it('refuses a role the rulebook does not define, naming it', () => {
      assert.throws(
        () => shipped.evidenceFor(['data-provider', 'broker']),
        (error) =>
          error instanceof InvalidRolesError &&
          error.code === 'invalid_roles' &&
          error.unknown.join() === 'broker',
      );
    });
  });

  describe('sidesFor(roles)', () => {
    const cases: [string[], string[]][] = [
      [['data-provider'], ['supply']],
      [['data-consumer'], ['demand']],
      [
        ['data-consumer', 'service-provider'],
        ['supply', 'demand'],
      ],
      [['public-authority'], ['supply', 'demand']],
    ];
    for (const [roles, sides] of cases) {
      it(`${roles.join(' + ')} → ${sides.join(', ')}`, () =>
        assert.deepEqual(shipped.sidesFor(roles), sides));
    }
    it('refuses an unknown role', () => assert.throws(() => shipped.sidesFor(['x']), InvalidRolesError));
  });

  describe('allowsDidMethod(did, holder)', () => {
    const cases: [string, 'members' | 'board', boolean, boolean][] = [
      // did, holder, shipped, custom (board: did:web only)
      ['did:web:city.example', 'members', true, true],
      ['did:web:city.example%3A8443:dept:mobility', 'board', true, true],
      ['did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', 'board', true, false],
      [
        'did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6IjExcVlBWUt4Q3JmVlNfN1R5V1FIT2c3aGN2UGFwaU1scndJYWFQY0hVUm8ifQ',
        'members',
        true,
        true,
      ],
      ['did:ion:EiClkZMDxPKqC9c-umQfTkR8vvZ9JPhl_xLDI9Nfk38w5w', 'members', false, false],
      ['did:webs:city.example', 'members', false, false],
      ['did:web', 'members', false, false],
      ['did:web:', 'members', false, false],
      ['did:web:city.example#key-1', 'members', false, false],
      ['did:web:city.example/path', 'members', false, false],
      ['DID:WEB:city.example', 'members', false, false],
      ['https://city.example', 'members', false, false],
      ['', 'board', false, false],
    ];
    for (const [did, holder, inShipped, inCustom] of cases) {
      it(`${JSON.stringify(did.slice(0, 40))} for ${holder}: ${inShipped ? 'allowed' : 'refused'}${inShipped !== inCustom ? ', refused where the board may use did:web only' : ''}`, () => {
        assert.equal(shipped.allowsDidMethod(did, holder), inShipped);
        assert.equal(custom.allowsDidMethod(did, holder), inCustom);
      });
    }
    it('never throws for a non-string', () => {
      assert.equal(shipped.allowsDidMethod(42 as unknown as string, 'members'), false);
    });
  });

  describe('memberIssuableTypes(roles)', () => {
    const cases: [string[], string[]][] = [
      [['data-provider'], ['DataProductCredential']],
      [['data-consumer'], []],
      [
        ['data-provider', 'service-provider', 'public-authority'],
        ['DataProductCredential', 'ServiceOfferingCredential'],
      ],
      [['broker'], []],
      [['data-consumer', 'broker', 'service-provider'], ['ServiceOfferingCredential']],
      [[], []],
    ];
    for (const [roles, types] of cases) {
      it(`[${roles.join(', ')}] → [${types.join(', ')}]`, () =>
        assert.deepEqual(shipped.memberIssuableTypes(roles), types));
    }
  });

  describe('immutability', () => {
    it('freezes the document deeply', () => {
      assert.throws(() => {
        (shipped.document.decisions.admit as { minApprovals: number }).minApprovals = 1;
      }, TypeError);
      assert.throws(() => {
        (shipped.document.roles as unknown[]).push({});
      }, TypeError);
      assert.equal(shipped.rule('admit').minApprovals, 2);
    });
  });
});

describe('semantic versions (semver 2.0.0 §2, §9, §11)', () => {
  it('orders versions by precedence, as in semver §11', () => {
    const ordered = [
      '0.9.9',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.2.0',
      '1.10.0',
      '2.0.0',
      '10.0.0',
      '99999999999999999999.0.0',
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        const a = ordered[i] as string;
        const b = ordered[j] as string;
        assert.equal(Math.sign(compareSemver(a, b)), Math.sign(i - j), `${a} vs ${b}`);
      }
    }
  });

  const versions: [string, boolean][] = [
    ['1.0.0', true],
    ['0.0.1', true],
    ['1.0.0-rc.1', true],
    ['1.0.0-0.3.7', true],
    ['1.0', false],
    ['1', false],
    ['v1.0.0', false],
    ['01.0.0', false],
    ['1.0.0-01', false],
    ['1.0.0+build', false],
    ['1.0.0-', false],
    [' 1.0.0', false],
  ];
  for (const [version, valid] of versions) {
    it(`${JSON.stringify(version)} is ${valid ? '' : 'not '}a rulebook version`, () =>
      assert.equal(isSemver(version), valid));
  }

  it('compareSemver throws a RangeError for a non-version', () => {
    assert.throws(() => compareSemver('1.0', '1.0.0'), RangeError);
  });
});

describe('canonical JSON (the hashed form)', () => {
  it('sorts keys at every depth and keeps array order', () => {
    assert.equal(
      canonicalJson({ b: [2, 1, { d: 1, c: 'x' }], a: true }),
      '{"a":true,"b":[2,1,{"c":"x","d":1}]}',
    );
  });

  it('escapes strings as JSON does, and refuses what is not JSON (an undefined member)', () => {
    assert.equal(canonicalJson({ é: 'a"b\n' }), '{"é":"a\\"b\\n"}');
    assert.throws(() => canonicalJson({ skip: undefined }), TypeError);
  });
});
