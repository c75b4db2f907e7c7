/**
 * Other implementations as real parties against the running service: holders built on
 * did-jwt-vc and on Veramo (their own presentations, their own defaults: the presentation's
 * time in `nbf`, no `iat`), and the OpenWallet Foundation's `@openid4vc/openid4vp` as the
 * wallet protocol engine with the `dcql` reference matcher. Nothing of theirs is re-implemented:
 * the test supplies only what their integration asks for (keys, a DID resolver, fetch).
 */
import { createHash } from 'node:crypto';
import { setGlobalConfig } from '@openid4vc/oauth2';
import { Openid4vpClient } from '@openid4vc/openid4vp';
import { createAgent } from '@veramo/core';
import { CredentialProviderJWT } from '@veramo/credential-jwt';
import { CredentialPlugin } from '@veramo/credential-w3c';
import { DIDManager, MemoryDIDStore } from '@veramo/did-manager';
import { getDidKeyResolver, KeyDIDProvider } from '@veramo/did-provider-key';
import { DIDResolverPlugin } from '@veramo/did-resolver';
import { KeyManager, MemoryKeyStore, MemoryPrivateKeyStore } from '@veramo/key-manager';
import { KeyManagementSystem } from '@veramo/kms-local';
import { DcqlQuery } from 'dcql';
import { EdDSASigner } from 'did-jwt';
import { createVerifiableCredentialJwt, createVerifiablePresentationJwt } from 'did-jwt-vc';
import { Resolver } from 'did-resolver';
import { compactVerify, importJWK, type JWK } from 'jose';
import { didKeySigner } from '../credentials/verify/support.js';

/** A holder: a DID, and presentations and self-issued credentials made by its own library. */
export interface Holder {
  readonly name: string;
  readonly did: string;
  /** A presentation of `credentials` for `audience` with `nonce`, made the library's way. */
  present(credentials: readonly string[], nonce: string, audience: string): Promise<string>;
  /** A credential the holder issues about itself (the membership application form). */
  selfIssue(type: string, subject: Record<string, unknown>): Promise<string>;
}

const VCDM1 = 'https://www.w3.org/2018/credentials/v1';

/** did-jwt-vc 4 with an Ed25519 did:key. */
export function didJwtVcHolder(): Holder {
  const signer = didKeySigner('EdDSA');
  const issuer = { did: signer.did, signer: EdDSASigner(signer.key.privateBytes), alg: 'EdDSA' };
  return {
    name: 'did-jwt-vc',
    did: signer.did,
    // The data-model form with `issuanceDate`: did-jwt-vc maps it to `nbf` and sends no `iat`
    // (VCDM 1.1 §6.3.1). Without a date it would send neither, which the service refuses.
    present: (credentials, nonce, audience) =>
      createVerifiablePresentationJwt(
        {
          '@context': [VCDM1],
          type: ['VerifiablePresentation'],
          holder: signer.did,
          verifiableCredential: [...credentials],
          issuanceDate: new Date().toISOString(),
        },
        issuer,
        { challenge: nonce, domain: audience },
      ),
    selfIssue: (type, subject) =>
      createVerifiableCredentialJwt(
        {
          sub: signer.did,
          vc: {
            '@context': [VCDM1],
            type: ['VerifiableCredential', type],
            credentialSubject: subject,
          },
        },
        issuer,
      ),
  };
}

/** A Veramo 7 agent (did:key Ed25519, JWT proofs through @veramo/credential-jwt). */
export async function veramoHolder(): Promise<Holder> {
  const agent = createAgent({
    plugins: [
      new KeyManager({
        store: new MemoryKeyStore(),
        kms: { local: new KeyManagementSystem(new MemoryPrivateKeyStore()) },
      }),
      new DIDManager({
        store: new MemoryDIDStore(),
        defaultProvider: 'did:key',
        providers: { 'did:key': new KeyDIDProvider({ defaultKms: 'local' }) },
      }),
      new DIDResolverPlugin({ resolver: new Resolver({ ...getDidKeyResolver() }) }),
      new CredentialPlugin([new CredentialProviderJWT()]),
    ],
  });
  // biome-ignore lint/suspicious/noExplicitAny: Veramo's agent type is assembled from its plugins at run time.
  const veramo = agent as any;
  const identifier = await veramo.didManagerCreate({ provider: 'did:key', options: { keyType: 'Ed25519' } });
  const did = identifier.did as string;
  return {
    name: 'Veramo',
    did,
    async present(credentials, nonce, audience) {
      const presentation = await veramo.createVerifiablePresentation({
        presentation: { holder: did, verifiableCredential: [...credentials] },
        proofFormat: 'jwt',
        challenge: nonce,
        domain: audience,
      });
      return presentation.proof.jwt as string;
    },
    async selfIssue(type, subject) {
      const credential = await veramo.createVerifiableCredential({
        credential: {
          issuer: { id: did },
          type: ['VerifiableCredential', type],
          credentialSubject: { id: did, ...subject },
        },
        proofFormat: 'jwt',
      });
      return credential.proof.jwt as string;
    },
  };
}

export const HOLDERS: ReadonlyArray<{ name: string; make: () => Promise<Holder> }> = [
  { name: 'did-jwt-vc', make: async () => didJwtVcHolder() },
  { name: 'Veramo', make: veramoHolder },
];

