/**
 * Actors for governance tests: did:jwk identities (offline DIDs) that sign what board
 * members, applicants and a business register sign, with node:crypto keys through jose.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import request from 'supertest';
import type { Service } from '../../src/service.js';

export interface Actor {
  readonly did: string;
  readonly kid: string;
  sign(payload: JWTPayload, typ?: string): Promise<string>;
}

export async function newActor(): Promise<Actor> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = await exportJWK(publicKey);
  const did = `did:jwk:${Buffer.from(JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x })).toString('base64url')}`;
  const kid = `${did}#0`;
  return {
    did,
    kid,
    sign: (payload, typ = 'JWT') =>
      new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ, kid }).sign(privateKey),
  };
}

const seconds = () => Math.floor(Date.now() / 1000);

/** A trust-anchors directory trusting `register` for LegalPersonCredential. */
export function anchorsDir(register: Actor): string {
  const dir = mkdtempSync(join(tmpdir(), 'dst-anchors-'));
  writeFileSync(
    join(dir, 'register.json'),
    JSON.stringify({
      did: register.did,
      name: 'Business Register of Example',
      credentialTypes: ['LegalPersonCredential'],
    }),
  );
  return dir;
}

export interface Organisation {
  readonly legalName: string;
  readonly registrationNumber: string;
  readonly country: string;
}

export function legalPersonCredential(register: Actor, subject: string, org: Organisation): Promise<string> {
  const iat = seconds();
  return register.sign({
    iss: register.did,
    sub: subject,
    jti: `urn:uuid:${randomUUID()}`,
    iat,
    nbf: iat,
    vc: {
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiableCredential', 'LegalPersonCredential'],
      issuanceDate: new Date(iat * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      credentialSubject: { id: subject, ...org },
    },
  });
}

export function applicationCredential(applicant: Actor, org: Organisation, roles: string[]): Promise<string> {
  const iat = seconds();
  return applicant.sign({
    iss: applicant.did,
    sub: applicant.did,
    jti: `urn:uuid:${randomUUID()}`,
    iat,
    nbf: iat,
    vc: {
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiableCredential', 'MembershipApplicationCredential'],
      issuanceDate: new Date(iat * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      credentialSubject: { id: applicant.did, ...org, roles, contact: { email: 'data@city.example' } },
    },
  });
}

export function presentation(
  holder: Actor,
  audience: string,
  nonce: string,
  credentials: string[],
): Promise<string> {
  const iat = seconds();
  return holder.sign({
    iss: holder.did,
    aud: audience,
    nonce,
    iat,
    exp: iat + 300,
    jti: randomUUID(),
    vp: {
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiablePresentation'],
      holder: holder.did,
      verifiableCredential: credentials,
    },
  });
}

export function vote(
  member: Actor,
  audience: string,
  motion: string,
  decision: 'approve' | 'reject',
  extra: JWTPayload = {},
) {
  return member.sign({
    iss: member.did,
    aud: audience,
    motion,
    decision,
    iat: seconds(),
    jti: randomUUID(),
    ...extra,
  });
}

export function motion(
  member: Actor,
  audience: string,
  kind: string,
  subject: string,
  extra: JWTPayload = {},
) {
  return member.sign({
    iss: member.did,
    aud: audience,
    kind,
    subject,
    reason: 'test',
    iat: seconds(),
    jti: randomUUID(),
    ...extra,
  });
}

/** Seats `size` new board members by the operator's hand; returns them. */
export async function seatBoard(service: Service, size = 3): Promise<Actor[]> {
  const board: Actor[] = [];
  for (let i = 0; i < size; i++) {
    const member = await newActor();
    await service.governance.board.add({ did: member.did, name: `Member ${i}`, by: 'operator' });
    board.push(member);
  }
  return board;
}

async function freshChallenge(app: ReturnType<Service['app']['callback']>): Promise<string> {
  return (await request(app).get('/api/v1/membership/challenge').expect(200)).body.challenge as string;
}

/**
 * A new organisation applies with a LegalPersonCredential from `register`, the first two board
 * members approve, and it fetches its MembershipCredential.
 */
export async function admitMember(
  service: Service,
  board: readonly Actor[],
  register: Actor,
  roles: string[],
  org: Organisation = { legalName: 'Data Provider Ltd', registrationNumber: 'HRB 42', country: 'DE' },
): Promise<{ applicant: Actor; credential: string }> {
  const app = service.app.callback();
  const did = service.identity.did;
  const applicant = await newActor();
  const vp = await presentation(applicant, did, await freshChallenge(app), [
    await legalPersonCredential(register, applicant.did, org),
    await applicationCredential(applicant, org, roles),
  ]);
  const applied = await request(app)
    .post('/api/v1/membership/applications')
    .send({ presentation: vp })
    .expect(201);
  for (const member of board.slice(0, 2)) {
    await request(app)
      .post(`/api/v1/motions/${applied.body.motionId}/votes`)
      .send({ vote: await vote(member, did, applied.body.motionId, 'approve') })
      .expect(201);
  }
  const proof = await presentation(applicant, did, await freshChallenge(app), []);
  const fetched = await request(app)
    .post(`/api/v1/membership/applications/${applied.body.id}/credential`)
    .send({ presentation: proof })
    .expect(200);
  return { applicant, credential: fetched.body.credential as string };
}
