/**
 * The scopes a relying party may ask for, and the credential type each one asks the wallet
 * for. `openid` alone asks for any credential from a trusted issuer identifying the person or
 * organisation (see src/oid4vp/dcql.ts).
 */
export const CREDENTIAL_SCOPES = {
  membership: 'MembershipCredential',
  board: 'BoardMemberCredential',
} as const satisfies Readonly<Record<string, string>>;

export type CredentialScope = keyof typeof CREDENTIAL_SCOPES;

export const SUPPORTED_SCOPES = ['openid', 'offline_access', ...Object.keys(CREDENTIAL_SCOPES)] as const;

export function isCredentialScope(scope: string): scope is CredentialScope {
  return Object.hasOwn(CREDENTIAL_SCOPES, scope);
}
