import { migrations as veramoMigrations } from '@veramo/data-store';
import { IdentityKeys1795000000001 } from './1795000000001-identity-keys.js';
import { StatusLists1795000000010 } from './1795000000010-status-lists.js';
import { IssuanceAndNonces1795000000020 } from './1795000000020-issuance-and-nonces.js';
import { RulebookVersions1795000000030 } from './1795000000030-rulebook-versions.js';
import { Governance1795000000040 } from './1795000000040-governance.js';
import { AuditLog1795000000050 } from './1795000000050-audit-log.js';
import { OidcAndWalletLogin1795000000062 } from './1795000000062-oidc-and-wallet-login.js';
import { MemberRegistryIndexes1795000000100 } from './1795000000100-member-registry-indexes.js';
import { OidcRegistryLogins1795000000110 } from './1795000000110-oidc-registry-logins.js';
import { IdentityTokenKeys1795000000111 } from './1795000000111-identity-token-keys.js';
import { RateLimits1795000000120 } from './1795000000120-rate-limits.js';
import { EventOutbox1795000000200 } from './1795000000200-event-outbox.js';
import { Consent1795000000220 } from './1795000000220-consent.js';
import { CitizenLogins1795000000240 } from './1795000000240-citizen-logins.js';
import { MemberRedirectUris1795000000241 } from './1795000000241-member-redirect-uris.js';
import { PortalSessions1795000000250 } from './1795000000250-portal-sessions.js';
import { Agreements1795000000300 } from './1795000000300-agreements.js';
import { TokenStatusFollows1795000000400 } from './1795000000400-token-status-follows.js';
import { AuditSubjectIndex1795000000500 } from './1795000000500-audit-subject-index.js';
import { SigningTransactionData1795000000510 } from './1795000000510-oid4vp-transaction-data.js';
import { VoteTransactionData1795000000511 } from './1795000000511-vote-transaction-data.js';
import { OpenIdCredentialIssuance1795000000600 } from './1795000000600-oid4vci.js';
import { OpenIdCredentialAuthorizationCode1795000000710 } from './1795000000710-oid4vci-authorization-code.js';
import { AuditHeadBatchAppend1795000000730 } from './1795000000730-audit-head-batch-append.js';
import { AgreementCheckKeys1795000000731 } from './1795000000731-agreement-check-keys.js';
import { OpenIdCredentialTokenHolderBinding1795000000760 } from './1795000000760-oid4vci-token-holder-binding.js';
import { PresentationRefusal1795000000770 } from './1795000000770-oid4vp-transaction-refusal.js';
import { MotionOpeningTransactionData1795000000780 } from './1795000000780-motion-opening-transaction-data.js';
import { OpenIdCredentialTokenDpopBinding1795000000820 } from './1795000000820-oid4vci-token-dpop-binding.js';
import { OpenIdCredentialPushedRequests1795000000821 } from './1795000000821-oid4vci-pushed-requests.js';
import { OpenIdCredentialAuthorizationDpopKey1795000000822 } from './1795000000822-oid4vci-authorization-dpop-jkt.js';

/**
 * Every schema change, in the order it is applied. Append only: never edit or reorder a
 * migration that has shipped. Each has a pinned `name` so minification cannot rename it.
 *
 * The first four are Veramo's key and DID store (used inside `src/identity` only).
 */
export const MIGRATIONS = [
  ...veramoMigrations,
  IdentityKeys1795000000001,
  StatusLists1795000000010,
  IssuanceAndNonces1795000000020,
  RulebookVersions1795000000030,
  Governance1795000000040,
  AuditLog1795000000050,
  OidcAndWalletLogin1795000000062,
  MemberRegistryIndexes1795000000100,
  OidcRegistryLogins1795000000110,
  IdentityTokenKeys1795000000111,
  RateLimits1795000000120,
  EventOutbox1795000000200,
  Consent1795000000220,
  CitizenLogins1795000000240,
  MemberRedirectUris1795000000241,
  PortalSessions1795000000250,
  Agreements1795000000300,
  TokenStatusFollows1795000000400,
  AuditSubjectIndex1795000000500,
  SigningTransactionData1795000000510,
  VoteTransactionData1795000000511,
  OpenIdCredentialIssuance1795000000600,
  OpenIdCredentialAuthorizationCode1795000000710,
  AuditHeadBatchAppend1795000000730,
  AgreementCheckKeys1795000000731,
  OpenIdCredentialTokenHolderBinding1795000000760,
  PresentationRefusal1795000000770,
  MotionOpeningTransactionData1795000000780,
  OpenIdCredentialTokenDpopBinding1795000000820,
  OpenIdCredentialPushedRequests1795000000821,
  OpenIdCredentialAuthorizationDpopKey1795000000822,
] as const;
