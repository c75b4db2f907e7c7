/**
 * The rulebook's `consent` section (rulebook 1.1.0; rulebook/README.md): the DPV vocabulary
 * notices may use, who publishes them, retention limits and the natural-person login. What the
 * schema cannot say is checked as `rulebook_inconsistent`; a rulebook without the section (every
 * version before 1.1.0) stays valid.
 */
import assert from 'node:assert/strict';
import {
  CONSENT_LEGAL_BASES,
  expandTerm,
  loadRulebook,
  localise,
  parseRulebook,
  RulebookError,
  type RulebookErrorCode,
} from '../../src/rulebook/index.js';
import { SHIPPED_RULEBOOK_DIR, shippedDocument } from './helpers.js';

const shipped = loadRulebook(SHIPPED_RULEBOOK_DIR);

// biome-ignore lint/suspicious/noExplicitAny: fixtures break the document on purpose
type Change = (consent: any) => void;

function refusal(change: Change): RulebookError {
  const document = shippedDocument();
  change(document.consent);
  try {
    parseRulebook(document, 'test');
  } catch (error) {
    if (error instanceof RulebookError) return error;
    throw error;
  }
  assert.fail('the rulebook was accepted');
}

const BAD: [string, Change, RulebookErrorCode, RegExp][] = [
  [
    'a purpose that is not a compact DPV IRI',
    (c) => (c.purposes[0].id = 'https://w3id.org/dpv#ServiceProvision'),
    'rulebook_invalid',
    /\/consent\/purposes\/0\/id .* must be a DPV term/,
  ],
  [
    'a label without English',
    (c) => (c.purposes[0].label = { de: 'Dienst' }),
    'rulebook_invalid',
    /missing required property en/,
  ],
  ['a blank label', (c) => (c.purposes[0].label.en = '  '), 'rulebook_invalid', /must not be blank/],
  [
    'a label in a made-up language tag',
    (c) => (c.purposes[0].label.English = 'x'),
    'rulebook_invalid',
    /invalid property name "English"/,
  ],
  ['an unknown field', (c) => (c.purposes[0].weight = 3), 'rulebook_invalid', /unknown property weight/],
  [
    'no natural-person login',
    (c) => delete c.naturalPersons,
    'rulebook_invalid',
    /missing required property naturalPersons/,
  ],
  [
    'a retention of 0 days',
    (c) => (c.maxRetentionDays = 0),
    'rulebook_invalid',
    /maxRetentionDays must be >= 1/,
  ],
  [
    'a publisher role the rulebook does not define',
    (c) => c.noticePublishers.push('broker'),
    'rulebook_inconsistent',
    /\/consent\/noticePublishers\/3 "broker" names no role/,
  ],
  [
    'the same purpose twice',
    (c) => c.purposes.push({ ...c.purposes[0] }),
    'rulebook_inconsistent',
    /\/consent\/purposes\/12\/id "dpv:ServiceProvision" repeats \/consent\/purposes\/0/,
  ],
  [
    'a data category from dpv: instead of pd:',
    (c) => (c.dataCategories[0].id = 'dpv:PersonalData'),
    'rulebook_inconsistent',
    /dataCategories\/0\/id "dpv:PersonalData" must be a DPV personal-data category \(pd:\)/,
  ],
  [
    'a purpose from pd:',
    (c) => (c.purposes[0].id = 'pd:Location'),
    'rulebook_inconsistent',
    /purposes\/0\/id "pd:Location" must be a DPV purpose/,
  ],
  [
    'a legal basis that is not a consent type',
    (c) => (c.legalBases[0].id = 'dpv:LegitimateInterest'),
    'rulebook_inconsistent',
    /legalBases\/0\/id "dpv:LegitimateInterest" must be one of the DPV consent types/,
  ],
  [
    'implied consent (a DPV term, but not GDPR consent)',
    (c) => (c.legalBases[0].id = 'dpv:ImpliedConsent'),
    'rulebook_inconsistent',
    /dpv:ImpliedConsent" must be one of the DPV consent types/,
  ],
  [
    'a special category without explicit consent among the legal bases',
    (c) => (c.legalBases = [c.legalBases[0]]),
    'rulebook_inconsistent',
    /dataCategories\/10 is a special category, which needs dpv:ExplicitlyExpressedConsent/,
  ],
  [
    "a natural-person login with the service's own MembershipCredential",
    (c) => (c.naturalPersons.credentialType = 'MembershipCredential'),
    'rulebook_inconsistent',
    /naturalPersons\/credentialType MembershipCredential is issued by the service/,
  ],
  [
    'an identifier claim the login does not ask for',
    (c) => (c.naturalPersons.identifierClaim = 'credentialSubject.taxId'),
    'rulebook_inconsistent',
    /identifierClaim credentialSubject.taxId must be one of its requiredClaims/,
  ],
  [
    'an issuer DID of a method the service cannot resolve',
    (c) => (c.naturalPersons.issuers = ['did:ebsi:zabc']),
    'rulebook_inconsistent',
    /naturalPersons\/issuers\/0 uses did:ebsi/,
  ],
];

