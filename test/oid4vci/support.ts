/**
 * Actors of the issuance tests: the service on a real port (the OpenWallet Foundation's
 * `@openid4vc/openid4vci` fetches metadata, offers and tokens over HTTP), a board and a
 * business register, and an admitted member whose wallet key is a did:jwk with its private key
 * at hand (to sign key proofs, well-formed and not).
 */
import { createHash, randomBytes } from 'node:crypto';
import { clientAuthenticationAnonymous, clientAuthenticationNone, setGlobalConfig } from '@openid4vc/oauth2';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import request from 'supertest';
import type { Service } from '../../src/service.js';
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

export const PROOF_TYP = 'openid4vci-proof+jwt';

/** A holder: a did:jwk (Ed25519) whose private key the test keeps. */
export interface Holder extends Actor {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

export async function newHolder(): Promise<Holder> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const privateJwk = await exportJWK(privateKey);
  const did = `did:jwk:${Buffer.from(JSON.stringify({ kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x })).toString('base64url')}`;
  const kid = `${did}#0`;
  return {
    did,
    kid,
    privateKey: privateKey as CryptoKey,
    publicJwk,
    privateJwk,
    sign: (payload, typ = 'JWT') =>
      new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ, kid }).sign(privateKey),
  };
}

export interface World<M extends Actor = Holder> {
  readonly running: Running;
  readonly service: Service;
  readonly app: ReturnType<Service['app']['callback']>;
  readonly member: M;
  readonly applicationId: string;
  readonly board: readonly Actor[];
  /** The business register the trust anchors trust for LegalPersonCredential. */
  readonly register: Actor;
  readonly issuer: string;
}

async function challenge(app: Service['app']['callback'] extends () => infer A ? A : never): Promise<string> {
  return (await request(app).get('/api/v1/membership/challenge').expect(200)).body.challenge as string;
}

/** `applicant` applies for membership with a LegalPersonCredential of `register`; the response. */
export async function apply(app: World<Actor>['app'], serviceDid: string, register: Actor, applicant: Actor) {
  const org = { legalName: 'City of Example', registrationNumber: 'HRB 12345', country: 'DE' };
  const vp = await presentation(applicant, serviceDid, await challenge(app), [
    await legalPersonCredential(register, applicant.did, org),
    await applicationCredential(applicant, org, ['data-provider']),
  ]);
  return request(app).post('/api/v1/membership/applications').send({ presentation: vp }).expect(201);
}

/** The service running, a board of three, and a new holder admitted by two votes. */
export async function world(database: TestDatabase, env: Record<string, string> = {}): Promise<World> {
  return worldWith(database, await newHolder(), env);
}

/** The service running, a board of three, and `member` admitted by two votes. */
export async function worldWith<M extends Actor>(
  database: TestDatabase,
  member: M,
  env: Record<string, string> = {},
): Promise<World<M>> {
  const register = await newActor();
  const running = await startService(database, { TRUST_ANCHORS_DIR: anchorsDir(register), ...env });
  const service = running.service;
  const app = service.app.callback();
  const board = await seatBoard(service);
  const did = service.identity.did;
  const applied = await apply(app, did, register, member);
  for (const voter of board.slice(0, 2)) {
    await request(app)
      .post(`/api/v1/motions/${applied.body.motionId}/votes`)
      .send({ vote: await vote(voter, did, applied.body.motionId, 'approve') })
      .expect(201);
  }
  return {
    running,
    service,
    app,
    member,
    applicationId: applied.body.id,
    board,
    register,
    issuer: running.publicUrl,
  };
}

/** The admitted applicant asks for its offer (proving its DID with a fresh challenge); the response. */
export async function applicantOffer(w: World<Actor>, status = 201, holder: Actor = w.member) {
  const proof = await presentation(holder, w.service.identity.did, await challenge(w.app), []);
  return request(w.app)
    .post(`/api/v1/membership/applications/${w.applicationId}/credential-offer`)
    .send({ presentation: proof })
    .expect(status);
}

