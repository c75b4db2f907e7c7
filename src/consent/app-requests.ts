/**
 * What the consent register answers about a member app's consent request (RFC 9396
 * `authorization_details` of type `dataspace_consent`, src/oidc/consent-details.ts), and how a
 * natural person's wallet login becomes a citizen here. Used by the composition root's ports,
 * so the register itself stays free of OAuth.
 */

import type { PresentedIdentity } from './citizen.js';
import { ConsentError } from './errors.js';
import type { MemberDirectory } from './ports.js';
import type { ConsentRegister } from './register.js';

/** A member app's request: its member (the client's DID), the notice, optionally its version. */
export interface AppConsentRequest {
  readonly controller: string;
  readonly noticeId: string;
  readonly version?: number;
}

/**
 * Why `controller` may not ask a citizen's consent for this notice now, as a description that
 * starts with its code (`notice_not_found`, `notice_of_another_member`, `controller_not_active`,
 * `notice_version_not_found`, `notice_version_superseded`), or undefined when it may.
 */
export async function appRequestRefusal(
  register: ConsentRegister,
  members: MemberDirectory,
  request: AppConsentRequest,
): Promise<string | undefined> {
  let latest: Awaited<ReturnType<ConsentRegister['notices']['get']>>;
  try {
    latest = await register.notices.get(request.noticeId);
  } catch (error) {
    if (error instanceof ConsentError && error.code === 'notice_not_found')
      return `notice_not_found: no notice ${request.noticeId}`;
    throw error;
  }
  if (latest.controller !== request.controller)
    return `notice_of_another_member: notice ${request.noticeId} is not the client's member's`;
  const member = await members.member(request.controller);
  if (member?.status !== 'active')
    return `controller_not_active: ${request.controller} is not an active member: its notices gather no consent`;
  if (request.version !== undefined && request.version > latest.version)
    return `notice_version_not_found: notice ${request.noticeId} has no version ${request.version}`;
  if (request.version !== undefined && request.version < latest.version) {
    return `notice_version_superseded: version ${request.version} of notice ${request.noticeId} was replaced by version ${latest.version}`;
  }
  return undefined;
}

/** A natural person's login as the OpenID Connect account keeps it (src/oidc/accounts.ts). */
export interface KeptNaturalPerson {
  readonly issuer: string;
  readonly type: string;
  readonly holder: string;
  readonly identifier?: { readonly claim: string; readonly value: string };
}

/**
 * The PresentedIdentity of a kept login, for `ConsentRegister.citizenFromLogin`: a credential
 * document holding only the subject and the identifier claim (all the login kept).
 */
export function presentedIdentityOf(person: KeptNaturalPerson): PresentedIdentity {
  const document: Record<string, unknown> = { credentialSubject: { id: person.holder } };
  if (person.identifier) {
    const path = person.identifier.claim.split('.');
    let node = document;
    for (const [index, key] of path.entries()) {
      if (index === path.length - 1) node[key] = person.identifier.value;
      else {
        const next = node[key];
        node[key] = next !== null && typeof next === 'object' ? next : {};
        node = node[key] as Record<string, unknown>;
      }
    }
  }
  return { issuer: person.issuer, types: [person.type], document, holder: person.holder };
}
