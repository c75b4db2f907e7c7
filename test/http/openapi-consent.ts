/**
 * The consent routes as the OpenAPI test drives them: each answer (201, 200, 400, 403, 404)
 * checked against the description, with real connector tokens of an admitted public authority.
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import type { Member } from '../connectors/support.js';
import type { ResponseChecker } from './openapi-check.js';
import { connectorToken } from './openapi-events.js';

const NOTICE = {
  title: 'Park & Ride app',
  purposes: ['dpv:ServiceProvision'],
  dataCategories: ['pd:Location'],
  recipients: [],
  legalBasis: 'dpv:Consent',
  retentionDays: 30,
  jurisdiction: 'DE',
  language: 'en',
  text: 'We use where you park to run the service.',
};

export async function checkConsentRoutes(
  service: Service,
  checker: ResponseChecker,
  member: Member,
): Promise<void> {
  const app = service.app.callback();
  const bearer = await connectorToken(service, member, 'notices consents:check');
  const call = async (method: 'get' | 'post', described: string, path: string, body?: object) => {
    const pending = request(app)[method](path).auth(bearer, { type: 'bearer' });
    return checker.check(method, described, await (body ? pending.send(body) : pending));
  };
  const created = await call('post', '/api/v1/notices', '/api/v1/notices', { notice: NOTICE });
  assert.equal(created.status, 201);
  const id = created.body.id as string;
  const next = await call('post', '/api/v1/notices/{id}/versions', `/api/v1/notices/${id}/versions`, {
    notice: { ...NOTICE, retentionDays: 60 },
  });
  assert.equal(next.status, 201);
  assert.equal((await call('get', '/api/v1/notices', '/api/v1/notices?limit=5')).status, 200);
  assert.equal((await call('get', '/api/v1/notices/{id}', `/api/v1/notices/${id}`)).body.version, 2);
  assert.equal(
    (await call('get', '/api/v1/notices/{id}/versions/{version}', `/api/v1/notices/${id}/versions/1`)).status,
    200,
  );
  const unknown = await call('get', '/api/v1/notices/{id}', '/api/v1/notices/notice-none');
  assert.equal(unknown.body.code, 'notice_not_found');
  const refused = await call('post', '/api/v1/notices', '/api/v1/notices', {
    notice: { ...NOTICE, retentionDays: 9999 },
  });
  assert.equal(refused.body.code, 'retention_too_long');
  const answer = await call('post', '/api/v1/consents/check', '/api/v1/consents/check', {
    subject: 'A'.repeat(43),
    purpose: 'dpv:ServiceProvision',
    dataCategory: 'pd:Location',
  });
  assert.deepEqual(answer.body.reasons, [{ code: 'no_consent' }]);
  const malformed = await call('post', '/api/v1/consents/check', '/api/v1/consents/check', { subject: 'x' });
  assert.equal(malformed.body.code, 'invalid_request');
}
