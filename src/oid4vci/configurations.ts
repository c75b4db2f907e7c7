/**
 * The credential configurations this issuer offers (OpenID4VCI 1.0 §12.2.4, Appendix A): the
 * MembershipCredential as `jwt_vc_json` (VCDM 1.1 JWT, the data space's own format: the
 * member's credential of record, with its id and its status entry) and, when the credential
 * schemas define its SD-JWT VC type, as `dc+sd-jwt` (with its `vct`, bound to the wallet's key
 * and following the status of the credential of record). Not `vc+jwt`: a second W3C credential
 * of the member would have a status entry of its own that a suspension does not flip.
 * Display names in English and German.
 */
export type IssuedFormat = 'jwt_vc_json' | 'dc+sd-jwt';

export interface CredentialConfiguration {
  readonly id: string;
  /** The data-space credential type. */
  readonly type: string;
  readonly format: IssuedFormat;
  /** `dc+sd-jwt` only. */
  readonly vct?: string;
}

/** The signature algorithms of key proofs and of the credentials (the service's allow-list). */
export const PROOF_SIGNING_ALGORITHMS = ['ES256', 'EdDSA'] as const;

/** How many key proofs one credential request may carry (`batch_credential_issuance.batch_size`). */
export const BATCH_SIZE = 10;

const DISPLAY = {
  MembershipCredential: [
    {
      name: 'Data space membership',
      locale: 'en',
      description: 'Membership of the data space, issued by its governance authority',
    },
    {
      name: 'Mitgliedschaft im Datenraum',
      locale: 'de',
      description: 'Mitgliedschaft im Datenraum, ausgestellt von seiner Governance-Stelle',
    },
  ],
} as const;

const CLAIM_DISPLAY: Record<string, readonly [string, string]> = {
  legalName: ['Legal name', 'Rechtlicher Name'],
  roles: ['Roles', 'Rollen'],
  sides: ['Sides', 'Seiten'],
  memberSince: ['Member since', 'Mitglied seit'],
  rulebookVersion: ['Rulebook version', 'Version des Regelwerks'],
};

/** The configurations for the MembershipCredential; `vct` adds the SD-JWT VC one. */
export function membershipConfigurations(vct: string | undefined): CredentialConfiguration[] {
  const type = 'MembershipCredential';
  return [
    { id: `${type}_jwt_vc_json`, type, format: 'jwt_vc_json' },
    ...(vct ? [{ id: `${type}_dc+sd-jwt`, type, format: 'dc+sd-jwt' as const, vct }] : []),
  ];
}

function claims(path: (name: string) => string[]) {
  return Object.entries(CLAIM_DISPLAY).map(([name, [en, de]]) => ({
    path: path(name),
    display: [
      { name: en, locale: 'en' },
      { name: de, locale: 'de' },
    ],
  }));
}

/** One entry of `credential_configurations_supported` (§12.2.4). */
export function configurationMetadata(configuration: CredentialConfiguration): Record<string, unknown> {
  const display = DISPLAY[configuration.type as keyof typeof DISPLAY] ?? [
    { name: configuration.type, locale: 'en' },
  ];
  const common = {
    format: configuration.format,
    scope: configuration.id,
    credential_signing_alg_values_supported: [...PROOF_SIGNING_ALGORITHMS],
    proof_types_supported: {
      jwt: { proof_signing_alg_values_supported: [...PROOF_SIGNING_ALGORITHMS] },
    },
  };
  if (configuration.format === 'dc+sd-jwt') {
    return {
      ...common,
      // SD-JWT VC binds to a public key in `cnf` (Appendix A.3).
      cryptographic_binding_methods_supported: ['jwk'],
      vct: configuration.vct,
      credential_metadata: { display, claims: claims((name) => [name]) },
    };
  }
  return {
    ...common,
    // A W3C credential names its holder in `credentialSubject.id`: the member's DID (Appendix A.1).
    cryptographic_binding_methods_supported: ['did:key', 'did:jwk', 'did:web'],
    credential_definition: {
      type: ['VerifiableCredential', configuration.type],
    },
    credential_metadata: {
      display,
      claims: claims((name) => ['credentialSubject', name]),
    },
  };
}
