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
  /**
   * Whether a wallet may ask for it with the authorization code grant (its `scope`), which
   * proves membership: the MembershipCredential's configurations. Others come by offer only.
   */
  readonly byAuthorizationCode: boolean;
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
  BoardMemberCredential: [
    {
      name: 'Seat on the data space board',
      locale: 'en',
      description: 'A seat on the governance board of the data space, given by the operator or by the board',
    },
    {
      name: 'Sitz im Vorstand des Datenraums',
      locale: 'de',
      description: 'Ein Sitz im Vorstand des Datenraums, vergeben vom Betreiber oder vom Vorstand',
    },
  ],
} as const;

/** The claims shown of each type, with their English and German names. */
const CLAIM_DISPLAY: Record<string, Record<string, readonly [string, string]>> = {
  MembershipCredential: {
    legalName: ['Legal name', 'Rechtlicher Name'],
    roles: ['Roles', 'Rollen'],
    sides: ['Sides', 'Seiten'],
    memberSince: ['Member since', 'Mitglied seit'],
    rulebookVersion: ['Rulebook version', 'Version des Regelwerks'],
  },
  BoardMemberCredential: {
    name: ['Name', 'Name'],
    seat: ['Seat', 'Sitz'],
    since: ['On the board since', 'Im Vorstand seit'],
  },
};

/**
 * The configuration for the BoardMemberCredential: `jwt_vc_json` only, the credential the
 * board's login asks for (its subject is the seat holder's DID, so only a key of that DID can
 * receive it: src/oid4vci/binding.ts). Offered by pre-authorized code to an active seat.
 */
export function boardConfigurations(): CredentialConfiguration[] {
  return [
    {
      id: 'BoardMemberCredential_jwt_vc_json',
      type: 'BoardMemberCredential',
      format: 'jwt_vc_json',
      byAuthorizationCode: false,
    },
  ];
}

/** The configurations for the MembershipCredential; `vct` adds the SD-JWT VC one. */
export function membershipConfigurations(vct: string | undefined): CredentialConfiguration[] {
  const type = 'MembershipCredential';
  return [
    { id: `${type}_jwt_vc_json`, type, format: 'jwt_vc_json', byAuthorizationCode: true },
    ...(vct
      ? [{ id: `${type}_dc+sd-jwt`, type, format: 'dc+sd-jwt' as const, vct, byAuthorizationCode: true }]
      : []),
  ];
}

function claims(type: string, path: (name: string) => string[]) {
  return Object.entries(CLAIM_DISPLAY[type] ?? {}).map(([name, [en, de]]) => ({
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
    ...(configuration.byAuthorizationCode ? { scope: configuration.id } : {}),
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
      credential_metadata: { display, claims: claims(configuration.type, (name) => [name]) },
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
      claims: claims(configuration.type, (name) => ['credentialSubject', name]),
    },
  };
}
