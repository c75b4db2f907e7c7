/**
 * Issuing through the service's issuer (src/credentials/issue):
 *
 * - `jwt_vc_json`: the holder's credential of record signed again, with the same id, validity and
 *   status entry as the one the board's decision issued, so that a suspension, revocation or
 *   removal from the board reaches it: the MembershipCredential under its idempotency key (as
 *   the custom fetch route does), a seat's BoardMemberCredential from its record.
 * - `dc+sd-jwt`: a new SD-JWT VC bound to the wallet's key (`cnf`), valid as long as the
 *   credential of record, whose Token Status List entry follows that credential's status.
 */
import type { EntityManager } from 'typeorm';
import type { IssuanceRow } from '../credentials/entities.js';
import type { CredentialIssuer } from '../credentials/issue/issuer.js';
import type { Binding } from './binding.js';
import type { CredentialConfiguration } from './configurations.js';
import type { IssuableMember, IssuePort } from './credential-endpoint.js';
import { Oid4vciError } from './errors.js';

/** What the issuer needs of a member beyond IssuableMember: its credential of record. */
export interface MemberWithRecord extends IssuableMember {
  readonly record: IssuanceRow | null;
}

export function issuePort(issuer: CredentialIssuer): IssuePort {
  return {
    async issue(
      request: { configuration: CredentialConfiguration; member: IssuableMember; binding: Binding },
      manager: EntityManager,
    ) {
      const { configuration, member, binding } = request;
      const record = (member as MemberWithRecord).record;
      if (!record || member.credentialId === null)
        throw new Oid4vciError(
          'credential_request_denied',
          `the holder has no ${configuration.type} of record`,
        );
      if (record.type !== configuration.type)
        throw new Oid4vciError(
          'credential_request_denied',
          `the credential of record is a ${record.type}, not a ${configuration.type}`,
        );
      const validUntil = record.validUntil ? new Date(record.validUntil) : undefined;
      if (configuration.format === 'jwt_vc_json') {
        // A seat's record has no idempotency key: it is signed again from the record itself.
        const issued = record.idempotencyKey
          ? await issuer.issue(
              {
                type: configuration.type,
                subject: member.subject,
                format: record.format as 'jwt_vc_json',
                validFrom: new Date(record.validFrom),
                ...(validUntil ? { validUntil } : {}),
                idempotencyKey: record.idempotencyKey,
              },
              manager,
            )
          : await issuer.resign(record, member.subject);
        return { id: issued.id, credential: issued.jwt };
      }
      // An SD-JWT VC follows a credential of record that the board's decision issued (a member's).
      if (!record.idempotencyKey)
        throw new Oid4vciError(
          'credential_request_denied',
          `the holder has no ${configuration.type} of record`,
        );
      const issued = await issuer.issue(
        {
          type: configuration.type,
          subject: member.subject,
          format: 'dc+sd-jwt',
          holderKey: binding.holderKey,
          follows: member.credentialId,
          ...(validUntil ? { validUntil } : {}),
        },
        manager,
      );
      return { id: issued.id, credential: issued.jwt };
    },
  };
}
