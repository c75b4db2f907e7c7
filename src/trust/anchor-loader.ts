import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { isDid } from './did-syntax.js';
import { TrustAnchorError } from './errors.js';
import { httpsIssuerProblem, isHttpsIssuerId } from './https-issuer.js';
import type { ClaimConstraint, TrustAnchor } from './types.js';

/** The file in a trust-anchors directory that is the format's schema, not an anchor. */
export const TRUST_ANCHOR_SCHEMA_FILE = 'trust-anchor.schema.json';

/**
 * The schema shipped with the package (trust-anchors/ beside src/ and dist/), so that a
 * TRUST_ANCHORS_DIR of the operator's own is validated against the same format.
 */
const SHIPPED_SCHEMA = new URL(`../../trust-anchors/${TRUST_ANCHOR_SCHEMA_FILE}`, import.meta.url);

/** A file names exactly one of `did` and `issuer` (the schema's oneOf). */
interface AnchorFile {
  did?: string;
  issuer?: string;
  name: string;
  credentialTypes: string[];
  claims?: ClaimConstraint[];
  validFrom?: string;
  validUntil?: string;
  description?: string;
  homepage?: string;
  developmentOnly?: boolean;
}

export interface LoadTrustAnchorsOptions {
  /**
   * PUBLIC_URL is on loopback (development mode): anchors marked `developmentOnly` are loaded.
   * Otherwise they are left out, so that a development issuer whose key is published can never
   * be trusted by a service reachable from elsewhere.
   */
  readonly developmentMode?: boolean;
  /** Told each development-only anchor file that was left out. */
  readonly onSkipped?: (file: string) => void;
}

let compiled: ValidateFunction<AnchorFile> | undefined;

function anchorValidator(): ValidateFunction<AnchorFile> {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true });
  addFormatsModule.default(ajv, ['date-time', 'uri']);
  ajv.addFormat('did', isDid);
  // Only the shape here; readAnchor says exactly what is wrong, with the mode's loopback rule.
  ajv.addFormat('https-issuer', isHttpsIssuerId);
  compiled = ajv.compile<AnchorFile>(JSON.parse(readFileSync(SHIPPED_SCHEMA, 'utf8')));
  return compiled;
}

/**
 * Reads and validates every `*.json` file of `dir` (except the format's schema file; README
 * and other files are ignored), in file-name order. Anchors marked `developmentOnly` are
 * validated like the others but returned only in development mode (see LoadTrustAnchorsOptions). Any bad file stops the start with a
 * TrustAnchorError naming the file and the problem: unreadable, not JSON, not of the format
 * (trust-anchors/trust-anchor.schema.json), a DID that is not DID syntax, an https `issuer` that
 * breaks the address rules (https-issuer.ts: http, userinfo, query, fragment, path tricks, an IP
 * or loopback host outside development, a spelling other than the canonical one), validUntil not after
 * validFrom, a claim constraint for a type the anchor does not list, or a DID or issuer that
 * another file already declares.
 */
export function loadTrustAnchors(dir: string, options: LoadTrustAnchorsOptions = {}): TrustAnchor[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json') && name !== TRUST_ANCHOR_SCHEMA_FILE);
  } catch (error) {
    throw new TrustAnchorError(
      'trust_anchors_unreadable',
      `cannot read the trust-anchors directory ${dir}: ${(error as Error).message}`,
    );
  }
  const anchors: TrustAnchor[] = [];
  const fileOfDid = new Map<string, string>();
  for (const name of names.sort()) {
    const file = join(dir, name);
    if (!statSync(file).isFile()) continue;
    const { anchor, developmentOnly } = readAnchor(file, options.developmentMode === true);
    if (developmentOnly && options.developmentMode !== true) {
      options.onSkipped?.(file);
      continue;
    }
    const earlier = fileOfDid.get(anchor.did);
    if (earlier) {
      throw new TrustAnchorError(
        'trust_anchor_duplicate_did',
        `${isHttpsIssuerId(anchor.did) ? 'issuer' : 'did'} ${anchor.did} is already declared in ${earlier}`,
        file,
      );
    }
    fileOfDid.set(anchor.did, file);
    anchors.push(anchor);
  }
  return anchors;
}

