/**
 * Ports the composition root implements over one capability for another that may not import
 * it: the member registry and the rulebook as the OpenID Connect provider (members' connectors
 * as clients) and the connector-token middleware read them; members' status changes as events.
 */
import type { AgreementEvents, AgreementRegister } from './agreements/index.js';
import type { ConsentEvents, MemberDirectory } from './consent/index.js';
import type { Events } from './events/index.js';
import type { ConnectorMembers } from './http/index.js';
import { MemberEntity, type MemberRow } from './membership/entities.js';
import { announceMemberChange } from './membership/member-cache.js';
import type { MemberAgreements, MemberEvents } from './membership/ports.js';
import type { MemberClientPort } from './oidc/index.js';

/** Members' connectors as OAuth clients: the registry status and the rulebook's DID methods. */
/** Member rows by DID: the per-replica cache kept current by announcements (membership/member-cache.ts). */
export interface MemberRows {
  find(did: string): Promise<MemberRow | undefined>;
}

export function memberClientPort(
  members: MemberRows,
  rules: { allowsDidMethod(did: string, who: 'members' | 'board'): Promise<boolean> },
): MemberClientPort {
  return {
    status: async (did) => (await members.find(did))?.status,
    allowsDidMethod: (did) => rules.allowsDidMethod(did, 'members'),
  };
}

/**
 * The member registry as the connector-token middleware reads it on every request: from the
 * announced cache on PostgreSQL, one primary-key read on SQLite.
 */
export function connectorMembers(members: MemberRows): ConnectorMembers {
  return {
    async find(did) {
      const row = await members.find(did);
      return row && { status: row.status, roles: JSON.parse(row.roles) as string[], name: row.legalName };
    },
  };
}

/**
 * Members' status changes as events for every member, in the change's transaction. A member
 * that left (revoked, withdrawn) has its subscriptions ended in the same transaction, after
 * this last event was fanned out to them.
 */
export function memberEventsPort(events: Events, forget: (did: string) => void = () => {}): MemberEvents {
  return {
    async statusChanged(change, manager) {
      // Every replica's member cache drops this row when the change commits; this replica's
      // now as well, so that it does not serve the old status until the announcement is back.
      await announceMemberChange(manager, change.did);
      forget(change.did);
      await events.outbox.append(manager, {
        type: `member.${change.change}`,
        subject: change.did,
        audience: 'members',
        data: { member: change.did, ...(change.motion ? { motion: change.motion } : {}) },
      });
      if (change.change === 'revoked' || change.change === 'withdrawn')
        await events.subscriptions.endAllOf(change.did, manager);
    },
  };
}

/**
 * The member registry as the consent register reads it: inside one of its transactions through
 * that transaction (consent is never given to a controller suspended meanwhile), otherwise from
 * the announced cache like the connector middleware.
 */
export function consentMembers(members: MemberRows): MemberDirectory {
  return {
    async member(did, manager) {
      const row = manager
        ? await manager.getRepository(MemberEntity).findOneBy({ did })
        : await members.find(did);
      return row
        ? {
            did: row.did,
            legalName: row.legalName,
            status: row.status,
            roles: JSON.parse(row.roles) as string[],
          }
        : undefined;
    },
  };
}

/** The consent register's events, appended to the outbox in the transaction of the consent's change. */
export function consentEventsPort(events: Events): ConsentEvents {
  return {
    async emit(manager, event) {
      await events.outbox.append(manager, event);
    },
  };
}

/** The agreement register's events, appended to the outbox in the transaction of the agreement's change. */
export function agreementEventsPort(events: Events): AgreementEvents {
  return {
    async emit(manager, event) {
      await events.outbox.append(manager, event);
    },
    async emitMany(manager, list) {
      await events.outbox.appendMany(manager, list);
    },
  };
}

/**
 * Members' status changes reach their agreements in the decision's transaction. Governance is
 * opened before the register (whose routes need the provider's connector tokens): the register
 * is looked up at the change, and a change before it is open fails closed.
 */
export function memberAgreementsPort(register: () => AgreementRegister | undefined): MemberAgreements {
  return {
    partyStatusChanged(change, manager) {
      const opened = register();
      if (!opened) throw new Error('the agreement register is not open yet');
      return opened.partyStatusChanged(change, manager);
    },
  };
}
