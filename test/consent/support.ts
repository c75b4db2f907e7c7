/**
 * A data space for consent tests: a real service on a test database, a board, members admitted
 * through the membership API (a city that publishes notices, a transit operator as recipient,
 * a data consumer that may not publish), and the consent register over the service's own
 * capabilities: rulebook store, credential issuer and status lists, audit log, member registry
 * and governance's signed-statement verifier.
 *
 * `consent` is the register the composition root wires (src/service.ts): its events go to the
 * real outbox, read back here from the outbox's tables. `deps` are the same dependencies, for
 * tests that build a register of their own (e.g. with an outbox made to fail).
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { ConsentDeps } from '../../src/consent/deps.js';
import type { Citizen, ConsentEvent, ConsentRegister, NoticeView } from '../../src/consent/index.js';
import { consentKeys } from '../../src/consent/pairwise.js';
import { EventAudienceEntity, EventEntity } from '../../src/events/entities.js';
import { verifyStatement } from '../../src/governance/signed-statement.js';
import type { Service } from '../../src/service.js';
import { consentEventsPort, consentMembers } from '../../src/service-ports.js';
import { type Actor, admitMember, motion, newActor, seatBoard, vote } from '../governance/support.js';
import type { TestDatabase } from '../support/databases.js';
import { openTestService, TEST_SECRET } from '../support/service.js';

export const SHIPPED_PID_ANCHOR = new URL(
  '../../trust-anchors/pid-provider.development.json',
  import.meta.url,
).pathname;
export const DEV_PID_WALLET = new URL('../../trust-anchors/development/pid-provider', import.meta.url)
  .pathname;
export const DEV_PID_PASSPHRASE = 'development only: this passphrase and this key are public';

/** A trust-anchors directory: `register` for LegalPersonCredential, plus the shipped development PID provider. */
export function consentAnchorsDir(register: Actor): string {
  const dir = mkdtempSync(join(tmpdir(), 'dst-consent-anchors-'));
  writeFileSync(
    join(dir, 'register.json'),
    JSON.stringify({
      did: register.did,
      name: 'Business Register',
      credentialTypes: ['LegalPersonCredential'],
    }),
  );
  copyFileSync(SHIPPED_PID_ANCHOR, join(dir, 'pid-provider.development.json'));
  return dir;
}

/** The consent events the outbox holds, read from its tables (src/events). */
export class OutboxEvents {
  constructor(private readonly service: Service) {}

  /** The events of `type` about `consentId`, oldest first, with their audience. */
  async of(type: ConsentEvent['type'], consentId: string): Promise<ConsentEvent[]> {
    const rows = await this.service.dataSource
      .getRepository(EventEntity)
      .find({ where: { type, subject: consentId }, order: { sequence: 'ASC' } });
    const events: ConsentEvent[] = [];
    for (const row of rows) {
      const audience = await this.service.dataSource
        .getRepository(EventAudienceEntity)
        .find({ where: { sequence: row.sequence }, order: { did: 'ASC' } });
      events.push({
        type: row.type as ConsentEvent['type'],
        subject: row.subject,
        audience: audience.map((entry) => entry.did),
        data: JSON.parse(row.data) as Record<string, unknown>,
      });
    }
    return events;
  }
}

export interface ConsentWorld {
  readonly service: Service;
  /** Closes the service (and its listener). */
  close(): Promise<void>;
  readonly app: ReturnType<Service['app']['callback']>;
  readonly board: Actor[];
  readonly register: Actor;
  /** A public authority: publishes notices. */
  readonly city: Actor;
  /** A data consumer: the city's recipient; may not publish. */
  readonly transit: Actor;
  /** A data provider: another controller. */
  readonly utility: Actor;
  /** The outbox, as far as consent events go. */
  readonly events: OutboxEvents;
  readonly deps: ConsentDeps;
  readonly consent: ConsentRegister;
  /** The service clock: real time plus `offsetMs`, which tests move forward. */
  readonly clock: { offsetMs: number; now(): Date };
}

const seconds = () => Math.floor(Date.now() / 1000);

/**
 * Opens the world on a fresh database; `close()` after. With `listen`, the service listens on a
 * free port with PUBLIC_URL set to it (connectors fetch tokens from its provider over HTTP).
 * With `sweeper`, the service runs its background work as `start` does (the event delivery
 * worker pushes to subscribed webhooks, the expiry job runs).
 */
