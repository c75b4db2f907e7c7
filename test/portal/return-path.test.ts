import { strict as assert } from 'node:assert';
import { safeReturn } from '../../src/portal/return-path.js';

describe('the portal’s return paths (?return=): only the portal’s own pages', () => {
  it('keeps a path of the portal, with its query', () => {
    assert.equal(safeReturn('/portal/members?q=city', '/portal'), '/portal/members?q=city');
  });

  it('refuses what a browser would resolve outside the portal, and other sites', () => {
    for (const hostile of [
      '/portal/../../evil',
      '/portal/%2e%2e/evil',
      '/portal/.%2E/.%2e/evil',
      '//evil.example/portal/',
      'https://evil.example/portal/',
      '/portal\\..\\evil',
      '/portal/x\r\nLocation: https://evil.example',
      '/portalx/',
      42,
    ]) {
      assert.equal(safeReturn(hostile, '/portal', '/portal/'), '/portal/', String(hostile));
    }
  });
});
