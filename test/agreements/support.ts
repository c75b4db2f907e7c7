/**
 * A data space for agreement tests: the consent tests' world (a real service listening on a
 * port, a board, members admitted through the membership API: a city on both sides, a transit
 * operator that only consumes, a utility that only provides), a fourth member (a research
 * institute that consumes), and helpers that speak the register's HTTP API as the members'
 * connectors do (bearer tokens of scope `agreements` from the service's provider) and sign
 * statements with the members' DID keys.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AgreementEntity, type AgreementRow } from '../../src/agreements/entities.js';
import { inTransaction } from '../../src/db/index.js';
import { EventAudienceEntity, EventEntity } from '../../src/events/entities.js';
import { type ConsentWorld, connectorToken, consentWorld } from '../consent/support.js';
import { type Actor, admitMember } from '../governance/support.js';
import type { TestDatabase } from '../support/databases.js';

export { decide, refusedWith } from '../consent/support.js';

export interface AgreementWorld extends ConsentWorld {
  /** A research institute: a data consumer, party to nothing unless a test makes it one. */
  readonly institute: Actor;
  /** A bearer token of scope `agreements` for `member`'s connector (cached per member). */
  token(member: Actor): Promise<string>;
  /** The events of `type` about `subject` in the outbox, oldest first, with their audience. */
  outbox(type: string, subject: string): Promise<{ audience: string[]; data: Record<string, unknown> }[]>;
}

const seconds = () => Math.floor(Date.now() / 1000);

export async function agreementWorld(
  database: TestDatabase,
  options: { env?: Record<string, string> } = {},
): Promise<AgreementWorld> {
  const world = await consentWorld(database, { listen: true, ...(options.env ? { env: options.env } : {}) });
  const institute = (
    await admitMember(world.service, world.board, world.register, ['data-consumer'], {
      legalName: 'Institute of Urban Research',
      registrationNumber: `VR ${randomUUID().slice(0, 6)}`,
      country: 'DE',
    })
  ).applicant;
  const tokens = new Map<string, string>();
  return {
    ...world,
    institute,
    async token(member) {
      const known = tokens.get(member.did);
      if (known) return known;
      const token = await connectorToken(world, member, 'agreements');
      tokens.set(member.did, token);
      return token;
    },
    async outbox(type, subject) {
      const rows = await world.service.dataSource
        .getRepository(EventEntity)
        .find({ where: { type, subject }, order: { sequence: 'ASC' } });
      const found = [];
      for (const row of rows) {
        const audience = await world.service.dataSource
          .getRepository(EventAudienceEntity)
          .find({ where: { sequence: row.sequence }, order: { did: 'ASC' } });
        found.push({
          audience: audience.map((a) => a.did),
          data: JSON.parse(row.data) as Record<string, unknown>,
        });
      }
      return found;
    },
  };
}

export const PARKING = 'https://data.example-city.eu/datasets/parking-occupancy';

/** A city's parking-data offer: read or use, for two DPV purposes, in one NUTS region, at most `count` uses, one year. */
export function parkingOffer(overrides: Record<string, unknown> = {}) {
  return {
    '@context': 'http://www.w3.org/ns/odrl.jsonld',
    '@type': 'Offer',
    target: PARKING,
    permission: [
      {
        action: 'use',
        constraint: [
          {
            leftOperand: 'purpose',
            operator: 'isAnyOf',
            rightOperand: ['dpv:ServiceProvision', 'dpv:ImproveTransportMobility'],
          },
          { leftOperand: 'spatial', operator: 'isAnyOf', rightOperand: ['DE300', 'DE212'] },
        ],
      },
    ],
    prohibition: [{ action: 'distribute' }],
    ...overrides,
  };
}

/** HTTP as `member`'s connector. */
export function as(world: AgreementWorld, member: Actor) {
  const app = world.app;
  const auth = async () => `Bearer ${await world.token(member)}`;
  return {
    async post(path: string, body: unknown, headers: Record<string, string> = {}) {
      return request(app)
        .post(path)
        .set('authorization', await auth())
        .set(headers)
        .send(body as object);
    },
    async get(path: string) {
      return request(app)
        .get(path)
        .set('authorization', await auth());
    },
  };
}

/** Publishes the parking offer by `provider`'s connector; returns the offer view. */
export async function publishOffer(world: AgreementWorld, provider: Actor, policy: unknown = parkingOffer()) {
  const response = await as(world, provider).post('/api/v1/offers', { policy });
  if (response.status !== 201) throw new Error(`offer refused: ${response.status} ${response.text}`);
  return response.body as { id: string; version: number; hash: string; target: string; policy: unknown };
}

/** The consumer accepts `offer` (optionally narrowed); returns the proposed agreement. */
export async function accept(
  world: AgreementWorld,
  consumer: Actor,
  offer: { id: string; version: number },
  extra: Record<string, unknown> = {},
) {
  const response = await as(world, consumer).post('/api/v1/agreements', {
    offer: offer.id,
    version: offer.version,
    ...extra,
  });
  if (response.status !== 201) throw new Error(`proposal refused: ${response.status} ${response.text}`);
  return response.body as { id: string; hash: string; status: string; provider: string; consumer: string };
}

/** A statement by `member` about agreement `id` (sign-agreement by default). */
export function statement(
  world: AgreementWorld,
  member: Actor,
  id: string,
  hash: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  return member.sign({
    iss: member.did,
    aud: world.service.identity.did,
    iat: seconds(),
    jti: randomUUID(),
    action: 'sign-agreement',
    agreement: id,
    hash,
    ...extra,
  });
}

/** POSTs a party's signature; returns the response. */
export async function sign(world: AgreementWorld, member: Actor, agreement: { id: string; hash: string }) {
  return request(world.app)
    .post(`/api/v1/agreements/${agreement.id}/signatures`)
    .send({ statement: await statement(world, member, agreement.id, agreement.hash) });
}

/** Publish, accept and both sign: an active agreement between `provider` and `consumer`. */
export async function concluded(
  world: AgreementWorld,
  provider: Actor,
  consumer: Actor,
  options: { policy?: unknown; extra?: Record<string, unknown> } = {},
) {
  const offer = await publishOffer(world, provider, options.policy ?? parkingOffer());
  const proposed = await accept(world, consumer, offer, options.extra ?? {});
  for (const member of [consumer, provider]) {
    const signed = await sign(world, member, proposed);
    if (signed.status !== 200) throw new Error(`signature refused: ${signed.text}`);
  }
  return { offer, agreement: proposed };
}

/** The check as `member`'s connector. */
export async function check(world: AgreementWorld, member: Actor, question: Record<string, unknown>) {
  return as(world, member).post('/api/v1/agreements/check', question);
}

/**
 * Stores copies of a concluded agreement's row directly (for tests of set-based work over many
 * agreements), each credential with status entries of its own, in one transaction.
 */
export async function storeAgreementCopies(
  world: AgreementWorld,
  copies: readonly AgreementRow[],
): Promise<void> {
  await inTransaction(world.service.dataSource, undefined, async (manager) => {
    for (const copy of copies) {
      for (const credentialId of [copy.providerCredentialId, copy.consumerCredentialId])
        await world.service.credentials.status.allocateEntries({
          credentialId: credentialId as string,
          manager,
        });
    }
    for (let start = 0; start < copies.length; start += 50)
      await manager.getRepository(AgreementEntity).insert(copies.slice(start, start + 50));
  });
}
