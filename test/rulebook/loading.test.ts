import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  loadRulebook,
  parseRulebook,
  RulebookError,
  type RulebookErrorCode,
} from '../../src/rulebook/index.js';
import { directoryWith } from '../support/temp-dir.js';
import { SHIPPED_RULEBOOK_DIR, shippedDocument } from './helpers.js';

/** Loads a directory holding these files and returns the RulebookError it throws. */
function loadError(files: Record<string, unknown>): RulebookError {
  const { dir, remove } = directoryWith(files);
  try {
    loadRulebook(dir);
  } catch (error) {
    if (error instanceof RulebookError) {
      assert.ok(error.message.startsWith(`${error.source}: `));
      assert.ok(error.source.startsWith(dir), `the error names the file or directory: ${error.source}`);
      return error;
    }
    throw error;
  } finally {
    remove();
  }
  assert.fail('the rulebook loaded');
}

// biome-ignore lint/suspicious/noExplicitAny: fixtures break the document on purpose
type Change = (document: any) => void;

const BAD: [string, Change, RulebookErrorCode, RegExp][] = [
  [
    'a version that is not semver',
    (d) => (d.version = '1.0'),
    'rulebook_invalid',
    /\/version "1\.0" must be a semantic version/,
  ],
  [
    'a version YAML read as a number',
    (d) => (d.version = 1),
    'rulebook_invalid',
    /\/version must be string \(quote the version/,
  ],
  [
    'a version with build metadata',
    (d) => (d.version = '1.0.0+build.5'),
    'rulebook_invalid',
    /\/version .* no \+build/,
  ],
  [
    'no roles property',
    (d) => delete d.roles,
    'rulebook_invalid',
    /\(document\) missing required property roles/,
  ],
  [
    'an empty role list',
    (d) => (d.roles = []),
    'rulebook_invalid',
    /\/roles must NOT have fewer than 1 items/,
  ],
  [
    'an unknown top-level property',
    (d) => (d.quorum = 3),
    'rulebook_invalid',
    /\(document\) has unknown property quorum/,
  ],
  ['a document that is a list', () => {}, 'rulebook_invalid', /\(document\) must be object/],
  [
    'two roles with the same id',
    (d) => (d.roles[2].id = 'data-provider'),
    'rulebook_inconsistent',
    /\/roles\/2\/id "data-provider" is already the id of \/roles\/0: role ids must be unique/,
  ],
  [
    'a role id that is not kebab-case',
    (d) => (d.roles[0].id = 'Data_Provider'),
    'rulebook_invalid',
    /\/roles\/0\/id "Data_Provider" must be a role id/,
  ],
  [
    'a motion kind without a rule',
    (d) => delete d.decisions.renew,
    'rulebook_invalid',
    /\/decisions missing required property renew/,
  ],
  [
    'a rule for an unknown motion kind',
    (d) => (d.decisions.expel = d.decisions.revoke),
    'rulebook_invalid',
    /\/decisions has unknown property expel/,
  ],
  [
    'minApprovals 0',
    (d) => (d.decisions.admit.minApprovals = 0),
    'rulebook_invalid',
    /\/decisions\/admit\/minApprovals must be >= 1/,
  ],
  [
    'a voting period of 0 days',
    (d) => (d.decisions.suspend.votingPeriodDays = 0),
    'rulebook_invalid',
    /\/decisions\/suspend\/votingPeriodDays must be >= 1/,
  ],
  [
    'a fractional voting period',
    (d) => (d.decisions.suspend.votingPeriodDays = 1.5),
    'rulebook_invalid',
    /\/decisions\/suspend\/votingPeriodDays must be integer/,
  ],
  [
    'a rule without recusal',
    (d) => delete d.decisions.admit.recusal,
    'rulebook_invalid',
    /\/decisions\/admit missing required property recusal/,
  ],
  [
    'majorityOfVotesCast as a string',
    (d) => (d.decisions.admit.majorityOfVotesCast = 'yes'),
    'rulebook_invalid',
    /majorityOfVotesCast must be boolean/,
  ],
  [
    'a credential validity of 0 days',
    (d) => (d.membership.credentialValidityDays = 0),
    'rulebook_invalid',
    /\/membership\/credentialValidityDays must be >= 1/,
  ],
  [
    'a negative renewal window',
    (d) => (d.membership.renewalWindowDays = -5),
    'rulebook_invalid',
    /\/membership\/renewalWindowDays must be >= 1/,
  ],
  [
    'a renewal window as long as the credential',
    (d) => (d.membership.renewalWindowDays = 365),
    'rulebook_inconsistent',
    /\/membership\/renewalWindowDays \(365\) must be less than credentialValidityDays \(365\)/,
  ],
  [
    'a role without evidence',
    (d) => (d.roles[1].evidence = []),
    'rulebook_invalid',
    /\/roles\/1\/evidence must NOT have fewer than 1 items/,
  ],
  [
    'an empty evidence credential type',
    (d) => (d.roles[0].evidence[0].credentialType = ''),
    'rulebook_invalid',
    /\/roles\/0\/evidence\/0\/credentialType "" must be a credential type such as LegalPersonCredential/,
  ],
  [
    'VerifiableCredential as evidence type',
    (d) => (d.roles[0].evidence[0].credentialType = 'VerifiableCredential'),
    'rulebook_invalid',
    /credentialType must not be VerifiableCredential/,
  ],
  [
    'issuers that are neither trust-anchors nor DIDs',
    (d) => (d.roles[0].evidence[0].issuers = 'anchors'),
    'rulebook_invalid',
    /\/roles\/0\/evidence\/0\/issuers must be "trust-anchors" or/,
  ],
  [
    'an empty issuer list',
    (d) => (d.roles[0].evidence[0].issuers = []),
    'rulebook_invalid',
    /\/issuers must be "trust-anchors" or a non-empty list/,
  ],
  [
    'an issuer that is not a DID',
    (d) => (d.roles[0].evidence[0].issuers = ['register.example']),
    'rulebook_invalid',
    /\/issuers\/0 "register\.example" is not a syntactically valid DID/,
  ],
  [
    'an issuer DID of a method the service cannot resolve',
    (d) => (d.roles[0].evidence[0].issuers = ['did:ion:EiAbc']),
    'rulebook_inconsistent',
    /\/roles\/0\/evidence\/0\/issuers\/0 uses did:ion, which this service cannot resolve/,
  ],
  [
    'a required claim without credentialSubject',
    (d) => (d.roles[0].evidence[0].requiredClaims = ['legalName']),
    'rulebook_invalid',
    /"legalName" must be a claim path such as credentialSubject\.legalName/,
  ],
  [
    'the same evidence twice in a role',
    (d) => d.roles[0].evidence.push({ ...d.roles[0].evidence[0], requiredClaims: ['credentialSubject.lei'] }),
    'rulebook_inconsistent',
    /\/roles\/0\/evidence\/1 repeats the LegalPersonCredential requirement of \/roles\/0\/evidence\/0/,
  ],
  [
    'a role without sides',
    (d) => (d.roles[0].sides = []),
    'rulebook_invalid',
    /\/roles\/0\/sides must NOT have fewer than 1 items/,
  ],
  [
    'an unknown side',
    (d) => (d.roles[0].sides = ['both']),
    'rulebook_invalid',
    /\/roles\/0\/sides\/0 must be equal to one of the allowed values/,
  ],
  [
    'member issuance for an undefined role',
    (d) => (d.memberIssuance.broker = ['X']),
    'rulebook_inconsistent',
    /\/memberIssuance\/broker names no role of \/roles/,
  ],
  [
    'members issuing MembershipCredential',
    (d) => d.memberIssuance['data-provider'].push('MembershipCredential'),
    'rulebook_inconsistent',
    /\/memberIssuance\/data-provider lists MembershipCredential, which only the service issues/,
  ],
  [
    'members issuing admission evidence',
    (d) => d.memberIssuance['service-provider'].push('LegalPersonCredential'),
    'rulebook_inconsistent',
    /\/memberIssuance\/service-provider lists LegalPersonCredential, which applicants present as admission evidence/,
  ],
  [
    'a DID method the service cannot resolve',
    (d) => d.didMethods.members.push('did:ion'),
    'rulebook_inconsistent',
    /\/didMethods\/members lists did:ion, which this service cannot resolve/,
  ],
  [
    'a DID method without did:',
    (d) => (d.didMethods.board = ['web']),
    'rulebook_invalid',
    /\/didMethods\/board\/0 "web" must be a DID method such as did:web/,
  ],
  [
    'no DID method for the board',
    (d) => (d.didMethods.board = []),
    'rulebook_invalid',
    /\/didMethods\/board must NOT have fewer than 1 items/,
  ],
  [
    'a mapping of a protocol claim',
    (d) => (d.claimMapping.sub = d.claimMapping.organisation),
    'rulebook_inconsistent',
    /\/claimMapping\/sub is a claim the OpenID provider sets itself/,
  ],
  [
    'a claim source with both path and derived',
    (d) => (d.claimMapping.roles.derived = 'membership-status'),
    'rulebook_invalid',
    /\/claimMapping\/roles must be \{ credentialType, path \} or \{ credentialType, derived/,
  ],
  [
    'a claim path outside credentialSubject',
    (d) => (d.claimMapping.roles.path = 'roles'),
    'rulebook_invalid',
    /\/claimMapping\/roles\/path "roles" must be a claim path/,
  ],
];

describe('rulebook loading: a bad rulebook stops the start with a RulebookError naming the file and the problem', () => {
  describe('content (rulebook/rulebook.schema.json and the rules beyond it)', () => {
    for (const [name, change, code, message] of BAD) {
      it(`refuses ${name}`, () => {
        const document = name === 'a document that is a list' ? [shippedDocument()] : shippedDocument();
        change(document);
        const error = loadError({ 'rulebook.yaml': stringify(document) });
        assert.equal(error.code, code);
        assert.match(error.message, message);
        assert.ok(error.source.endsWith('rulebook.yaml'));
      });
    }

    it('lists every problem of the document at once', () => {
      const document = shippedDocument();
      delete document.decisions.renew;
      document.decisions.admit.minApprovals = 0;
      const error = loadError({ 'rulebook.json': document });
      assert.match(error.message, /missing required property renew; .*minApprovals must be >= 1/);
    });

    it('refuses a proposed amendment the same way, naming its source', () => {
      assert.throws(
        () => parseRulebook({ ...shippedDocument(), version: 'next' }, 'motion m-1'),
        (error) =>
          error instanceof RulebookError &&
          error.code === 'rulebook_invalid' &&
          error.message.startsWith('motion m-1: /version'),
      );
    });
  });

  describe('files', () => {
    it('refuses a directory without rulebook.yaml or rulebook.json', () => {
      const error = loadError({ 'README.md': '# nothing' });
      assert.equal(error.code, 'rulebook_unreadable');
      assert.match(error.message, /holds no rulebook\.yaml or rulebook\.json/);
    });

    it('refuses a directory that does not exist', () => {
      assert.throws(
        () => loadRulebook('/nonexistent/rulebook-dir'),
        (error) => error instanceof RulebookError && error.code === 'rulebook_unreadable',
      );
    });

    it('refuses a directory with both rulebook.yaml and rulebook.json', () => {
      const error = loadError({
        'rulebook.yaml': stringify(shippedDocument()),
        'rulebook.json': shippedDocument(),
      });
      assert.equal(error.code, 'rulebook_unreadable');
      assert.match(error.message, /holds both rulebook\.yaml and rulebook\.json: keep exactly one/);
    });

    it('refuses YAML that does not parse', () => {
      const error = loadError({ 'rulebook.yaml': 'version: "1.0.0"\nroles: [\n' });
      assert.equal(error.code, 'rulebook_syntax');
      assert.match(error.message, /rulebook\.yaml: not valid YAML/);
    });

    it('refuses YAML with a duplicate key (it would silently override)', () => {
      const text = readFileSync(join(SHIPPED_RULEBOOK_DIR, 'rulebook.yaml'), 'utf8').replace(
        'membership:\n',
        'membership:\n  credentialValidityDays: 30\n',
      );
      const error = loadError({ 'rulebook.yaml': text });
      assert.equal(error.code, 'rulebook_syntax');
      assert.match(error.message, /not valid YAML: Map keys must be unique/);
    });

    it('refuses YAML with an unknown tag', () => {
      const error = loadError({ 'rulebook.yaml': 'version: !!js/function "x"\n' });
      assert.equal(error.code, 'rulebook_syntax');
    });

    it('refuses JSON that does not parse', () => {
      const error = loadError({ 'rulebook.json': '{"version": ' });
      assert.equal(error.code, 'rulebook_syntax');
      assert.match(error.message, /rulebook\.json: not valid JSON/);
    });
  });

  describe('the hash (SHA-256 of the canonical JSON)', () => {
    const shipped = loadRulebook(SHIPPED_RULEBOOK_DIR);

    it('is the same for the rulebook as JSON with other key order and an editor $schema link', () => {
      const document = shippedDocument();
      const reordered = {
        $schema: './rulebook.schema.json',
        ...Object.fromEntries(Object.entries(document).reverse()),
      };
      const { dir, remove } = directoryWith({ 'rulebook.json': reordered });
      try {
        const fromJson = loadRulebook(dir);
        assert.equal(fromJson.hash, shipped.hash);
        assert.equal(fromJson.canonical, shipped.canonical);
        assert.ok(!('$schema' in fromJson.document));
      } finally {
        remove();
      }
    });

    it('changes with any change of content', () => {
      const document = shippedDocument();
      document.decisions.admit.votingPeriodDays = 15;
      assert.notEqual(parseRulebook(document, 'changed').hash, shipped.hash);
    });

    it('covers the canonical JSON: sorted keys, no whitespace', () => {
      assert.ok(shipped.canonical.startsWith('{"claimMapping":{"board_role":'));
      assert.ok(!/\s"|":\s/.test(shipped.canonical));
      assert.deepEqual(JSON.parse(shipped.canonical), JSON.parse(JSON.stringify(shipped.document)));
    });
  });
});
