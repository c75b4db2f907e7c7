/**
 * The DCQL query of a membership application (OpenID4VP 1.0 §6), built from the rulebook's
 * evidence rules for the roles chosen: one `jwt_vc_json` credential query per evidence type,
 * with every claim any rule requires of it.
 */
import { strict as assert } from 'node:assert';
import { evidenceQueryId, queryForEvidence } from '../../src/oid4vp/index.js';

describe('OpenID4VP §6: the DCQL query of a membership application', () => {
  it('asks once per evidence type, for the union of the claims its rules require', () => {
    const query = queryForEvidence([
      { credentialType: 'LegalPersonCredential', requiredClaims: ['credentialSubject.legalName'] },
      {
        credentialType: 'LegalPersonCredential',
        requiredClaims: ['credentialSubject.legalName', 'credentialSubject.registrationNumber'],
      },
      { credentialType: 'ISO27001Certificate', requiredClaims: [] },
    ]);
    assert.deepEqual(query, {
      credentials: [
        {
          id: 'evidence-legalpersoncredential',
          format: 'jwt_vc_json',
          meta: { type_values: [['LegalPersonCredential']] },
          claims: [
            { path: ['credentialSubject', 'legalName'] },
            { path: ['credentialSubject', 'registrationNumber'] },
          ],
        },
        {
          id: 'evidence-iso27001certificate',
          format: 'jwt_vc_json',
          meta: { type_values: [['ISO27001Certificate']] },
        },
      ],
    });
  });

  it('names each credential query with characters DCQL allows', () => {
    assert.equal(evidenceQueryId('Some:Type/V1'), 'evidence-some_type_v1');
  });
});
