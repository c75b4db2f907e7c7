/**
 * Actors for the connector tests: the service listening on a port (openid-client fetches
 * discovery), a board, a business register, and members admitted through the membership API
 * whose private keys the test holds, so that openid-client can sign client assertions with them.
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import * as client from 'openid-client';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import { type LocalWebHost, startLocalWebHost } from '../credentials/verify/local-web.js';
import {
  type Actor,
  anchorsDir,
  applicationCredential,
  legalPersonCredential,
  motion,
  newActor,
  presentation,
  seatBoard,
  vote,
} from '../governance/support.js';
import { type Running, startService } from '../oidc/support.js';
import type { TestDatabase } from '../support/databases.js';

export type KeyAlgorithm = 'ES256' | 'EdDSA';

/** A DID whose keys the test holds: `sign` signs what the admission asks for, `connectorKey` signs client assertions. */
export interface Member extends Actor {
  /** The key that signs client assertions (an `authentication` key of the DID). */
  readonly connectorKey: { readonly key: CryptoKey; readonly kid: string; readonly alg: KeyAlgorithm };
}

/** A fresh key pair as WebCrypto keys (what openid-client's PrivateKeyJwt takes). */
export async function keyPair(alg: KeyAlgorithm) {
  const { publicKey, privateKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
  return { publicKey, privateKey, publicJwk: await exportJWK(publicKey) };
}

/** A did:jwk member (one key under every relationship). */
export async function jwkMember(alg: KeyAlgorithm = 'ES256'): Promise<Member> {
  const { privateKey, publicJwk } = await keyPair(alg);
  const { kty, crv, x, y } = publicJwk;
  const did = `did:jwk:${Buffer.from(JSON.stringify({ kty, crv, x, ...(y ? { y } : {}) })).toString('base64url')}`;
  const kid = `${did}#0`;
  return {
    did,
    kid,
    sign: (payload, typ = 'JWT') =>
      new SignJWT(payload).setProtectedHeader({ alg, typ, kid }).sign(privateKey),
    connectorKey: { key: privateKey, kid, alg },
  };
}

/**
 * A did:web member on a local host with two keys: `#auth` only under `authentication` (it signs
 * presentations and client assertions) and `#assert` only under `assertionMethod` (it signs the
 * self-issued application credential). `assertKey` is handed out to try it as a connector key.
 */
export async function webMember(
  host: LocalWebHost,
  name: string,
): Promise<Member & { readonly assertKey: Member['connectorKey'] }> {
  const did = host.did(name);
  const auth = await keyPair('ES256');
  const assertion = await keyPair('EdDSA');
  const method = (fragment: string, publicKeyJwk: object) => ({
    id: `${did}#${fragment}`,
    type: 'JsonWebKey2020',
    controller: did,
    publicKeyJwk,
  });
  host.serve(`/${name}/did.json`, {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id: did,
    verificationMethod: [method('auth', auth.publicJwk), method('assert', assertion.publicJwk)],
    authentication: [`${did}#auth`],
    assertionMethod: [`${did}#assert`],
  });
  return {
    did,
    kid: `${did}#auth`,
    // A presentation proves control (authentication); anything else is an assertion.
    sign: (payload, typ = 'JWT') =>
      'vp' in payload
        ? new SignJWT(payload)
            .setProtectedHeader({ alg: 'ES256', typ, kid: `${did}#auth` })
            .sign(auth.privateKey)
        : new SignJWT(payload)
            .setProtectedHeader({ alg: 'EdDSA', typ, kid: `${did}#assert` })
            .sign(assertion.privateKey),
    connectorKey: { key: auth.privateKey, kid: `${did}#auth`, alg: 'ES256' },
    assertKey: { key: assertion.privateKey, kid: `${did}#assert`, alg: 'EdDSA' },
  };
}

/** The service on a port, a board of three, and a business register the anchors trust. */
export interface DataSpace {
  readonly running: Running;
  readonly service: Service;
  readonly board: Actor[];
  readonly register: Actor;
  readonly web: LocalWebHost;
  close(): Promise<void>;
}

export async function openDataSpace(
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<DataSpace> {
  const register = await newActor();
  const web = await startLocalWebHost();
  const running = await startService(database, { TRUST_ANCHORS_DIR: anchorsDir(register), ...env });
  const board = await seatBoard(running.service);
  return {
    running,
    service: running.service,
    board,
    register,
    web,
    close: async () => {
      await running.close();
      await web.close();
    },
  };
}

async function challenge(app: ReturnType<Service['app']['callback']>, basePath = ''): Promise<string> {
  return (await request(app).get(`${basePath}/api/v1/membership/challenge`).expect(200)).body
    .challenge as string;
}

/** What admission and board decisions need of a data space. */
export type Governed = Pick<DataSpace, 'service' | 'board' | 'register'> & {
  /** The path of PUBLIC_URL ('' when none): every route is below it. */
  readonly basePath?: string;
};

/** Admits `applicant` through the membership API: application, two approving votes, credential collected. */
export async function admit(
  space: Governed,
  applicant: Actor,
  roles: string[] = ['data-provider'],
  legalName = 'Data Provider Ltd',
): Promise<void> {
  const app = space.service.app.callback();
  const did = space.service.identity.did;
  const org = { legalName, registrationNumber: `HRB ${randomUUID().slice(0, 8)}`, country: 'DE' };
  const base = space.basePath ?? '';
  const vp = await presentation(applicant, did, await challenge(app, base), [
    await legalPersonCredential(space.register, applicant.did, org),
    await applicationCredential(applicant, org, roles),
  ]);
  const applied = await request(app)
    .post(`${base}/api/v1/membership/applications`)
    .send({ presentation: vp });
  if (applied.status !== 201) throw new Error(`application refused: ${applied.text}`);
  await decideMotion(space, applied.body.motionId as string);
  const proof = await presentation(applicant, did, await challenge(app, base), []);
  await request(app)
    .post(`${base}/api/v1/membership/applications/${applied.body.id}/credential`)
    .send({ presentation: proof })
    .expect(200);
}

/** Board members approve the motion until it is decided. */
export async function decideMotion(space: Governed, motionId: string): Promise<void> {
  const app = space.service.app.callback();
  const did = space.service.identity.did;
  for (const member of space.board) {
    const voted = await request(app)
      .post(`${space.basePath ?? ''}/api/v1/motions/${motionId}/votes`)
      .send({ vote: await vote(member, did, motionId, 'approve') })
      .expect(201);
    if (voted.body.status !== 'open') return;
  }
}

/** Suspends (or reinstates, revokes) a member by a board motion carried by votes. */
export async function decide(space: Governed, kind: 'suspend' | 'reinstate' | 'revoke', subject: string) {
  const app = space.service.app.callback();
  const opened = await request(app)
    .post(`${space.basePath ?? ''}/api/v1/motions`)
    .send({ motion: await motion(space.board[0] as Actor, space.service.identity.did, kind, subject) })
    .expect(201);
  await decideMotion(space, opened.body.id as string);
}

/** openid-client configured as `member`'s connector (discovery, private_key_jwt with its connector key). */
export function connectorClient(
  running: Running,
  member: Pick<Member, 'did' | 'connectorKey'>,
): Promise<client.Configuration> {
  return client.discovery(
    new URL(running.issuer),
    member.did,
    { token_endpoint_auth_method: 'private_key_jwt' },
    client.PrivateKeyJwt({ key: member.connectorKey.key, kid: member.connectorKey.kid }),
    { execute: [client.allowInsecureRequests] },
  );
}

/** A client assertion signed by hand (for the refusals openid-client would never send). */
export function clientAssertion(
  running: Running,
  signer: { readonly key: CryptoKey; readonly kid?: string; readonly alg: string },
  iss: string,
  overrides: JWTPayload = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss,
    sub: iss,
    aud: running.issuer,
    jti: randomUUID(),
    iat: now,
    exp: now + 60,
    ...overrides,
  })
    .setProtectedHeader({ alg: signer.alg, ...(signer.kid ? { kid: signer.kid } : {}), ...header })
    .sign(signer.key);
}

/** POST /oidc/token with a client-credentials request; returns the status and the JSON body. */
export async function tokenRequest(
  running: Running,
  clientId: string,
  assertion: string,
  extra: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${running.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      ...extra,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** GET /api/v1/connectors/me with a bearer token (or none). */
export async function me(
  running: Running,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown>; challenge: string | null }> {
  const response = await fetch(`${running.publicUrl}/api/v1/connectors/me`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    challenge: response.headers.get('www-authenticate'),
  };
}
