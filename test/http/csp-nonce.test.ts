/**
 * The Content-Security-Policy nonce of every response: 128 bits from the CSPRNG, never the same
 * twice (also across the refills of its pool), and the one the header names is the one pages get.
 */
import assert from 'node:assert/strict';
import Koa from 'koa';
import request from 'supertest';
import { cspNonce, securityHeaders } from '../../src/http/security-headers.js';

describe('the CSP nonce', () => {
  it('is 16 random bytes, base64, and unique over several refills of its pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const nonce = cspNonce();
      assert.equal(Buffer.from(nonce, 'base64').length, 16);
      assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
      seen.add(nonce);
    }
    assert.equal(seen.size, 2_000);
  });

  it('is the one in the header and in ctx.state for the page, fresh per response', async () => {
    const app = new Koa();
    app.use(securityHeaders());
    app.use((ctx) => {
      ctx.body = ctx.state.cspNonce;
    });
    const server = app.callback();
    const first = await request(server).get('/').expect(200);
    const second = await request(server).get('/').expect(200);
    for (const response of [first, second]) {
      assert.ok(response.headers['content-security-policy'].includes(`'nonce-${response.text}'`));
      assert.match(response.headers['content-security-policy'], /frame-ancestors 'none'/);
    }
    assert.notEqual(first.text, second.text);
  });
});
