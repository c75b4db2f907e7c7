/**
 * Builds the JWT payload of a credential in either format. Pure: the same inputs give the
 * same payload, which is what makes idempotent re-issuance possible without storing claims.
 */
import { VCDM1_CONTEXT, VCDM2_CONTEXT } from '../verify/model.js';
import type { CredentialFormat } from '../verify/result.js';

export interface CredentialContent {
  readonly id: string;
  readonly type: string;
  readonly issuer: string;
  readonly subject: Readonly<Record<string, unknown>> & { readonly id: string };
  readonly validFrom: Date;
  readonly validUntil: Date | undefined;
  readonly schemaUrl: string;
  /** Contexts after the data model's base context (the data space's own, defining its terms). */
  readonly contexts: readonly string[];
  readonly statusEntries: readonly Readonly<Record<string, unknown>>[];
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function credentialPayload(
  format: CredentialFormat,
  content: CredentialContent,
): Record<string, unknown> {
  const jwtClaims = {
    iss: content.issuer,
    sub: content.subject.id,
    iat: seconds(content.validFrom),
    ...(content.validUntil ? { exp: seconds(content.validUntil) } : {}),
  };
  const schema = { id: content.schemaUrl, type: 'JsonSchema' };
  const status = content.statusEntries.length > 0 ? { credentialStatus: content.statusEntries } : {};
  if (format === 'vc+jwt') {
    // VC-JOSE-COSE §3.1.1: validity is `validFrom`/`validUntil` (`nbf` is not recommended) and
    // the identifier is `id`; no `jti`, which no VCDM 2.0 context defines (a JSON-LD processor
    // in safe mode refuses an undefined term).
    return {
      '@context': [VCDM2_CONTEXT, ...content.contexts],
      id: content.id,
      type: ['VerifiableCredential', content.type],
      issuer: content.issuer,
      validFrom: isoSeconds(content.validFrom),
      ...(content.validUntil ? { validUntil: isoSeconds(content.validUntil) } : {}),
      credentialSubject: content.subject,
      credentialSchema: schema,
      ...status,
      ...jwtClaims,
    };
  }
  // VCDM 1.1 §6.3.1: `nbf` carries issuanceDate in a JWT credential.
  return {
    ...jwtClaims,
    jti: content.id,
    nbf: seconds(content.validFrom),
    vc: {
      '@context': [VCDM1_CONTEXT, ...content.contexts],
      type: ['VerifiableCredential', content.type],
      issuanceDate: isoSeconds(content.validFrom),
      ...(content.validUntil ? { expirationDate: isoSeconds(content.validUntil) } : {}),
      credentialSubject: content.subject,
      credentialSchema: schema,
      ...status,
    },
  };
}

/** The credential in data-model form, as schemas and the verifier see it. */
export function credentialDocument(
  format: CredentialFormat,
  payload: Record<string, unknown>,
): Record<string, unknown> {
  if (format === 'vc+jwt') return payload;
  const vc = payload.vc as Record<string, unknown>;
  return { ...vc, id: payload.jti, issuer: payload.iss };
}