describe('the rulebook consent section (rulebook/README.md, `consent`)', () => {
  describe('the shipped vocabulary (rulebook 1.1.0)', () => {
    const consent = shipped.consent;

    it('is present, with publishers, retention limits and the PersonIdentificationCredential login', () => {
      assert.ok(consent);
      assert.deepEqual(consent.terms.noticePublishers, [
        'data-provider',
        'service-provider',
        'public-authority',
      ]);
      assert.equal(consent.maxRetentionDays, 730);
      assert.equal(consent.recordRetentionDays, 1095);
      assert.deepEqual(consent.naturalPersons, {
        credentialType: 'PersonIdentificationCredential',
        issuers: 'trust-anchors',
        requiredClaims: ['credentialSubject.personalIdentifier'],
        identifierClaim: 'credentialSubject.personalIdentifier',
      });
    });

    it('uses only DPV consent types as legal bases, dpv: purposes and pd: categories, each labelled in English', () => {
      assert.ok(consent);
      for (const term of consent.terms.legalBases) assert.ok(CONSENT_LEGAL_BASES.includes(term.id), term.id);
      for (const term of consent.terms.purposes) assert.match(term.id, /^dpv:[A-Z]/);
      for (const term of consent.terms.dataCategories) assert.match(term.id, /^pd:[A-Z]/);
      for (const term of [
        ...consent.terms.legalBases,
        ...consent.terms.purposes,
        ...consent.terms.dataCategories,
      ]) {
        assert.ok(term.label.en && term.label.en.trim().length > 0, term.id);
      }
    });

    it('marks health and disability as special categories', () => {
      assert.equal(consent?.dataCategory('pd:Health')?.specialCategory, true);
      assert.equal(consent?.dataCategory('pd:Disability')?.specialCategory, true);
      assert.equal(consent?.dataCategory('pd:Location')?.specialCategory, undefined);
    });

    it('answers terms by id and undefined for a term it does not hold (no inherited names)', () => {
      assert.equal(
        consent?.purpose('dpv:ImproveTransportMobility')?.label.en,
        'Improving traffic and public transport',
      );
      assert.equal(consent?.purpose('pd:Location'), undefined);
      assert.equal(consent?.dataCategory('dpv:ServiceProvision'), undefined);
      assert.equal(consent?.purpose('toString'), undefined);
      assert.equal(consent?.legalBasis('dpv:Consent')?.label.en, 'Your consent');
    });

    it('lets members of publisher roles publish, and data consumers not', () => {
      assert.equal(consent?.mayPublish(['public-authority']), true);
      assert.equal(consent?.mayPublish(['data-consumer', 'service-provider']), true);
      assert.equal(consent?.mayPublish(['data-consumer']), false);
      assert.equal(consent?.mayPublish([]), false);
    });
  });

  describe('labels and IRIs', () => {
    it('localises to the language, its primary subtag, or English', () => {
      const label = { en: 'Where you are', de: 'Wo Sie sich aufhalten' };
      assert.equal(localise(label, 'de'), 'Wo Sie sich aufhalten');
      assert.equal(localise(label, 'de-AT'), 'Wo Sie sich aufhalten');
      assert.equal(localise(label, 'fr'), 'Where you are');
      assert.equal(localise(label), 'Where you are');
    });

    it('expands dpv: and pd: to their W3C namespaces, and nothing else', () => {
      assert.equal(expandTerm('dpv:Consent'), 'https://w3id.org/dpv#Consent');
      assert.equal(expandTerm('pd:Location'), 'https://w3id.org/dpv/pd#Location');
      assert.equal(expandTerm('schema:Person'), undefined);
    });
  });

  describe('refusals', () => {
    for (const [what, change, code, message] of BAD) {
      it(`refuses ${what} (${code})`, () => {
        const error = refusal(change);
        assert.equal(error.code, code);
        assert.match(error.message, message);
      });
    }
  });

  it('accepts a rulebook without a consent section: versions adopted before 1.1.0 stay readable', () => {
    const document = shippedDocument();
    delete document.consent;
    document.version = '1.0.0';
    const older = parseRulebook(document, 'rulebook 1.0.0');
    assert.equal(older.consent, undefined);
  });
});
