/**
 * Privacy by design (issue 11 item 4; docs/consent.md): pairwise identifiers, the citizen index
 * and sealed receipts, all keyed by HKDF-derived keys of the key-encryption secret; and a
 * deployment whose rulebook has no consent section yet (before 1.1.0).
 */
import { strict as assert } from 'node:assert';
import { stringify } from 'yaml';
import { ConsentRegister } from '../../src/consent/index.js';
import { consentKeys } from '../../src/consent/pairwise.js';
import { verifyStatement } from '../../src/governance/signed-statement.js';
import { consentEventsPort, consentMembers } from '../../src/service-ports.js';
import { shippedDocument } from '../rulebook/helpers.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService, TEST_SECRET } from '../support/service.js';
import { directoryWith } from '../support/temp-dir.js';
import { parkingNotice, refusedWith } from './support.js';

const OTHER_SECRET = 'a1'.repeat(32);
const CITY = 'did:web:city.example';
const UTILITY = 'did:web:utility.example';
const KEY = 'pid:["did:jwk:abc","DEV-1"]';

describe('pairwise identifiers, citizen index, sealed receipts (src/consent/pairwise.ts)', () => {
  const keys = consentKeys(TEST_SECRET);

  it('gives a controller the same 43-character pseudonym for a citizen every time', () => {
    assert.equal(keys.pairwiseId(CITY, KEY), keys.pairwiseId(CITY, KEY));
    assert.match(keys.pairwiseId(CITY, KEY), /^[A-Za-z0-9_-]{43}$/);
  });

  it('gives each controller another pseudonym, and each citizen another', () => {
    assert.notEqual(keys.pairwiseId(CITY, KEY), keys.pairwiseId(UTILITY, KEY));
    assert.notEqual(keys.pairwiseId(CITY, KEY), keys.pairwiseId(CITY, 'pid:["did:jwk:abc","DEV-2"]'));
  });

  it('cannot be recomputed without the key-encryption secret (another secret, other pseudonyms)', () => {
    const other = consentKeys(OTHER_SECRET);
    assert.notEqual(other.pairwiseId(CITY, KEY), keys.pairwiseId(CITY, KEY));
    assert.notEqual(other.citizenHash(KEY), keys.citizenHash(KEY));
  });

  it('keeps the citizen index apart from the pseudonyms (different derived keys)', () => {
    assert.notEqual(
      keys.citizenHash(KEY),
      Buffer.from(keys.pairwiseId(CITY, KEY), 'base64url').toString('hex'),
    );
    assert.match(keys.citizenHash(KEY), /^[0-9a-f]{64}$/);
  });

  it('does not let a controller DID absorb part of the citizen key (a separator that cannot occur in a DID)', () => {
    assert.notEqual(keys.pairwiseId('did:web:a', 'b'), keys.pairwiseId('did:web:', 'ab'));
  });

  it('seals a receipt so that it opens only for its consent and only unaltered', () => {
    const sealed = keys.seal('eyJ.receipt.jwt', 'consent-1');
    assert.equal(keys.open(sealed, 'consent-1'), 'eyJ.receipt.jwt');
    assert.ok(!sealed.includes('receipt'));
    assert.notEqual(keys.seal('eyJ.receipt.jwt', 'consent-1'), sealed, 'a fresh IV each time');
    assert.throws(() => keys.open(sealed, 'consent-2'));
    const [iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body as string, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    assert.throws(() => keys.open(`${iv}.${tag}.${flipped.toString('base64url')}`, 'consent-1'));
    assert.throws(() => consentKeys(OTHER_SECRET).open(sealed, 'consent-1'));
  });

  it('refuses a secret that is not 64 hex characters', () => {
    assert.throws(() => consentKeys('abc'), RangeError);
  });
});

describeEachDatabase('a rulebook in force without a consent section (versions before 1.1.0)', (fresh) => {
  it('refuses notices with consent_not_enabled until the board adopts a version with one', async () => {
    const document = shippedDocument();
    delete document.consent;
    document.version = '1.0.0';
    const { dir, remove } = directoryWith({ 'rulebook.yaml': stringify(document) });
    const service = await openTestService(await fresh(), { RULEBOOK_DIR: dir });
    try {
      const register = new ConsentRegister({
        dataSource: service.dataSource,
        rulebook: service.rulebook.store,
        issuer: service.credentials.issuer,
        status: service.credentials.status,
        keys: consentKeys(TEST_SECRET),
        members: consentMembers({ find: (did) => service.governance.members.find(did) }),
        verifyStatement: (token) =>
          verifyStatement(token, {
            keys: service.credentials.deps.keys,
            audience: service.identity.did,
            now: new Date(),
          }),
        events: consentEventsPort(service.events),
        audit: service.audit,
        serviceDid: service.identity.did,
        publicUrl: service.config.publicUrl,
        withdrawalUrl: `${service.config.publicUrl}/consents`,
        now: () => new Date(),
      });
      await refusedWith(register.notices.publishByConnector(CITY, parkingNotice()), 'consent_not_enabled');
      await refusedWith(register.vocabulary(), 'consent_not_enabled');
      const error = await register.vocabulary().catch((e) => e);
      assert.equal(error.status, 409);
    } finally {
      await service.close();
      remove();
    }
  });
});
