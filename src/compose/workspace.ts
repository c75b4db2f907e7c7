/**
 * The board's workspace in the portal, composed over governance, the OpenID provider's accounts
 * and the wallet login's signing requests (issue 14 item 3). The portal holds no rule: who sits
 * on the board and which rule applies are read here from the capabilities that own them.
 */

import type { AuditLog } from '../audit/index.js';
import type { ServiceIdentity } from '../identity/index.js';
import type { Oid4vp } from '../oid4vp/index.js';
import { queryForScopes } from '../oid4vp/index.js';
import type { Oidc } from '../oidc/index.js';
import type { WorkspaceSources } from '../portal/board/workspace-routes.js';
import { PortalError } from '../portal/errors.js';
import type { RulebookCapability } from '../rulebook/index.js';
import type { Governance } from './governance.js';

export function boardWorkspace(deps: {
  readonly identity: ServiceIdentity;
  readonly oidc: Oidc;
  readonly oid4vp: Oid4vp;
  readonly governance: Governance;
  readonly rulebook: RulebookCapability;
  readonly audit: AuditLog;
}): WorkspaceSources & { readonly boardMemberOf: (accountId: string) => Promise<string> } {
  return {
    engine: deps.governance.engine,
    applications: deps.governance.applications,
    audit: deps.audit,
    board: deps.governance.board,
    members: deps.governance.members,
    signing: deps.oid4vp.signing,
    async rule(version, kind) {
      const adopted = await deps.rulebook.store.get(version);
      if (!adopted) throw new Error(`rulebook ${version} is not adopted`);
      return adopted.rulebook.rule(kind as Parameters<typeof adopted.rulebook.rule>[0]);
    },
    async boardQuery() {
      const { rulebook } = await deps.rulebook.store.current();
      return queryForScopes(['openid', 'board'], rulebook);
    },
    // A board login's account is keyed by the BoardMemberCredential the service issued: its
    // subject is the board member's DID, which must hold an active seat now.
    async boardMemberOf(accountId) {
      const account = await deps.oidc.accounts.find(accountId);
      const seat = account
        ? (await deps.governance.board.list()).find(
            (member) => member.did === account.subject && member.status === 'active',
          )
        : undefined;
      if (!account || account.issuer !== deps.identity.did || !seat)
        throw new PortalError('not_on_board', 'this login holds no seat on the board');
      return seat.did;
    },
  };
}
