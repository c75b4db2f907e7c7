import { DID_JWK_PREFIX, DID_KEY_PREFIX, DID_WEB_PREFIX } from '../did/index.js';
import { CONSENT_LEGAL_BASES, EXPLICIT_CONSENT } from './consent-vocabulary.js';
import type { ConsentTerm, RulebookDocument } from './types.js';

/** The DID methods this service resolves; a rulebook may allow no other. */
export const RESOLVABLE_DID_METHODS: readonly string[] = [DID_WEB_PREFIX, DID_KEY_PREFIX, DID_JWK_PREFIX].map(
  (prefix) => prefix.slice(0, -1),
);

/**
 * The types only the service itself issues (credentials' SERVICE_CREDENTIAL_TYPES; a test
 * keeps the two equal). Repeated here rather than imported so that the rulebook, which the
 * credentials capability may come to read, does not depend on it.
 */
export const SERVICE_ISSUED_TYPES: readonly string[] = [
  'MembershipCredential',
  'BoardMemberCredential',
  'ConsentReceiptCredential',
  'DataSharingAgreementCredential',
];

/** Claims the OpenID provider sets itself (OIDC Core §2, RFC 7519 §4.1, RFC 7800); a mapping may not supply them. */
const RESERVED_ID_TOKEN_CLAIMS = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'cnf',
  'sub_jwk',
]);

/**
 * The rules of a schema-valid rulebook that JSON Schema cannot express. Returns one sentence
 * per problem, each starting with the JSON Pointer it concerns; empty when consistent.
 */
export function consistencyProblems(rulebook: RulebookDocument): string[] {
  return [
    ...roleProblems(rulebook),
    ...issuanceProblems(rulebook),
    ...membershipProblems(rulebook),
    ...didMethodProblems(rulebook),
    ...claimMappingProblems(rulebook),
    ...consentProblems(rulebook),
  ];
}

function roleProblems({ roles }: RulebookDocument): string[] {
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  for (const [index, role] of roles.entries()) {
    const earlier = firstIndex.get(role.id);
    if (earlier !== undefined) {
      problems.push(
        `/roles/${index}/id "${role.id}" is already the id of /roles/${earlier}: role ids must be unique`,
      );
    } else {
      firstIndex.set(role.id, index);
    }
    const seen = new Map<string, number>();
    for (const [at, requirement] of role.evidence.entries()) {
      const issuers =
        typeof requirement.issuers === 'string' ? requirement.issuers : [...requirement.issuers].sort();
      const key = JSON.stringify([requirement.credentialType, issuers]);
      const before = seen.get(key);
      if (before !== undefined) {
        problems.push(
          `/roles/${index}/evidence/${at} repeats the ${requirement.credentialType} requirement of /roles/${index}/evidence/${before} (same issuers): merge their requiredClaims`,
        );
      }
      seen.set(key, at);
      if (typeof requirement.issuers === 'string') continue;
      for (const [i, did] of requirement.issuers.entries()) {
        const method = did.slice(0, did.indexOf(':', 4));
        if (!RESOLVABLE_DID_METHODS.includes(method)) {
          problems.push(
            `/roles/${index}/evidence/${at}/issuers/${i} uses ${method}, which this service cannot resolve (${RESOLVABLE_DID_METHODS.join(', ')})`,
          );
        }
      }
    }
  }
  return problems;
}

function issuanceProblems({ roles, memberIssuance }: RulebookDocument): string[] {
  const problems: string[] = [];
  const roleIds = new Set(roles.map((role) => role.id));
  const evidenceTypes = new Set(roles.flatMap((role) => role.evidence.map((e) => e.credentialType)));
  for (const [role, types] of Object.entries(memberIssuance)) {
    if (!roleIds.has(role)) problems.push(`/memberIssuance/${role} names no role of /roles`);
    for (const type of types) {
      if (SERVICE_ISSUED_TYPES.includes(type)) {
        problems.push(`/memberIssuance/${role} lists ${type}, which only the service issues`);
      } else if (evidenceTypes.has(type)) {
        problems.push(
          `/memberIssuance/${role} lists ${type}, which applicants present as admission evidence: members may not issue it`,
        );
      }
    }
  }
  return problems;
}