export interface ProofOptions {
  readonly aud?: unknown;
  readonly nonce?: unknown;
  readonly iat?: number;
  readonly header?: Record<string, unknown>;
}

/** A `jwt` key proof signed by the holder, naming its key by `kid` unless `header` says otherwise. */
export function keyProof(holder: Holder, issuer: string, options: ProofOptions = {}): Promise<string> {
  const payload: JWTPayload = {
    aud: (options.aud ?? issuer) as string,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    ...(options.nonce !== undefined ? { nonce: options.nonce as string } : {}),
  };
  const header = options.header ?? { kid: holder.kid };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', typ: PROOF_TYP, ...header })
    .sign(holder.privateKey);
}

let insecureAllowed = false;

/**
 * `@openid4vc/openid4vci`'s wallet side with the callbacks it asks for, signing with the key of
 * `holder` (a `did` signer) or of whichever of `holder` and `others` a `jwk` signer names.
 */
export function openid4vciWallet(
  holder: Holder,
  others: readonly Holder[] = [],
  /** A public client's id (authorization code grant, RFC 6749 §4.1.3); anonymous without. */
  clientId?: string,
): Openid4vciClient {
  if (!insecureAllowed) {
    // The library's own switch for http:// URLs: the test service runs without TLS on loopback.
    setGlobalConfig({ allowInsecureUrls: true });
    insecureAllowed = true;
  }
  return new Openid4vciClient({
    callbacks: {
      fetch,
      hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
      generateRandom: (bytes) => randomBytes(bytes),
      clientAuthentication: clientId
        ? clientAuthenticationNone({ clientId })
        : clientAuthenticationAnonymous(),
      async signJwt(signer, jwt) {
        const key =
          signer.method === 'jwk'
            ? [holder, ...others].find((h) => h.publicJwk.x === signer.publicJwk.x)
            : holder;
        if (!key) throw new Error('the wallet holds no such key');
        const signed = await new SignJWT(jwt.payload as JWTPayload)
          .setProtectedHeader(jwt.header as { alg: string })
          .sign(key.privateKey);
        return { jwt: signed, signerJwk: key.publicJwk as never };
      },
    },
  });
}

/** A form-encoded token request for a pre-authorized code. */
export function tokenRequest(app: World['app'], code: string, txCode?: string) {
  return request(app)
    .post('/oid4vci/token')
    .type('form')
    .send({
      grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
      'pre-authorized_code': code,
      ...(txCode !== undefined ? { tx_code: txCode } : {}),
    });
}

export function preAuthorizedCode(offer: Record<string, unknown>): string {
  const grants = offer.grants as Record<string, Record<string, string>>;
  return grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']?.['pre-authorized_code'] as string;
}

/** A fresh c_nonce from the nonce endpoint. */
export async function cNonce(app: World['app']): Promise<string> {
  return (await request(app).post('/oid4vci/nonce').expect(200)).body.c_nonce as string;
}

/** An access token for the member through its offer (with the right tx_code). */
/** A board decision of `kind` about `subject`, voted until decided. */
export async function decide(w: World, kind: string, subject: string): Promise<void> {
  const did = w.service.identity.did;
  const opened = await request(w.app)
    .post('/api/v1/motions')
    .send({ motion: await motion(w.board[0] as Actor, did, kind, subject) })
    .expect(201);
  for (const voter of w.board) {
    const cast = await request(w.app)
      .post(`/api/v1/motions/${opened.body.id}/votes`)
      .send({ vote: await vote(voter, did, opened.body.id, 'approve') })
      .expect(201);
    if (cast.body.status !== 'open') return;
  }
}

export async function accessToken(w: World): Promise<string> {
  const offered = (await applicantOffer(w)).body;
  const token = await tokenRequest(w.app, preAuthorizedCode(offered.credentialOffer), offered.txCode).expect(
    200,
  );
  return token.body.access_token as string;
}
