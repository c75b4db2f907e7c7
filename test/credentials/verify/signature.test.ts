import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { importJWK, type JWK, jwtVerify } from 'jose';
import { verifyCredential } from '../../../src/credentials/verify/verify-credential.js';
import { closedPort, didDocument, type LocalWebHost, startLocalWebHost } from './local-web.js';
import {
  ALGORITHMS,
  type Algorithm,
  assertFails,
  assertVerified,
  base64urlJson,
  credentialBy,
  credentialPayload,
  didJwkSigner,
  didKeySigner,
  FORMATS,
  generateTestKey,
  highS,
  LEGAL_PERSON,
  legalPerson,
  NOW,
  offlineDeps,
  signatureOf,
  signedBy,
  signJws,
  type TestSigner,
  TYP,
} from './support.js';

const NO_STATUS = { status: 'no_status' };

describe('signature: VC-JOSE-COSE §3 and RFC 7515 §5.2, keys only from the issuer DID document', () => {
  let host: LocalWebHost;
  const subject = didJwkSigner('EdDSA');
  const webIssuers = new Map<Algorithm, TestSigner>();
  const jwkIssuers = new Map(ALGORITHMS.map((alg) => [alg, didJwkSigner(alg)] as const));
  const keyIssuers = new Map(ALGORITHMS.map((alg) => [alg, didKeySigner(alg)] as const));
  const attacker = didJwkSigner('EdDSA');
  /** A did:web whose only key is under `authentication`. */
  let authenticationOnly: TestSigner;
  let deps: ReturnType<typeof offlineDeps>;

  before(async () => {
    host = await startLocalWebHost();
    for (const alg of ALGORITHMS) {
      const did = host.did('issuers', alg.toLowerCase());
      const key = generateTestKey(alg);
      host.serve(
        `/issuers/${alg.toLowerCase()}/did.json`,
        didDocument(did, key, ['assertionMethod', 'authentication']),
      );
      webIssuers.set(alg, { did, kid: `${did}#key-1`, key });
    }
    const loginDid = host.did('login-only');
    const loginKey = generateTestKey('EdDSA');
    host.serve('/login-only/did.json', didDocument(loginDid, loginKey, ['authentication']));
    authenticationOnly = { did: loginDid, kid: `${loginDid}#key-1`, key: loginKey };
    const issuers = [
      ...webIssuers.values(),
      ...jwkIssuers.values(),
      ...keyIssuers.values(),
      authenticationOnly,
    ];
    deps = offlineDeps({ anchors: issuers.map((i) => ({ did: i.did, credentialTypes: [LEGAL_PERSON] })) });
  });
  after(() => host.close());

  const verify = (token: string) => verifyCredential(token, deps);
  const trusted = () => jwkIssuers.get('EdDSA') as TestSigner;
  const claims = () => ({ subject: legalPerson(subject.did) });

  describe('credentials from did:jwk, did:key and did:web issuers verify, in both formats and both algorithms', () => {
    for (const method of ['did:jwk', 'did:key', 'did:web'] as const) {
      for (const alg of ALGORITHMS) {
        for (const format of FORMATS) {
          it(`${method} ${alg} ${format}`, async () => {
            const issuer = (
              method === 'did:jwk' ? jwkIssuers : method === 'did:key' ? keyIssuers : webIssuers
            ).get(alg);
            assert.ok(issuer);
            const result = await verify(credentialBy(issuer, format, claims()));
            assertVerified(result, NO_STATUS);
            assert.equal(result.issuer, issuer.did);
            assert.equal(result.subject, subject.did);
            assert.equal(result.format, format);
          });
        }
      }
    }

    it('accepts a relative kid (#fragment) and no kid when the document has one assertion key', async () => {
      const issuer = trusted();
      assertVerified(await verify(credentialBy(issuer, 'vc+jwt', claims(), { kid: '#0' })), NO_STATUS);
      assertVerified(await verify(credentialBy(issuer, 'vc+jwt', claims(), { kid: undefined })), NO_STATUS);
    });
  });

  describe('RFC 8725 §3.1/§3.2: algorithms are an allow-list (EdDSA, ES256)', () => {
    it('refuses alg "none" with an empty signature before any key is looked up (format: malformed)', async () => {
      const payload = credentialPayload('jwt_vc_json', { issuer: trusted().did, ...claims() });
      assertFails(
        await verify(`${base64urlJson({ alg: 'none', typ: 'JWT' })}.${base64urlJson(payload)}.`),
        'format',
        'malformed',
      );
    });

    it('refuses alg "none" whatever signature bytes follow (unsupported_algorithm)', async () => {
      const payload = credentialPayload('jwt_vc_json', { issuer: trusted().did, ...claims() });
      const token = `${base64urlJson({ alg: 'none', typ: 'JWT' })}.${base64urlJson(payload)}.AAAA`;
      assertFails(await verify(token), 'signature', 'unsupported_algorithm');
    });

    for (const alg of ALGORITHMS) {
      it(`refuses HS256 keyed with the ${alg} issuer's public key bytes (unsupported_algorithm)`, async () => {
        const issuer = jwkIssuers.get(alg) as TestSigner;
        const keyBytes = [
          Buffer.from(issuer.key.publicJwk.x as string, 'base64url'),
          issuer.key.publicKey.export({ format: 'der', type: 'spki' }),
          Buffer.from(JSON.stringify(issuer.key.publicJwk)),
        ];
        for (const secret of keyBytes) {
          const input = `${base64urlJson({ alg: 'HS256', typ: 'JWT', kid: issuer.kid })}.${base64urlJson(
            credentialPayload('jwt_vc_json', { issuer: issuer.did, ...claims() }),
          )}`;
          const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
          assertFails(await verify(token), 'signature', 'unsupported_algorithm');
        }
      });
    }

    it('refuses algorithms outside the list even when well known (RS256, ES384, ES256K, Ed25519)', async () => {
      for (const alg of ['RS256', 'ES384', 'ES256K', 'Ed25519', 'eddsa']) {
        const token = credentialBy(trusted(), 'vc+jwt', claims(), { alg });
        assertFails(await verify(token), 'signature', 'unsupported_algorithm');
      }
    });

    it('refuses an allowed algorithm that is not the algorithm of the key (ES256 header, Ed25519 key)', async () => {
      const issuer = trusted();
      const input = `${base64urlJson({ alg: 'ES256', typ: 'vc+jwt', kid: issuer.kid })}.${base64urlJson(
        credentialPayload('vc+jwt', { issuer: issuer.did, ...claims() }),
      )}`;
      const token = `${input}.${signatureOf(issuer.key, input).toString('base64url')}`;
      assertFails(await verify(token), 'signature', 'unsupported_algorithm');
    });
  });

  describe('the key comes from the issuer DID document, never from the token', () => {
    it('ignores an embedded jwk header with the attacker key (invalid_signature)', async () => {
      const payload = credentialPayload('vc+jwt', { issuer: trusted().did, ...claims() });
      const withoutKid = signJws(
        { alg: 'EdDSA', typ: 'vc+jwt', jwk: attacker.key.publicJwk },
        payload,
        attacker.key,
      );
      assertFails(await verify(withoutKid), 'signature', 'invalid_signature');
      const withKid = signJws(
        { alg: 'EdDSA', typ: 'vc+jwt', kid: trusted().kid, jwk: attacker.key.publicJwk },
        payload,
        attacker.key,
      );
      assertFails(await verify(withKid), 'signature', 'invalid_signature');
    });

    it('ignores jku, x5u and x5c headers (invalid_signature)', async () => {
      const payload = credentialPayload('vc+jwt', { issuer: trusted().did, ...claims() });
      const token = signJws(
        {
          alg: 'EdDSA',
          typ: 'vc+jwt',
          kid: trusted().kid,
          jku: `http://localhost:${host.port}/attacker/jwks.json`,
          x5u: `http://localhost:${host.port}/attacker/cert.pem`,
          x5c: ['MIIB'],
        },
        payload,
        attacker.key,
      );
      assertFails(await verify(token), 'signature', 'invalid_signature');
    });

    it('refuses a kid that names a key of another DID (issuer_mismatch)', async () => {
      const payload = credentialPayload('vc+jwt', { issuer: trusted().did, ...claims() });
      assertFails(
        await verify(signedBy(attacker, payload, { typ: 'vc+jwt' })),
        'signature',
        'issuer_mismatch',
      );
    });

    it('refuses a signature by an attacker while iss / issuer name a trusted DID (invalid_signature)', async () => {
      for (const format of FORMATS) {
        const payload = credentialPayload(format, { issuer: trusted().did, ...claims() });
        const token = signJws({ alg: 'EdDSA', typ: TYP[format], kid: trusted().kid }, payload, attacker.key);
        assertFails(await verify(token), 'signature', 'invalid_signature');
      }
    });

    it('refuses a payload changed after signing (invalid_signature)', async () => {
      const [header, , signature] = credentialBy(trusted(), 'vc+jwt', claims()).split('.');
      const changed = credentialPayload('vc+jwt', {
        issuer: trusted().did,
        subject: legalPerson(subject.did, { country: 'FR' }),
      });
      assertFails(
        await verify(`${header}.${base64urlJson(changed)}.${signature}`),
        'signature',
        'invalid_signature',
      );
    });

    it('refuses an ES256 signature in DER form instead of raw r||s (invalid_signature)', async () => {
      const issuer = jwkIssuers.get('ES256') as TestSigner;
      const payload = credentialPayload('vc+jwt', { issuer: issuer.did, ...claims() });
      const der = signJws({ alg: 'ES256', typ: 'vc+jwt', kid: issuer.kid }, payload, issuer.key, 'der');
      assertFails(await verify(der), 'signature', 'invalid_signature');
    });

    describe('the high-S twin (r, n − s) of a valid ES256 signature, which node:crypto and jose accept', () => {
      /** A valid ES256 credential and its twin, the same signature in the high-S encoding. */
      async function twins(): Promise<{ low: string; high: string }> {
        const issuer = jwkIssuers.get('ES256') as TestSigner;
        const low = credentialBy(issuer, 'vc+jwt', claims());
        const [header, payload, signature] = low.split('.') as [string, string, string];
        const high = `${header}.${payload}.${highS(Buffer.from(signature, 'base64url')).toString('base64url')}`;
        assert.notEqual(high, low);
        // The twin is a valid signature by the issuer's key, by the library's reckoning too.
        const jwk = issuer.key.publicJwk as unknown as JWK;
        await jwtVerify(high, await importJWK(jwk, 'ES256'), { currentDate: NOW });
        return { low, high };
      }

      it('is accepted by default (ES256_LOW_S_ONLY unset): RFC 7518 §3.4 allows both encodings', async () => {
        const { high } = await twins();
        assertVerified(await verify(high), NO_STATUS);
      });

      it('is refused with ES256_LOW_S_ONLY (non_canonical_signature), and the low-S form still verifies', async () => {
        const { low, high } = await twins();
        const strict = { ...deps, es256LowSOnly: true };
        assertVerified(await verifyCredential(low, strict), NO_STATUS);
        assertFails(await verifyCredential(high, strict), 'signature', 'non_canonical_signature');
      });
    });

    it('refuses a truncated or lengthened EdDSA signature (invalid_signature)', async () => {
      const token = credentialBy(trusted(), 'vc+jwt', claims());
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const bytes = Buffer.from(signature, 'base64url');
      for (const wrong of [bytes.subarray(0, 63), Buffer.concat([bytes, Buffer.from([0])])]) {
        assertFails(
          await verify(`${header}.${payload}.${wrong.toString('base64url')}`),
          'signature',
          'invalid_signature',
        );
      }
    });

    it('refuses a credential signed with an authentication-only key (did:web; unknown_key)', async () => {
      assertFails(
        await verify(credentialBy(authenticationOnly, 'vc+jwt', claims())),
        'signature',
        'unknown_key',
      );
      const noKid = credentialBy(authenticationOnly, 'jwt_vc_json', claims(), { kid: undefined });
      assertFails(await verify(noKid), 'signature', 'unknown_key');
    });

    it('refuses a kid that is no method of the issuer document (unknown_key)', async () => {
      const issuer = webIssuers.get('EdDSA') as TestSigner;
      assertFails(
        await verify(credentialBy(issuer, 'vc+jwt', claims(), { kid: `${issuer.did}#key-2` })),
        'signature',
        'unknown_key',
      );
    });
  });

  describe('every claim naming the issuer, and every claim naming the subject, must agree', () => {
    it('refuses vc.issuer ≠ iss in a VCDM 1.1 JWT (issuer_mismatch)', async () => {
      const payload = credentialPayload('jwt_vc_json', { issuer: trusted().did, ...claims() });
      const vc = { ...(payload.vc as Record<string, unknown>), issuer: { id: attacker.did } };
      assertFails(await verify(signedBy(trusted(), { ...payload, vc })), 'signature', 'issuer_mismatch');
    });

    it('refuses issuer ≠ iss in a vc+jwt (issuer_mismatch)', async () => {
      const payload = credentialPayload('vc+jwt', { issuer: trusted().did, ...claims() });
      const token = signedBy(trusted(), { ...payload, issuer: attacker.did }, { typ: 'vc+jwt' });
      assertFails(await verify(token), 'signature', 'issuer_mismatch');
    });

    it('refuses an https issuer as a kind it does not support (unsupported_issuer)', async () => {
      const payload = credentialPayload('vc+jwt', { issuer: 'https://issuer.example', ...claims() });
      assertFails(
        await verify(signedBy(trusted(), payload, { typ: 'vc+jwt' })),
        'signature',
        'unsupported_issuer',
      );
    });

    it('refuses a kid that is neither a DID URL nor a #fragment (unknown_key)', async () => {
      const payload = credentialPayload('vc+jwt', { issuer: trusted().did, ...claims() });
      const kid = trusted().kid.slice(trusted().kid.indexOf('#') + 1);
      assertFails(
        await verify(signedBy(trusted(), payload, { typ: 'vc+jwt', kid })),
        'signature',
        'unknown_key',
      );
    });

    for (const format of FORMATS) {
      it(`refuses sub ≠ credentialSubject.id in ${format} (subject_mismatch)`, async () => {
        const payload = credentialPayload(format, { issuer: trusted().did, ...claims() });
        const token = signedBy(trusted(), { ...payload, sub: attacker.did }, { typ: TYP[format] });
        assertFails(await verify(token), 'signature', 'subject_mismatch');
      });
    }
  });

  describe('DID resolution', () => {
    it('refuses an issuer whose did:web does not answer (unresolvable_did)', async () => {
      const did = `did:web:localhost%3A${await closedPort()}`;
      const issuer: TestSigner = { did, kid: `${did}#key-1`, key: generateTestKey('EdDSA') };
      assertFails(await verify(credentialBy(issuer, 'vc+jwt', claims())), 'signature', 'unresolvable_did');
    });

    it('refuses an issuer whose did:web document is not there (404; unresolvable_did)', async () => {
      const did = host.did('nobody');
      const issuer: TestSigner = { did, kid: `${did}#key-1`, key: generateTestKey('EdDSA') };
      assertFails(await verify(credentialBy(issuer, 'vc+jwt', claims())), 'signature', 'unresolvable_did');
    });

    it('refuses an issuer of an unsupported DID method (unresolvable_did)', async () => {
      const issuer: TestSigner = {
        did: 'did:example:123',
        kid: 'did:example:123#key-1',
        key: generateTestKey('EdDSA'),
      };
      assertFails(await verify(credentialBy(issuer, 'vc+jwt', claims())), 'signature', 'unresolvable_did');
    });
  });

  describe('a failed signature stops the pipeline from acting on the claims', () => {
    it('skips trusted_issuer, status and schema (not_evaluated) and does not report verified', async () => {
      const payload = credentialPayload('vc+jwt', { issuer: trusted().did, ...claims() });
      const result = await verify(
        signJws({ alg: 'EdDSA', typ: 'vc+jwt', kid: trusted().kid }, payload, attacker.key),
      );
      assert.equal(result.verified, false);
      assert.deepEqual(
        result.checks.map((c) => [c.check, c.result, c.code]),
        [
          ['format', 'passed', undefined],
          ['signature', 'failed', 'invalid_signature'],
          ['validity', 'passed', undefined],
          ['trusted_issuer', 'skipped', 'not_evaluated'],
          ['status', 'skipped', 'not_evaluated'],
          ['schema', 'skipped', 'not_evaluated'],
        ],
      );
    });
  });
});