/**
 * did:web resolution as the did:web method maps it (`did:web:host%3Aport` →
 * `/.well-known/did.json`), over http because the test service listens on loopback only.
 */
async function resolveDidWeb(did: string): Promise<{ verificationMethod?: Array<Record<string, unknown>> }> {
  const [, method, ...rest] = did.split(':');
  if (method !== 'web') throw new Error(`the test wallet resolves did:web only, not ${did}`);
  const [host, ...path] = rest.map(decodeURIComponent);
  const url = `http://${host}/${path.length > 0 ? path.join('/') : '.well-known'}/did.json`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as { verificationMethod?: Array<Record<string, unknown>> };
}

let insecureAllowed = false;

/** `@openid4vc/openid4vp`'s wallet side with the callbacks it asks for: jose, a did:web resolver, sha-256. */
export function openid4vpWallet(): Openid4vpClient {
  if (!insecureAllowed) {
    // The library's own switch for http:// URLs: the test service runs without TLS on loopback.
    setGlobalConfig({ allowInsecureUrls: true });
    insecureAllowed = true;
  }
  return new Openid4vpClient({
    callbacks: {
      fetch,
      hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
      async verifyJwt(signer, jwt) {
        if (signer.method !== 'did') return { verified: false };
        const [did] = signer.didUrl.split('#') as [string];
        const document = await resolveDidWeb(did);
        const method = document.verificationMethod?.find(
          (vm) => vm.id === signer.didUrl || `${did}${vm.id}` === signer.didUrl,
        );
        const jwk = method?.publicKeyJwk as JWK | undefined;
        if (!jwk) return { verified: false };
        try {
          await compactVerify(jwt.compact, await importJWK(jwk, signer.alg), {
            algorithms: ['EdDSA', 'ES256'],
          });
          return { verified: true, signerJwk: jwk as never };
        } catch {
          return { verified: false, signerJwk: jwk as never };
        }
      },
      signJwt: () => {
        throw new Error('this wallet answers with direct_post, unsigned');
      },
      decryptJwe: () => {
        throw new Error('no encrypted requests in this test');
      },
      encryptJwe: () => {
        throw new Error('no encrypted responses in this test');
      },
    },
  });
}

/** The VCDM 1.1 document inside a jwt_vc_json, as the dcql matcher reads a W3C credential. */
export function dcqlCredential(jwt: string) {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
  const vc = payload.vc as Record<string, unknown>;
  const subject = { ...(vc.credentialSubject as Record<string, unknown>), id: payload.sub };
  return {
    credential_format: 'jwt_vc_json' as const,
    type: vc.type as string[],
    claims: { ...vc, credentialSubject: subject } as unknown as Record<string, never>,
    cryptographic_holder_binding: true,
  };
}

export interface WalletAnswer {
  /** The DCQL query as the wallet library parsed it from our request object. */
  readonly query: DcqlQuery.Output;
  /** The client identifier the library verified. */
  readonly clientId: string;
  /** The verifier's answer to direct_post. */
  readonly response: { status: number; body: Record<string, unknown> };
}

/**
 * The wallet's whole side of a login: parse the `openid4vp://` URL, fetch and verify the
 * request object, match the DCQL query against the held credentials with `dcql`, present
 * the matching credential with the holder's library, post the response.
 */
export async function answerLogin(
  url: string,
  holder: Holder,
  held: readonly string[],
): Promise<WalletAnswer> {
  const wallet = openid4vpWallet();
  const parsed = wallet.parseOpenid4vpAuthorizationRequest({ authorizationRequest: url });
  const resolved = await wallet.resolveOpenId4vpAuthorizationRequest({
    authorizationRequestPayload: parsed.params as never,
  });
  const query = DcqlQuery.parse(resolved.dcql?.query as DcqlQuery.Input);
  DcqlQuery.validate(query);
  const outcome = DcqlQuery.query(query, held.map(dcqlCredential));
  if (!outcome.can_be_satisfied) throw new Error('dcql: no matching credential');
  const request = resolved.authorizationRequestPayload as { nonce: string; client_id: string };
  const vpToken: Record<string, [string]> = {};
  // §6.2: with credential sets, the first option of each set whose queries all match.
  const ids = query.credential_sets
    ? query.credential_sets.map(
        (set) =>
          set.options.find((option) =>
            option.every((id) => outcome.credential_matches[id]?.success === true),
          ) ?? [],
      )
    : [query.credentials.map((c) => c.id)];
  for (const id of ids.flat()) {
    const credentialQuery = { id };
    const match = outcome.credential_matches[credentialQuery.id];
    if (!match?.success) throw new Error(`dcql: nothing for ${credentialQuery.id}`);
    const credential = held[match.valid_credentials[0]?.input_credential_index ?? -1] as string;
    vpToken[credentialQuery.id] = [await holder.present([credential], request.nonce, request.client_id)];
  }
  const response = await wallet.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: resolved.authorizationRequestPayload,
    authorizationResponsePayload: { vp_token: vpToken },
  });
  const submitted = await wallet.submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: resolved.authorizationRequestPayload as never,
    authorizationResponsePayload: response.authorizationResponsePayload,
  });
  const text = await submitted.response.text();
  return {
    query,
    clientId: resolved.client.original.clientId ?? request.client_id,
    response: { status: submitted.response.status, body: text ? JSON.parse(text) : {} },
  };
}
