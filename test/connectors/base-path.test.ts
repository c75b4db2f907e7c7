/**
 * Connector tokens under a PUBLIC_URL with a path (`https://trust.example.org/trust`): the
 * assertion's audience is the prefixed issuer, the token's audience the prefixed API
 * (`…/trust/api`), and the protected route answers below the prefix.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import { anchorsDir, newActor, seatBoard } from '../governance/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { admit, jwkMember } from './support.js';

const PUBLIC_URL = 'https://trust.example.org/trust';
const ISSUER = `${PUBLIC_URL}/oidc`;

describeEachDatabase('connector tokens under a PUBLIC_URL with a path', (fresh) => {
  let service: Service | undefined;
  after(async () => service?.close());

  it('issues tokens for PUBLIC_URL/api that open /trust/api/v1/connectors/me', async function () {
    this.timeout(60_000);
    const register = await newActor();
    service = await openTestService(await fresh(), { PUBLIC_URL, TRUST_ANCHORS_DIR: anchorsDir(register) });
    const app = service.app.callback();
    const member = await jwkMember('ES256');
    await admit({ service, board: await seatBoard(service), register, basePath: '/trust' }, member);
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({
      iss: member.did,
      sub: member.did,
      aud: ISSUER,
      jti: randomUUID(),
      exp: now + 60,
    })
      .setProtectedHeader({ alg: 'ES256', kid: member.connectorKey.kid })
      .sign(member.connectorKey.key);
    const issued = await request(app)
      .post('/trust/oidc/token')
      .type('form')
      .send({
        grant_type: 'client_credentials',
        client_id: member.did,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: 'notices',
      })
      .expect(200);
    const token = issued.body.access_token as string;
    assert.equal(decodeJwt(token).aud, `${PUBLIC_URL}/api`);
    assert.equal(decodeJwt(token).iss, ISSUER);
    const answer = await request(app)
      .get('/trust/api/v1/connectors/me')
      .auth(token, { type: 'bearer' })
      .expect(200);
    assert.equal(answer.body.did, member.did);
    await request(app).get('/api/v1/connectors/me').auth(token, { type: 'bearer' }).expect(404);
  });
});