function readAnchor(
  file: string,
  developmentMode: boolean,
): { anchor: TrustAnchor; developmentOnly: boolean } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TrustAnchorError(
      'trust_anchor_invalid_json',
      `not valid JSON: ${(error as Error).message}`,
      file,
    );
  }
  const validate = anchorValidator();
  if (!validate(data)) {
    // An anyOf or oneOf reports each failed branch as well; its own error says it all.
    const errors = (validate.errors ?? []).filter(
      (error) => !error.schemaPath.includes('/anyOf/') && !error.schemaPath.startsWith('#/oneOf/'),
    );
    const problems = errors.map(describe).join('; ');
    throw new TrustAnchorError('trust_anchor_invalid', problems, file);
  }
  // The schema's oneOf guarantees exactly one of the two.
  const identifier = (data.did ?? data.issuer) as string;
  if (data.issuer !== undefined) {
    const problem = httpsIssuerProblem(data.issuer, developmentMode);
    if (problem !== undefined) {
      throw new TrustAnchorError(
        'trust_anchor_invalid',
        `/issuer ${JSON.stringify(data.issuer)} ${problem}`,
        file,
      );
    }
  }
  const validity = {
    ...(data.validFrom ? { from: new Date(data.validFrom) } : {}),
    ...(data.validUntil ? { until: new Date(data.validUntil) } : {}),
  };
  if (validity.from && validity.until && validity.until <= validity.from) {
    throw new TrustAnchorError(
      'trust_anchor_invalid',
      `validUntil ${data.validUntil} is not after validFrom ${data.validFrom}`,
      file,
    );
  }
  const claims = data.claims ?? [];
  for (const [index, claim] of claims.entries()) {
    const unknown = (claim.credentialTypes ?? []).filter((type) => !data.credentialTypes.includes(type));
    if (unknown.length > 0) {
      throw new TrustAnchorError(
        'trust_anchor_invalid',
        `/claims/${index}/credentialTypes names ${unknown.join(', ')}, which the anchor's credentialTypes do not list`,
        file,
      );
    }
  }
  const anchor = Object.freeze({
    did: identifier,
    name: data.name,
    credentialTypes: Object.freeze([...data.credentialTypes]),
    claims: Object.freeze(claims.map((claim) => Object.freeze({ ...claim }))),
    validity: Object.freeze(validity),
    source: 'anchor' as const,
    file,
    ...(data.description ? { description: data.description } : {}),
    ...(data.homepage ? { homepage: data.homepage } : {}),
  });
  return { anchor, developmentOnly: data.developmentOnly === true };
}

/** One schema error as a sentence that names the field, e.g. `/credentialTypes must NOT have fewer than 1 items`. */
function describe(error: ErrorObject): string {
  const at = error.instancePath ? `${error.instancePath} ` : '';
  if (error.keyword === 'required') {
    return `${at}missing required property ${(error.params as { missingProperty: string }).missingProperty}`;
  }
  if (error.keyword === 'additionalProperties') {
    return `${at}has unknown property ${(error.params as { additionalProperty: string }).additionalProperty}`;
  }
  const where = error.instancePath || '(document)';
  if (error.keyword === 'format' && (error.params as { format: string }).format === 'did') {
    return `${where} ${JSON.stringify(error.data)} is not a syntactically valid DID (DID Core §3.1)`;
  }
  if (error.keyword === 'format' && (error.params as { format: string }).format === 'https-issuer') {
    return `${where} ${JSON.stringify(error.data)} is not an https URL (an issuer that is a DID goes in did)`;
  }
  if (error.keyword === 'oneOf') return 'must name exactly one of did and issuer';
  if (error.keyword === 'not' && error.instancePath.includes('credentialTypes')) {
    return `${where} must not be VerifiableCredential (the base type is implied)`;
  }
  if (error.keyword === 'anyOf') return `${where} must be a string, a number or a boolean`;
  if (error.keyword === 'pattern' && (error.params as { pattern: string }).pattern === '\\S') {
    return `${where} must not be blank`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}
