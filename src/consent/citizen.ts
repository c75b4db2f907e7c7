/**
 * Who the citizen is, from their wallet login: the rulebook's consent.naturalPersons names the
 * credential type natural persons log in with (a PersonIdentificationCredential from a trust
 * anchor) and, optionally, the claim holding their stable identifier at its issuer.
 *
 * The citizen's key is `pid:["<issuer DID>","<identifier>"]` when the rulebook names an
 * identifier claim, so the citizen stays the same person with a new wallet; otherwise it is
 * `did:<wallet DID>`. The key itself is never stored: only keyed hashes of it (pairwise.ts).
 */
import type { NaturalPersonLogin } from '../rulebook/index.js';
import { isDid } from '../trust/index.js';
import { ConsentError } from './errors.js';
import type { Citizen } from './pairwise.js';

/** The natural-person credential of a verified wallet login. */
export interface PresentedIdentity {
  /** Its issuer, which the verification pipeline found trusted for the type. */
  readonly issuer: string;
  readonly types: readonly string[];
  /** The credential in data-model form (`credentialSubject`, ...). */
  readonly document: Readonly<Record<string, unknown>>;
  /** The DID that presented it (the holder the pipeline bound to the credential's subject). */
  readonly holder: string;
}

const MAX_IDENTIFIER = 100;

/** The value at a dotted path of own properties, or undefined. */
function valueAt(document: unknown, path: readonly string[]): unknown {
  let current = document;
  for (const key of path) {
    if (
      current === null ||
      typeof current !== 'object' ||
      Array.isArray(current) ||
      !Object.hasOwn(current, key)
    ) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * The Citizen of a verified login. Throws ConsentError `invalid_request` when the credential is
 * not the rulebook's natural-person credential: another type, an issuer outside the rulebook's
 * list, a subject other than the holder, or no identifier where the rulebook names one.
 */
export function citizenFromLogin(login: NaturalPersonLogin, presented: PresentedIdentity): Citizen {
  const refuse = (detail: string): never => {
    throw new ConsentError('invalid_request', detail);
  };
  if (!presented.types.includes(login.credentialType))
    refuse(`the login did not present a ${login.credentialType}`);
  if (typeof login.issuers !== 'string' && !login.issuers.includes(presented.issuer)) {
    refuse(`the rulebook does not accept ${login.credentialType} from ${presented.issuer}`);
  }
  if (!isDid(presented.holder)) refuse('the holder is not a DID');
  const subject = valueAt(presented.document, ['credentialSubject', 'id']);
  if (subject !== presented.holder) refuse('the credential is not about the wallet that presented it');
  if (login.identifierClaim === undefined)
    return { key: `did:${presented.holder}`, wallet: presented.holder };
  const identifier = valueAt(presented.document, login.identifierClaim.split('.'));
  if (typeof identifier !== 'string' || identifier.length === 0 || identifier.length > MAX_IDENTIFIER) {
    refuse(`the credential carries no ${login.identifierClaim}`);
  }
  return { key: `pid:${JSON.stringify([presented.issuer, identifier])}`, wallet: presented.holder };
}
