/**
 * What the operator does through the CLI, each as an audit entry (actor `operator`), so that
 * no operator action leaves no trace. Where the action is a database change of its own
 * (issuance, status changes), the entry is written in the same transaction; where it is not
 * (OpenID Connect clients, keys), right after it succeeds.
 *
 * Entries carry no personal data: credential ids and types, client ids, key ids. The subject
 * DID of an issued credential is recorded only for board-decided types (organisations and
 * board members, public in the registry anyway), never for other types, which may name a person.
 */
import { keyRotationEvent } from '../audit/index.js';
import type { IssuedCredential, IssueRequest } from '../credentials/issue/issuer.js';
import { serviceSigner } from '../credentials/sign.js';
import { inTransaction } from '../db/index.js';
import { BOARD_DECIDED_CREDENTIAL_TYPES } from '../governance/board-decided.js';
import { GovernanceError } from '../governance/errors.js';
import type { ClientInput, RegisteredClient } from '../oidc/clients.js';
import type { Service } from '../service.js';

const OPERATOR = 'operator';

/**
 * `credentials issue`. A board-decided type is refused with `board_decision_required` unless
 * `forceOutsideBoard`, and then recorded with `forcedOutsideBoard: true`.
 */
export async function issueAsOperator(
  service: Service,
  request: IssueRequest,
  options: { readonly forceOutsideBoard?: boolean } = {},
): Promise<IssuedCredential> {
  const boardDecided = BOARD_DECIDED_CREDENTIAL_TYPES.includes(request.type);
  if (boardDecided && !options.forceOutsideBoard) {
    throw new GovernanceError(
      403,
      'board_decision_required',
      `a ${request.type} is issued by a board decision (a motion), not by the operator; ` +
        'to issue one outside the board anyway, pass --force-outside-board (recorded in the audit log as forced)',
    );
  }
  return inTransaction(service.dataSource, undefined, async (manager) => {
    const issued = await service.credentials.issuer.issue(request, manager);
    if (!issued.replayed) {
      await service.audit.append(
        {
          kind: 'operator.credential.issued',
          actor: OPERATOR,
          subject: issued.id,
          data: {
            credentialId: issued.id,
            type: issued.type,
            format: issued.format,
            forcedOutsideBoard: boardDecided,
            ...(boardDecided ? { subjectDid: issued.subject } : {}),
          },
        },
        manager,
      );
    }
    return issued;
  });
}

/** `credentials revoke|suspend|reinstate`: the status change and its entry, in one transaction. */
export async function changeStatusAsOperator(
  service: Service,
  change: 'revoke' | 'suspend' | 'reinstate',
  credentialId: string,
): Promise<void> {
  const kind = { revoke: 'revoked', suspend: 'suspended', reinstate: 'reinstated' }[change];
  await inTransaction(service.dataSource, undefined, async (manager) => {
    await service.credentials.status[change](credentialId, manager);
    await service.audit.append(
      { kind: `operator.credential.${kind}`, actor: OPERATOR, subject: credentialId, data: { credentialId } },
      manager,
    );
  });
}

/** `clients add`: the client's id, scopes and authentication method (never its secret). */
export async function addClientAsOperator(service: Service, input: ClientInput): Promise<RegisteredClient> {
  const client = await service.oidc.clients.add(input);
  await service.audit.append({
    kind: 'operator.client.added',
    actor: OPERATOR,
    subject: client.client_id,
    data: {
      clientId: client.client_id,
      redirectUris: [...client.redirect_uris],
      scope: client.scope,
      authentication: client.token_endpoint_auth_method,
    },
  });
  return client;
}

/** `clients remove`. */
export async function removeClientAsOperator(service: Service, clientId: string): Promise<void> {
  await service.oidc.clients.remove(clientId);
  await service.audit.append({
    kind: 'operator.client.removed',
    actor: OPERATOR,
    subject: clientId,
    data: { clientId },
  });
}

/**
 * Records `keys rotate`: the new and superseded key ids and a key-history statement signed by
 * the new key, which keeps checkpoints signed by the superseded keys verifiable after their
 * retirement (see src/audit/keyring.ts).
 */
export async function recordKeyRotation(
  service: Service,
  rotation: { readonly added: readonly { id: string }[] },
): Promise<void> {
  const added = new Set(rotation.added.map((key) => key.id));
  const published = await service.identity.publishedKeys();
  const event = await keyRotationEvent(
    serviceSigner(service.identity),
    {
      added: published.filter((key) => added.has(key.id)),
      superseded: published.filter((key) => !added.has(key.id)),
    },
    new Date(),
  );
  await service.audit.append(event);
}

/** Records `keys retire`: the ids of the retired keys. */
export async function recordKeyRetirement(
  service: Service,
  retired: readonly { readonly id: string }[],
): Promise<void> {
  await service.audit.append({
    kind: 'operator.keys.retired',
    actor: OPERATOR,
    subject: service.identity.did,
    data: { retired: retired.map((key) => key.id) },
  });
}
