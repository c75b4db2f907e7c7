/**
 * Ports the composition root implements over one capability for another that may not import
 * it: the member registry and the rulebook as the OpenID Connect provider (members' connectors
 * as clients) and the connector-token middleware read them.
 */
import type { Governance } from './governance/module.js';
import type { ConnectorMembers } from './http/index.js';
import type { MemberClientPort } from './oidc/index.js';

/** Members' connectors as OAuth clients: the registry status and the rulebook's DID methods. */
export function memberClientPort(
  governance: Governance,
  rules: { allowsDidMethod(did: string, who: 'members' | 'board'): Promise<boolean> },
): MemberClientPort {
  return {
    status: async (did) => (await governance.members.find(did))?.status,
    allowsDidMethod: (did) => rules.allowsDidMethod(did, 'members'),
  };
}

/** The member registry as the connector-token middleware reads it: one primary-key read. */
export function connectorMembers(governance: Governance): ConnectorMembers {
  return {
    async find(did) {
      const row = await governance.members.find(did);
      return row && { status: row.status, roles: JSON.parse(row.roles) as string[], name: row.legalName };
    },
  };
}
