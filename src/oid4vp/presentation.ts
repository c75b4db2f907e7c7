/**
 * The `direct_post` answer (OpenID4VP 1.0 §8.2) checked in order: the transaction (`state`)
 * exists and waits for a presentation; the `vp_token` is the §8.1 JSON object of presentations
 * per credential query; each presentation passes the whole pipeline with this transaction's
 * nonce and the client identifier the wallet saw as audience (nonce consumed once, holder
 * binding, each credential fully checked); and the verified credentials satisfy the DCQL query.
 */
import type { Credentials } from '../credentials/module.js';
import type { VctRegistry } from '../credentials/sd-jwt/vct.js';
import { parseCompactJws } from '../credentials/verify/compact-jws.js';
import { credentialView, presentationView, tokenKind } from '../credentials/verify/model.js';
import type { PresentationVerificationResult } from '../credentials/verify/result.js';
import { DID_JWK_PREFIX } from '../did/index.js';
import { OAuthError } from '../http/index.js';
import type { DcqlQuery, VerifiedCredential } from './dcql.js';
import { matchQuery } from './dcql.js';
import { PresentationRefused, verificationCode } from './refusal.js';

const MAX_PRESENTATIONS = 10;

/** §8.1: `{ "<credential query id>": ["<presentation>", ...] }`, as JSON text in the form body. */
export function parseVpToken(raw: unknown, query: DcqlQuery): Map<string, string[]> {
  if (typeof raw !== 'string' || raw.length === 0)
    throw new OAuthError(400, 'invalid_request', 'vp_token is missing');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new OAuthError(
      400,
      'invalid_request',
      'vp_token must be a JSON object keyed by credential query id',
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new OAuthError(
      400,
      'invalid_request',
      'vp_token must be a JSON object keyed by credential query id',
    );
  }
  const known = new Set(query.credentials.map((c) => c.id));
  const presentations = new Map<string, string[]>();
  let count = 0;
  for (const [id, value] of Object.entries(parsed)) {
    if (!known.has(id))
      throw new OAuthError(
        400,
        'invalid_request',
        `vp_token answers an unknown credential query ${JSON.stringify(id)}`,
      );
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0 || !list.every((p) => typeof p === 'string')) {
      throw new OAuthError(400, 'invalid_request', `vp_token.${id} must hold presentations as strings`);
    }
    count += list.length;
    presentations.set(id, list as string[]);
  }
  if (count === 0) throw new OAuthError(400, 'invalid_request', 'vp_token holds no presentation');
  if (count > MAX_PRESENTATIONS)
    throw new OAuthError(400, 'invalid_request', `at most ${MAX_PRESENTATIONS} presentations`);
  return presentations;
}

function failureCodes(result: PresentationVerificationResult): string {
  const failedChecks = result.checks.filter((c) => c.result === 'failed').map((c) => `${c.check}: ${c.code}`);
  for (const [index, credential] of result.credentials.entries()) {
    for (const check of credential.checks)
      if (check.result === 'failed') failedChecks.push(`credential ${index} ${check.check}: ${check.code}`);
  }
  return failedChecks.join(', ') || 'not verified';
}

/** The credentials of a presentation the pipeline verified, read from the same bytes. */
function credentialsOf(token: string, result: PresentationVerificationResult): VerifiedCredential[] {
  if (result.format === 'dc+sd-jwt') return sdJwtCredentialsOf(result);
  const jws = parseCompactJws(token);
  const kind = tokenKind(jws.header, jws.payload);
  if (kind !== 'jwt_vp_json' && kind !== 'vp+jwt') return [];
  const view = presentationView(kind, jws.payload);
  const verified: VerifiedCredential[] = [];
  view.credentials.forEach((credential, index) => {
    const outcome = result.credentials[index];
    if (credential === undefined || !outcome?.verified || !outcome.issuer || !outcome.subject) return;
    const parsed = parseCompactJws(credential);
    const credentialKind = tokenKind(parsed.header, parsed.payload);
    if (credentialKind !== 'jwt_vc_json' && credentialKind !== 'vc+jwt') return;
    const document = credentialView(credentialKind, parsed.payload).document;
    const selfIssued = outcome.checks.some((c) => c.check === 'trusted_issuer' && c.code === 'self_issued');
    verified.push({
      issuer: outcome.issuer,
      subject: outcome.subject,
      types: outcome.types ?? [],
      document,
      selfIssued,
    });
  });
  return verified;
}

