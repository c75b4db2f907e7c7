import {
  databaseErrors,
  errors,
  type Json,
  jsonBody,
  object,
  ok,
  type Paths,
  pathParameter,
  string,
  writeErrors,
} from './common.js';

/**
 * OpenID4VCI 1.0 (docs/oid4vci.md): the admitted applicant's credential offer on the management
 * API, and the issuer's two metadata documents. Its protocol endpoints under /oid4vci/ are
 * described by that metadata, not here.
 */
const open: Json = { type: 'object' };

export const oid4vciSchemas: Record<string, Json> = {
  CredentialOfferPresentation: object(
    {
      credentialOffer: object({
        credential_issuer: string,
        credential_configuration_ids: { type: 'array', items: string, minItems: 1 },
        grants: open,
      }),
      credentialOfferUri: { type: 'string', format: 'uri' },
      links: object({
        byReference: { type: 'string', pattern: '^openid-credential-offer://' },
        byValue: { type: 'string', pattern: '^openid-credential-offer://' },
      }),
      qrCodeSvg: { type: 'string', pattern: '^<svg' },
      txCode: { type: 'string', pattern: '^[0-9]+$' },
      expiresAt: { type: 'string', format: 'date-time' },
    },
    ['txCode'],
  ),
  CredentialIssuerMetadata: object(
    {
      credential_issuer: { type: 'string', format: 'uri' },
      authorization_servers: { type: 'array', items: { type: 'string', format: 'uri' } },
      credential_endpoint: { type: 'string', format: 'uri' },
      nonce_endpoint: { type: 'string', format: 'uri' },
      notification_endpoint: { type: 'string', format: 'uri' },
      batch_credential_issuance: object({ batch_size: { type: 'integer', minimum: 2 } }),
      display: { type: 'array', items: open },
      credential_configurations_supported: { type: 'object', additionalProperties: open },
    },
    ['authorization_servers', 'display'],
  ),
  AuthorizationServerMetadata: object(
    {
      issuer: { type: 'string', format: 'uri' },
      token_endpoint: { type: 'string', format: 'uri' },
      grant_types_supported: { type: 'array', items: string },
      'pre-authorized_grant_anonymous_access_supported': { type: 'boolean' },
      token_endpoint_auth_methods_supported: { type: 'array', items: string },
      response_types_supported: { type: 'array', items: string },
    },
    ['token_endpoint_auth_methods_supported', 'response_types_supported'],
  ),
};

export const oid4vciPaths: Paths = {
  '/api/v1/membership/applications/{id}/credential-offer': {
    post: {
      operationId: 'offerMembershipCredential',
      tags: ['membership'],
      summary:
        'An OpenID4VCI credential offer of the MembershipCredential for the admitted applicant, proving control of its DID: links, QR code and the transaction code to type into the wallet.',
      parameters: [pathParameter('id', 'The id.')],
      requestBody: jsonBody(
        object({
          presentation: { type: 'string', minLength: 1, description: 'A presentation by the applicant DID.' },
        }),
      ),
      responses: {
        201: ok('The offer.', { $ref: '#/components/schemas/CredentialOfferPresentation' }),
        429: errors[429],
        ...writeErrors,
        403: errors[403],
        404: errors[404],
        409: errors[409],
        422: errors[422],
      },
    },
  },
  '/.well-known/openid-credential-issuer': {
    get: {
      operationId: 'getCredentialIssuerMetadata',
      tags: ['oid4vci'],
      summary: 'Credential issuer metadata (OpenID4VCI 1.0 §12.2).',
      responses: {
        200: ok('The metadata.', { $ref: '#/components/schemas/CredentialIssuerMetadata' }),
        ...databaseErrors,
      },
    },
  },
  '/.well-known/oauth-authorization-server': {
    get: {
      operationId: 'getAuthorizationServerMetadata',
      tags: ['oid4vci'],
      summary: 'Metadata of the issuer as authorization server of the pre-authorized code grant (RFC 8414).',
      responses: {
        200: ok('The metadata.', { $ref: '#/components/schemas/AuthorizationServerMetadata' }),
        ...databaseErrors,
      },
    },
  },
};