function membershipProblems({ membership }: RulebookDocument): string[] {
  if (membership.renewalWindowDays < membership.credentialValidityDays) return [];
  return [
    `/membership/renewalWindowDays (${membership.renewalWindowDays}) must be less than credentialValidityDays (${membership.credentialValidityDays})`,
  ];
}

function didMethodProblems({ didMethods }: RulebookDocument): string[] {
  return Object.entries(didMethods).flatMap(([holder, methods]) =>
    methods
      .filter((method) => !RESOLVABLE_DID_METHODS.includes(method))
      .map(
        (method) =>
          `/didMethods/${holder} lists ${method}, which this service cannot resolve (${RESOLVABLE_DID_METHODS.join(', ')})`,
      ),
  );
}

function claimMappingProblems({ claimMapping }: RulebookDocument): string[] {
  return Object.keys(claimMapping)
    .filter((claim) => RESERVED_ID_TOKEN_CLAIMS.has(claim))
    .map((claim) => `/claimMapping/${claim} is a claim the OpenID provider sets itself and cannot be mapped`);
}

/**
 * The consent section: publisher roles exist; each vocabulary list has unique ids with the
 * right prefix (purposes dpv:, data categories pd:, legal bases one of the DPV consent types);
 * a special category is only usable when explicit consent is a legal basis; the natural-person
 * login names a type the service does not issue itself, resolvable issuer DIDs, and an
 * identifier claim among its required claims.
 */
function consentProblems({ roles, consent }: RulebookDocument): string[] {
  if (!consent) return [];
  const problems: string[] = [];
  const roleIds = new Set(roles.map((role) => role.id));
  for (const [index, role] of consent.noticePublishers.entries()) {
    if (!roleIds.has(role))
      problems.push(`/consent/noticePublishers/${index} "${role}" names no role of /roles`);
  }
  const list = (name: string, terms: readonly ConsentTerm[], allowed: (id: string) => string | undefined) => {
    const first = new Map<string, number>();
    for (const [index, term] of terms.entries()) {
      const earlier = first.get(term.id);
      if (earlier !== undefined) {
        problems.push(`/consent/${name}/${index}/id "${term.id}" repeats /consent/${name}/${earlier}`);
      } else {
        first.set(term.id, index);
      }
      const why = allowed(term.id);
      if (why) problems.push(`/consent/${name}/${index}/id "${term.id}" ${why}`);
    }
  };
  list('purposes', consent.purposes, (id) =>
    id.startsWith('dpv:') ? undefined : 'must be a DPV purpose (dpv:)',
  );
  list('dataCategories', consent.dataCategories, (id) =>
    id.startsWith('pd:') ? undefined : 'must be a DPV personal-data category (pd:)',
  );
  list('legalBases', consent.legalBases, (id) =>
    CONSENT_LEGAL_BASES.includes(id)
      ? undefined
      : `must be one of the DPV consent types ${CONSENT_LEGAL_BASES.join(', ')}`,
  );
  const special = consent.dataCategories.findIndex((term) => term.specialCategory === true);
  if (special >= 0 && !consent.legalBases.some((term) => term.id === EXPLICIT_CONSENT)) {
    problems.push(
      `/consent/dataCategories/${special} is a special category, which needs ${EXPLICIT_CONSENT} among /consent/legalBases`,
    );
  }
  const login = consent.naturalPersons;
  if (SERVICE_ISSUED_TYPES.includes(login.credentialType)) {
    problems.push(
      `/consent/naturalPersons/credentialType ${login.credentialType} is issued by the service to members, not to natural persons`,
    );
  }
  if (typeof login.issuers !== 'string') {
    for (const [i, did] of login.issuers.entries()) {
      const method = did.slice(0, did.indexOf(':', 4));
      if (!RESOLVABLE_DID_METHODS.includes(method)) {
        problems.push(
          `/consent/naturalPersons/issuers/${i} uses ${method}, which this service cannot resolve (${RESOLVABLE_DID_METHODS.join(', ')})`,
        );
      }
    }
  }
  if (login.identifierClaim !== undefined && !login.requiredClaims.includes(login.identifierClaim)) {
    problems.push(
      `/consent/naturalPersons/identifierClaim ${login.identifierClaim} must be one of its requiredClaims`,
    );
  }
  return problems;
}