export async function consentWorld(
  database: TestDatabase,
  options: { listen?: boolean; sweeper?: boolean; env?: Record<string, string> } = {},
): Promise<ConsentWorld> {
  const register = await newActor();
  const clock = {
    offsetMs: 0,
    now(): Date {
      return new Date(Date.now() + this.offsetMs);
    },
  };
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = options.listen
    ? createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()))
    : undefined;
  if (server) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const publicUrl = server ? `http://localhost:${(server.address() as AddressInfo).port}` : undefined;
  const service = await openTestService(
    database,
    {
      TRUST_ANCHORS_DIR: consentAnchorsDir(register),
      ...(publicUrl ? { PUBLIC_URL: publicUrl } : {}),
      ...options.env,
    },
    { now: () => clock.now(), ...(options.sweeper ? { sweeper: true } : {}) },
  );
  handler = service.app.callback();
  const board = await seatBoard(service, 3);
  const admit = async (roles: string[], legalName: string) =>
    (
      await admitMember(service, board, register, roles, {
        legalName,
        registrationNumber: `HRB ${randomUUID().slice(0, 6)}`,
        country: 'DE',
      })
    ).applicant;
  const city = await admit(['public-authority'], 'City of Example');
  const transit = await admit(['data-consumer'], 'Example Transit Ltd');
  const utility = await admit(['data-provider'], 'Example Utility plc');
  const deps: ConsentDeps = {
    dataSource: service.dataSource,
    rulebook: service.rulebook.store,
    issuer: service.credentials.issuer,
    status: service.credentials.status,
    keys: consentKeys(TEST_SECRET),
    members: consentMembers({ find: (did) => service.governance.members.find(did) }),
    verifyStatement: (token) =>
      verifyStatement(token, {
        keys: service.credentials.deps.keys,
        audience: service.identity.did,
        now: clock.now(),
      }),
    events: consentEventsPort(service.events),
    audit: service.audit,
    serviceDid: service.identity.did,
    publicUrl: service.config.publicUrl,
    withdrawalUrl: `${service.config.publicUrl}/consents`,
    now: () => clock.now(),
  };
  return {
    service,
    close: async () => {
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await service.close();
    },
    app: service.app.callback(),
    board,
    register,
    city,
    transit,
    utility,
    events: new OutboxEvents(service),
    deps,
    consent: service.consent,
    clock,
  };
}

/** A notice that uses only terms of the shipped rulebook 1.1.0. */
export function parkingNotice(recipients: string[] = []) {
  return {
    title: 'Park & Ride app',
    purposes: ['dpv:ServiceProvision', 'dpv:ImproveTransportMobility'],
    dataCategories: ['pd:Location', 'pd:VehicleUsage'],
    recipients,
    legalBasis: 'dpv:Consent',
    retentionDays: 365,
    jurisdiction: 'DE',
    language: 'en',
    text: 'We use where you park to run the Park & Ride service and, if you agree, to improve public transport.',
  };
}

/** A statement publishing a notice (or, with `noticeId`, a new version), signed by `member`. */
export function noticeStatement(
  member: Actor,
  audience: string,
  notice: unknown,
  extra: Record<string, unknown> = {},
): Promise<string> {
  return member.sign({
    iss: member.did,
    aud: audience,
    iat: seconds(),
    jti: randomUUID(),
    action: 'publish-notice',
    notice,
    ...extra,
  });
}

/** Publishes the parking notice as the city (signed) and returns its latest version. */
export async function publishParking(
  world: ConsentWorld,
  recipients: string[] = [world.transit.did],
): Promise<NoticeView> {
  const token = await noticeStatement(world.city, world.service.identity.did, parkingNotice(recipients));
  return (await world.consent.notices.publishSigned(token)).notice;
}

let citizens = 0;

/** A citizen as a wallet login establishes them (a PID identifier and a wallet DID). */
export async function newCitizen(): Promise<Citizen> {
  const wallet = await newActor();
  citizens++;
  return {
    key: `pid:${JSON.stringify(['did:example:pid', `DEV-${citizens}-${randomUUID()}`])}`,
    wallet: wallet.did,
  };
}

/** The citizen consents to `purposes` of `notice` (default: all). */
export function give(world: ConsentWorld, notice: NoticeView, citizen: Citizen, purposes = notice.purposes) {
  return world.consent.give({
    noticeId: notice.id,
    version: notice.version,
    noticeHash: notice.hash,
    citizen,
    purposes,
    collectedVia: { method: 'wallet-login', clientId: 'city-app' },
    idempotencyKey: randomUUID(),
  });
}

/** Suspends (or reinstates, revokes) a member by a board motion with enough approvals. */
export async function decide(world: ConsentWorld, kind: string, subject: string): Promise<void> {
  const did = world.service.identity.did;
  const opened = await request(world.app)
    .post('/api/v1/motions')
    .send({ motion: await motion(world.board[0] as Actor, did, kind, subject) })
    .expect(201);
  for (const member of world.board.slice(0, 2)) {
    await request(world.app)
      .post(`/api/v1/motions/${opened.body.id}/votes`)
      .send({ vote: await vote(member, did, opened.body.id, 'approve') })
      .expect(201);
  }
}

/** Asserts that `promise` rejects with a ConsentError (or another problem) of `code`. */
export async function refusedWith(promise: Promise<unknown>, code: string): Promise<void> {
  await promise.then(
    () => {
      throw new Error(`expected a refusal with code ${code}, but it succeeded`);
    },
    (error: { code?: string; message?: string }) => {
      if (error?.code !== code)
        throw new Error(`expected code ${code}, got ${error?.code}: ${error?.message}`);
    },
  );
}

/**
 * An access token of the service's provider for `member`'s connector: client credentials with a
 * `private_key_jwt` assertion signed by the member's DID key (docs/connectors.md).
 */
export async function connectorToken(world: ConsentWorld, member: Actor, scope: string): Promise<string> {
  const issuer = `${world.service.config.publicUrl}/oidc`;
  const iat = seconds();
  const assertion = await member.sign({
    iss: member.did,
    sub: member.did,
    aud: issuer,
    jti: randomUUID(),
    iat,
    exp: iat + 60,
  });
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: member.did,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}
