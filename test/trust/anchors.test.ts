import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadTrustAnchors, TrustAnchorError } from '../../src/trust/index.js';
import { directoryWith } from '../support/temp-dir.js';

const SHIPPED_TRUST_ANCHORS = new URL('../../trust-anchors', import.meta.url).pathname;

const good = {
  did: 'did:web:register.example',
  name: 'Register',
  credentialTypes: ['LegalPersonCredential'],
};

/** Loads a directory holding `files` and returns the TrustAnchorError it must throw. */
function loadError(files: Record<string, unknown>): { error: TrustAnchorError; dir: string } {
  const { dir, remove } = directoryWith(files);
  try {
    loadTrustAnchors(dir);
  } catch (error) {
    assert.ok(error instanceof TrustAnchorError, `expected a TrustAnchorError, got ${String(error)}`);
    return { error, dir };
  } finally {
    remove();
  }
  assert.fail('the directory loaded without error');
}

describe('trust anchors: loading trust-anchors/*.json (trust-anchors/README.md)', () => {
  it('loads the shipped anchors, skipping the schema file and the README', () => {
    const anchors = loadTrustAnchors(SHIPPED_TRUST_ANCHORS);
    const register = anchors.find((anchor) => anchor.did === 'did:web:business-register.example');
    assert.ok(register);
    assert.deepEqual(register.credentialTypes, ['LegalPersonCredential']);
    assert.equal(register.source, 'anchor');
    assert.ok(register.file.endsWith('business-register.example.json'));
    assert.ok(anchors.every((anchor) => !anchor.file.endsWith('trust-anchor.schema.json')));
  });

  it('reads every field, in file-name order', () => {
    const { dir, remove } = directoryWith({
      'b.json': { ...good, did: 'did:web:b.example' },
      'a.json': {
        ...good,
        did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
        description: 'An anchor',
        homepage: 'https://a.example',
        claims: [{ path: 'credentialSubject.country', allowedValues: ['DE', 'ES'] }],
        validFrom: '2025-01-01T00:00:00Z',
        validUntil: '2027-01-01T00:00:00+01:00',
      },
      'README.md': '# not an anchor',
      'notes.txt': 'ignored',
    });
    try {
      const [a, b] = loadTrustAnchors(dir);
      assert.equal(a?.file, join(dir, 'a.json'));
      assert.equal(b?.did, 'did:web:b.example');
      assert.deepEqual(a?.claims, [{ path: 'credentialSubject.country', allowedValues: ['DE', 'ES'] }]);
      assert.equal(a?.validity.from?.toISOString(), '2025-01-01T00:00:00.000Z');
      assert.equal(a?.validity.until?.toISOString(), '2026-12-31T23:00:00.000Z');
      assert.equal(a?.homepage, 'https://a.example');
    } finally {
      remove();
    }
  });

  it('loads a developmentOnly anchor only in development mode, and says which it left out', () => {
    const { dir, remove } = directoryWith({
      'dev.json': { ...good, did: 'did:web:dev.example', developmentOnly: true },
      'prod.json': good,
    });
    try {
      const skipped: string[] = [];
      const production = loadTrustAnchors(dir, { onSkipped: (file) => skipped.push(file) });
      assert.deepEqual(
        production.map((anchor) => anchor.did),
        ['did:web:register.example'],
      );
      assert.deepEqual(skipped, [join(dir, 'dev.json')]);
      const development = loadTrustAnchors(dir, { developmentMode: true });
      assert.deepEqual(
        development.map((anchor) => anchor.did),
        ['did:web:dev.example', 'did:web:register.example'],
      );
    } finally {
      remove();
    }
  });

  it('still validates a developmentOnly anchor outside development mode (a bad file stops the start)', () => {
    const { error } = loadError({ 'dev.json': { ...good, developmentOnly: 'yes' } });
    assert.equal(error.code, 'trust_anchor_invalid');
    assert.match(error.message, /\/developmentOnly must be boolean/);
  });

  it('ships the development PID provider as a development-only anchor for PersonIdentificationCredential', () => {
    assert.equal(
      loadTrustAnchors(SHIPPED_TRUST_ANCHORS).some((anchor) =>
        anchor.file.endsWith('pid-provider.development.json'),
      ),
      false,
    );
    const pid = loadTrustAnchors(SHIPPED_TRUST_ANCHORS, { developmentMode: true }).find((anchor) =>
      anchor.file.endsWith('pid-provider.development.json'),
    );
    assert.ok(pid);
    assert.deepEqual(pid.credentialTypes, ['PersonIdentificationCredential']);
    assert.match(pid.did, /^did:jwk:/);
  });

  it('loads an empty directory as no anchors', () => {
    const { dir, remove } = directoryWith({});
    try {
      assert.deepEqual(loadTrustAnchors(dir), []);
    } finally {
      remove();
    }
  });

  describe('a bad file stops the start, naming the file and what is wrong', () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['bad JSON', '{ "did": ', 'trust_anchor_invalid_json', /not valid JSON/],
      ['a JSON array', [good], 'trust_anchor_invalid', /must be object/],
      [
        'neither did nor issuer',
        { name: 'X', credentialTypes: ['T'] },
        'trust_anchor_invalid',
        /must name exactly one of did and issuer/,
      ],
      [
        'a missing name',
        { did: good.did, credentialTypes: ['T'] },
        'trust_anchor_invalid',
        /missing required property name/,
      ],
      [
        'a DID without method-specific id',
        { ...good, did: 'did:web:' },
        'trust_anchor_invalid',
        /"did:web:" is not a syntactically valid DID/,
      ],
      [
        'a DID with an upper-case method',
        { ...good, did: 'did:WEB:x.example' },
        'trust_anchor_invalid',
        /not a syntactically valid DID/,
      ],
      [
        'a DID URL with a path',
        { ...good, did: 'did:web:x.example/path' },
        'trust_anchor_invalid',
        /not a syntactically valid DID/,
      ],
      [
        'an https URL as DID',
        { ...good, did: 'https://x.example' },
        'trust_anchor_invalid',
        /not a syntactically valid DID/,
      ],
      [
        'empty credentialTypes',
        { ...good, credentialTypes: [] },
        'trust_anchor_invalid',
        /\/credentialTypes must NOT have fewer than 1 items/,
      ],
      [
        'VerifiableCredential as a type',
        { ...good, credentialTypes: ['VerifiableCredential'] },
        'trust_anchor_invalid',
        /must not be VerifiableCredential/,
      ],
      [
        'a repeated type',
        { ...good, credentialTypes: ['A', 'A'] },
        'trust_anchor_invalid',
        /duplicate items/,
      ],
      ['an unknown property', { ...good, trusted: true }, 'trust_anchor_invalid', /unknown property trusted/],
      [
        'a date without time zone',
        { ...good, validFrom: '2025-01-01T00:00:00' },
        'trust_anchor_invalid',
        /\/validFrom must match format "date-time"/,
      ],
      [
        'validUntil before validFrom',
        { ...good, validFrom: '2026-01-01T00:00:00Z', validUntil: '2025-01-01T00:00:00Z' },
        'trust_anchor_invalid',
        /validUntil 2025-01-01T00:00:00Z is not after validFrom/,
      ],
      [
        'validUntil equal to validFrom',
        { ...good, validFrom: '2026-01-01T00:00:00Z', validUntil: '2026-01-01T01:00:00+01:00' },
        'trust_anchor_invalid',
        /is not after validFrom/,
      ],
      [
        'a claim path outside credentialSubject',
        { ...good, claims: [{ path: 'issuer.id', allowedValues: ['x'] }] },
        'trust_anchor_invalid',
        /\/claims\/0\/path must match pattern/,
      ],
      [
        'a claim without allowed values',
        { ...good, claims: [{ path: 'credentialSubject.country', allowedValues: [] }] },
        'trust_anchor_invalid',
        /\/claims\/0\/allowedValues must NOT have fewer than 1 items/,
      ],
      [
        'an object as allowed value',
        { ...good, claims: [{ path: 'credentialSubject.a', allowedValues: [{ x: 1 }] }] },
        'trust_anchor_invalid',
        /\/claims\/0\/allowedValues\/0 must be a string, a number or a boolean/,
      ],
      [
        'a claim for a type the anchor lacks',
        {
          ...good,
          claims: [{ path: 'credentialSubject.a', allowedValues: ['x'], credentialTypes: ['Other'] }],
        },
        'trust_anchor_invalid',
        /\/claims\/0\/credentialTypes names Other/,
      ],
      [
        'an http homepage',
        { ...good, homepage: 'http://x.example' },
        'trust_anchor_invalid',
        /\/homepage must match pattern/,
      ],
    ];
    for (const [what, content, code, message] of cases) {
      it(`rejects ${what} (${code})`, () => {
        const { error, dir } = loadError({
          'ok.json': { ...good, did: 'did:web:ok.example' },
          'zz-bad.json': content,
        });
        assert.equal(error.code, code);
        assert.equal(error.file, join(dir, 'zz-bad.json'));
        assert.ok(error.message.startsWith(`${join(dir, 'zz-bad.json')}: `), error.message);
        assert.match(error.message, message);
      });
    }

    it('rejects the same DID in two files, naming both (trust_anchor_duplicate_did)', () => {
      const { error, dir } = loadError({ 'a.json': good, 'b.json': { ...good, name: 'Other' } });
      assert.equal(error.code, 'trust_anchor_duplicate_did');
      assert.equal(error.file, join(dir, 'b.json'));
      assert.match(error.message, new RegExp(`already declared in ${join(dir, 'a.json')}`));
    });

    it('rejects a directory that does not exist (trust_anchors_unreadable)', () => {
      assert.throws(
        () => loadTrustAnchors('/nonexistent/trust-anchors'),
        (error: unknown) =>
          error instanceof TrustAnchorError &&
          error.code === 'trust_anchors_unreadable' &&
          error.message.includes('/nonexistent/trust-anchors'),
      );
    });
  });
});