/**
 * The SD-JWT VC of a verified presentation (its key binding JWT passed: nonce, audience,
 * `sd_hash`, signed by the `cnf` key). Its claims after disclosure are kept apart from the
 * document: a DCQL match reads them, and the login sees only the claims its query asked for.
 */
function sdJwtCredentialsOf(result: PresentationVerificationResult): VerifiedCredential[] {
  const outcome = result.credentials[0];
  if (!outcome?.verified || !outcome.issuer || !outcome.vct || !outcome.claims) return [];
  const subject = outcome.subject ?? holderDidOf(outcome.claims.cnf);
  if (!subject) return [];
  return [
    {
      issuer: outcome.issuer,
      subject,
      types: outcome.types ?? [],
      document: {},
      selfIssued: outcome.checks.some((c) => c.check === 'trusted_issuer' && c.code === 'self_issued'),
      vct: outcome.vct,
      claims: outcome.claims,
    },
  ];
}

/**
 * The holder of an SD-JWT VC that names no `sub` (an EU PID names none): the did:jwk of its
 * `cnf` key, the key whose key binding JWT the pipeline just verified. Only the public members
 * of the key are encoded, so the same key always gives the same DID.
 */
export function holderDidOf(cnf: unknown): string | undefined {
  const jwk = (cnf as { jwk?: unknown } | undefined)?.jwk;
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return undefined;
  const { kty, crv, x, y } = jwk as Record<string, unknown>;
  const members = kty === 'EC' ? { crv, kty, x, y } : kty === 'OKP' ? { crv, kty, x } : undefined;
  if (!members || Object.values(members).some((v) => typeof v !== 'string' || v.length === 0))
    return undefined;
  return `${DID_JWK_PREFIX}${Buffer.from(JSON.stringify(members)).toString('base64url')}`;
}

export interface VerifiedAnswer {
  /** Credential query id → the credential that answers it. */
  readonly matches: Map<string, VerifiedCredential>;
  readonly credentials: readonly VerifiedCredential[];
  /** The DIDs that signed the presentations (one per distinct presentation). */
  readonly holders: readonly string[];
}

/**
 * Verifies every presentation and matches the query; throws PresentationRefused
 * (`access_denied`): its code is the first failed check's (refusal.ts), its description lists
 * every failed check's code.
 */
export async function verifyAnswer(
  credentials: Credentials,
  presentations: Map<string, string[]>,
  expected: {
    nonce: string;
    clientId: string;
    query: DcqlQuery;
    serviceDid: string;
    issuers?: Readonly<Record<string, readonly string[]>>;
    vcts?: VctRegistry;
  },
): Promise<VerifiedAnswer> {
  const distinct = [...new Set([...presentations.values()].flat())];
  const all: VerifiedCredential[] = [];
  const holders: string[] = [];
  for (const [index, token] of distinct.entries()) {
    const result = await credentials.verifyPresentation(token, {
      challenge: expected.nonce,
      domain: expected.clientId,
      // One nonce per transaction; each distinct presentation in it consumes it in its own scope.
      nonceScope: index === 0 ? 'oid4vp' : `oid4vp#${index}`,
    });
    if (!result.verified)
      throw new PresentationRefused(
        verificationCode(result),
        `the presentation did not verify: ${failureCodes(result)}`,
      );
    all.push(...credentialsOf(token, result));
    if (result.holder) holders.push(result.holder);
  }
  const matches = matchQuery(expected.query, all, {
    serviceDid: expected.serviceDid,
    ...(expected.issuers ? { issuers: expected.issuers } : {}),
    ...(expected.vcts ? { vcts: expected.vcts } : {}),
  });
  if (!matches) {
    throw new PresentationRefused(
      'query_not_satisfied',
      'the verified credentials do not satisfy the DCQL query',
    );
  }
  return { matches, credentials: all, holders };
}
