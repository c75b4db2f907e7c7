/**
 * bench/verify/sd-jwt: SD-JWT VC presentations (key binding JWT, 10 disclosures) verified per
 * second on one core, in one run, for EdDSA and ES256:
 *   (a) the raw cost of its two signature checks (issuer JWT and KB-JWT) with node:crypto,
 *   (b) our full presentation pipeline (format, signature, validity, challenge, domain,
 *       credentials with every credential check, holder_binding; the issuer's did:jwk resolved
 *       locally; no status claim, so no list is read),
 *   (c) `@sd-jwt/sd-jwt-vc`'s own `verify` with the same node:crypto verifiers and the nonce.
 * Targets: (b) ≥ 40% of (a) and ≥ 5× (c).
 *
 * The challenge store accepts every nonce here (a real one spends it once, which would make
 * the loop measure refusals); that is one Map lookup less than production.
 *
 *   npm run bench:sd-jwt            (BENCH_SECONDS=2 per round by default)
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { createSchemaRegistry, loadCredentialSchemas } from '../../src/credentials/schemas/index.js';
import { loadVctRegistry } from '../../src/credentials/sd-jwt/vct.js';
import { didKeyLookup, registrySchemas, registryTrust } from '../../src/credentials/verify/adapters.js';
import { StatusLookupError } from '../../src/credentials/verify/ports.js';
import { verifyPresentation } from '../../src/credentials/verify/verify-presentation.js';
import { createDidResolver } from '../../src/did/index.js';
import { createTrustRegistry } from '../../src/trust/index.js';
import { fmt, opsPerSecond } from '../support/measure.js';

const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const PUBLIC_URL = 'https://trust.example';
const VERIFIER = 'https://verifier.example';
const NONCE = 'bench-nonce-0123456789';

type Alg = 'EdDSA' | 'ES256';

function keyPair(alg: Alg) {
  const { privateKey, publicKey } =
    alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  return { privateKey, publicKey, jwk: y === undefined ? { kty, crv, x } : { kty, crv, x, y } };
}

const sigOf = (alg: Alg, key: KeyObject, data: string) =>
  (alg === 'EdDSA'
    ? sign(null, Buffer.from(data), key)
    : sign('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' })
  ).toString('base64url');
const verifies = (alg: Alg, key: KeyObject, data: string | Buffer, signature: Buffer) =>
  alg === 'EdDSA'
    ? verify(null, Buffer.from(data), key, signature)
    : verify('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, signature);

console.log(
  `bench/verify/sd-jwt: one core, ${durationMs / 1000} s rounds, median of 3, Node ${process.version}`,
);
console.log('presentation: MembershipCredential SD-JWT VC, 10 disclosures, key binding JWT\n');
const rows: string[] = [];
for (const alg of ['EdDSA', 'ES256'] as const) {
  const issuerKeys = keyPair(alg);
  const holderKeys = keyPair(alg);
  const did = `did:jwk:${Buffer.from(JSON.stringify(issuerKeys.jwk)).toString('base64url')}`;
  const library = new SDJwtVcInstance({
    signer: (data) => sigOf(alg, issuerKeys.privateKey, data),
    signAlg: alg,
    verifier: (data, signature) =>
      verifies(alg, issuerKeys.publicKey, data, Buffer.from(signature, 'base64url')),
    kbSigner: (data) => sigOf(alg, holderKeys.privateKey, data),
    kbSignAlg: alg,
    kbVerifier: (data, signature) =>
      verifies(alg, holderKeys.publicKey, data, Buffer.from(signature, 'base64url')),
    hasher: (data) =>
      createHash('sha256')
        .update(typeof data === 'string' ? data : Buffer.from(data))
        .digest(),
    hashAlg: 'sha-256',
    saltGenerator: (length) => randomBytes(length).toString('base64url'),
  });
  const claims = {
    legalName: 'City of Example',
    roles: ['public-authority'],
    sides: ['supply'],
    memberSince: '2026-01-01T00:00:00Z',
    rulebookVersion: '1.0.0',
    street: 'Main Street 1',
    postalCode: '10115',
    locality: 'Example City',
    country: 'DE',
    website: 'https://city.example',
  };
  const now = Math.floor(Date.now() / 1000);
  const credential = await library.issue(
    {
      iss: did,
      iat: now - 60,
      vct: `${PUBLIC_URL}/vct/membership`,
      sub: 'did:web:city.example',
      cnf: { jwk: holderKeys.jwk },
      ...claims,
    },
    { _sd: Object.keys(claims) as never },
    { header: { kid: `${did}#0` } },
  );
  const frame = Object.fromEntries(Object.keys(claims).map((name) => [name, true]));
  const presentation = await library.present(credential, frame, {
    kb: { payload: { iat: now, aud: VERIFIER, nonce: NONCE } },
  });
  if (presentation.split('~').length !== 12) throw new Error('expected 10 disclosures and a KB-JWT');

  const deps = {
    keys: didKeyLookup(createDidResolver({ developmentMode: true })),
    trust: registryTrust(
      createTrustRegistry({
        anchors: [
          {
            did,
            name: 'bench issuer',
            credentialTypes: ['MembershipCredential'],
            claims: [],
            validity: {},
            source: 'anchor',
            file: 'bench',
          },
        ],
        serviceDid: 'did:web:trust.example',
        serviceTypes: ['MembershipCredential'],
      }),
    ),
    schemas: registrySchemas(createSchemaRegistry(loadCredentialSchemas('credential-schemas'))),
    statuses: {
      isSet: async () => {
        throw new StatusLookupError('status_unavailable', 'none');
      },
    },
    nonces: { consume: async () => true },
    now: () => new Date(),
    sdJwt: {
      vcts: loadVctRegistry('credential-schemas', PUBLIC_URL),
      tokenStatuses: {
        status: async () => {
          throw new StatusLookupError('status_unavailable', 'none');
        },
      },
    },
  };
  const expected = { challenge: NONCE, domain: VERIFIER };
  const check = await verifyPresentation(presentation, expected, deps);
  if (!check.verified) throw new Error(`not verified: ${JSON.stringify(check.checks)}`);
  await library.verify(presentation, { keyBindingNonce: NONCE });

  // (a) the two signatures, keys imported once.
  const parts = presentation.split('~');
  const issuerJws = parts[0] as string;
  const kbJws = parts.at(-1) as string;
  const split = (jws: string) => {
    const dot = jws.lastIndexOf('.');
    return { input: Buffer.from(jws.slice(0, dot)), signature: Buffer.from(jws.slice(dot + 1), 'base64url') };
  };
  const issuerSig = split(issuerJws);
  const kbSig = split(kbJws);
  const issuerPublic = createPublicKey({ key: issuerKeys.jwk, format: 'jwk' });
  const holderPublic = createPublicKey({ key: holderKeys.jwk, format: 'jwk' });
  const raw = await opsPerSecond(
    () =>
      verifies(alg, issuerPublic, issuerSig.input, issuerSig.signature) &&
      verifies(alg, holderPublic, kbSig.input, kbSig.signature),
    { durationMs },
  );
  const ours = await opsPerSecond(() => verifyPresentation(presentation, expected, deps), { durationMs });
  const theirs = await opsPerSecond(() => library.verify(presentation, { keyBindingNonce: NONCE }), {
    durationMs,
  });
  rows.push(
    `| ${alg} | ${fmt(raw)} | ${fmt(ours)} | ${fmt(theirs)} | ${(ours / raw).toFixed(2)} (≥ 0.40) | ${(ours / theirs).toFixed(1)}× (≥ 5×) |`,
  );
}
console.log(
  '| alg | (a) node:crypto, 2 signatures /s | (b) ours /s | (c) @sd-jwt/sd-jwt-vc /s | b/a | b/c |',
);
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
