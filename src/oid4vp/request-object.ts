/**
 * The request object (OpenID4VP 1.0 §5, JAR RFC 9101): a JWT signed by the service DID, with
 * `typ: oauth-authz-req+jwt` and the client identifier prefix `decentralized_identifier:`
 * (§5.9.3: the wallet verifies the signature with a key of that DID's document).
 *
 * No `iss` claim: §5 makes it redundant with `client_id` and says a wallet MUST ignore it. It
 * is left out rather than set to the bare DID, so no wallet has anything to compare: the
 * prefixed client id there made `@openid4vc/openid4vp` (Credo) refuse the login, because it
 * checks an `iss` against the DID of `kid`.
 */
import { SignJWT } from 'jose';
import type { ServiceIdentity } from '../identity/index.js';
import type { DcqlQuery } from './dcql.js';

export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';
export const CLIENT_ID_PREFIX = 'decentralized_identifier:';
export const REQUEST_OBJECT_LIFETIME_SECONDS = 300;

export function verifierClientId(serviceDid: string): string {
  return `${CLIENT_ID_PREFIX}${serviceDid}`;
}

export interface RequestObjectInput {
  readonly clientId: string;
  readonly responseUri: string;
  readonly nonce: string;
  readonly state: string;
  readonly query: DcqlQuery;
  /** OpenID4VP §5.1 `transaction_data`: base64url item strings, sent only when there are some. */
  readonly transactionData?: readonly string[];
  readonly now: Date;
}

export async function signRequestObject(
  identity: ServiceIdentity,
  input: RequestObjectInput,
): Promise<string> {
  const key = await identity.signingKey('EdDSA');
  const iat = Math.floor(input.now.getTime() / 1000);
  return new SignJWT({
    client_id: input.clientId,
    response_type: 'vp_token',
    response_mode: 'direct_post',
    response_uri: input.responseUri,
    nonce: input.nonce,
    state: input.state,
    dcql_query: input.query as unknown as Record<string, unknown>,
    ...(input.transactionData && input.transactionData.length > 0
      ? { transaction_data: [...input.transactionData] }
      : {}),
    client_metadata: { vp_formats_supported: { jwt_vc_json: { alg_values: ['EdDSA', 'ES256'] } } },
  })
    .setProtectedHeader({ alg: key.algorithm, typ: REQUEST_OBJECT_TYP, kid: key.kid })
    .setAudience('https://self-issued.me/v2')
    .setIssuedAt(iat)
    .setExpirationTime(iat + REQUEST_OBJECT_LIFETIME_SECONDS)
    .sign(key.privateKey);
}
