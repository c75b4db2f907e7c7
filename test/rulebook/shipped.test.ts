import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SERVICE_CREDENTIAL_TYPES } from '../../src/credentials/module.js';
import {
  isSemver,
  loadRulebook,
  MOTION_KINDS,
  RESOLVABLE_DID_METHODS,
  SERVICE_ISSUED_TYPES,
} from '../../src/rulebook/index.js';
import { SHIPPED_RULEBOOK_DIR } from './helpers.js';

const rulebook = loadRulebook(SHIPPED_RULEBOOK_DIR);
const LEGAL_PERSON_EVIDENCE = {
  credentialType: 'LegalPersonCredential',
  issuers: 'trust-anchors',
  requiredClaims: [
    'credentialSubject.legalName',
    'credentialSubject.registrationNumber',
    'credentialSubject.country',
  ],
};

describe('the shipped rulebook (rulebook/rulebook.yaml)', () => {
  it('loads from rulebook.yaml as version 1.1.0, a semantic version', () => {
    assert.equal(rulebook.version, '1.1.0');
    assert.ok(isSemver(rulebook.version));
    assert.match(rulebook.source, /rulebook\/rulebook\.yaml$/);
    assert.match(rulebook.hash, /^[0-9a-f]{64}$/);
  });

  it('admits with at least 2 approvals and a majority of the votes cast, with recusal', () => {
    const admit = rulebook.rule('admit');
    assert.ok(admit.minApprovals >= 2);
    assert.equal(admit.majorityOfVotesCast, true);
    assert.equal(admit.recusal, true);
    assert.ok(admit.votingPeriodDays > 0);
  });

  it('has a rule for every motion kind, each with minApprovals ≥ 1, a positive period and recusal', () => {
    for (const kind of MOTION_KINDS) {
      const rule = rulebook.rule(kind);
      assert.ok(rule.minApprovals >= 1, kind);
      assert.ok(rule.votingPeriodDays >= 1, kind);
      assert.equal(rule.recusal, true, kind);
    }
    assert.deepEqual(Object.keys(rulebook.document.decisions).sort(), [...MOTION_KINDS].sort());
  });

  it('defines the four roles with their sides; a public authority is on both sides', () => {
    const sides = Object.fromEntries(rulebook.roles.map((role) => [role.id, role.sides]));
    assert.deepEqual(sides, {
      'data-provider': ['supply'],
      'data-consumer': ['demand'],
      'service-provider': ['supply'],
      'public-authority': ['supply', 'demand'],
    });
  });

  it('asks every role for a LegalPersonCredential from a trust anchor with legalName, registrationNumber and country', () => {
    for (const role of rulebook.roles) {
      assert.deepEqual(rulebook.evidenceFor([role.id]), [LEGAL_PERSON_EVIDENCE], role.id);
    }
    assert.deepEqual(rulebook.evidenceFor(rulebook.roles.map((role) => role.id)), [LEGAL_PERSON_EVIDENCE]);
  });

  it('allows did:web, did:key and did:jwk for members and the board', () => {
    assert.deepEqual(rulebook.document.didMethods, {
      members: ['did:web', 'did:key', 'did:jwk'],
      board: ['did:web', 'did:key', 'did:jwk'],
    });
  });

  it('sets a 365-day membership credential and a renewal window shorter than it', () => {
    assert.equal(rulebook.membership.credentialValidityDays, 365);
    assert.ok(rulebook.membership.renewalWindowDays > 0);
    assert.ok(rulebook.membership.renewalWindowDays < rulebook.membership.credentialValidityDays);
  });

  it('lets members issue only types that are neither the service’s own nor admission evidence', () => {
    const all = rulebook.memberIssuableTypes(rulebook.roles.map((role) => role.id));
    assert.deepEqual(all, ['DataProductCredential', 'ServiceOfferingCredential']);
    assert.deepEqual(rulebook.memberIssuableTypes(['data-consumer']), []);
  });

  it('maps the login claims: organisation, roles and membership status from MembershipCredential, board seat from BoardMemberCredential', () => {
    assert.deepEqual(rulebook.claimMapping.organisation, {
      credentialType: 'MembershipCredential',
      path: 'credentialSubject.legalName',
    });
    assert.deepEqual(rulebook.claimMapping.roles, {
      credentialType: 'MembershipCredential',
      path: 'credentialSubject.roles',
    });
    assert.deepEqual(rulebook.claimMapping.membership_status, {
      credentialType: 'MembershipCredential',
      derived: 'membership-status',
    });
    assert.equal(rulebook.claimMapping.board_seat?.credentialType, 'BoardMemberCredential');
  });

  it('uses only roles the MembershipCredential v1 schema accepts', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../credential-schemas/MembershipCredential/v1.json', import.meta.url), 'utf8'),
    );
    const accepted: string[] = schema.$defs.roles.items.enum;
    for (const role of rulebook.roles) assert.ok(accepted.includes(role.id), role.id);
  });

  it('knows the same service-issued types and DID methods as the credentials and did capabilities', () => {
    assert.deepEqual([...SERVICE_ISSUED_TYPES], [...SERVICE_CREDENTIAL_TYPES]);
    assert.deepEqual([...RESOLVABLE_DID_METHODS], ['did:web', 'did:key', 'did:jwk']);
  });
});
