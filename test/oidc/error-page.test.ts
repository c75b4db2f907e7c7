import { strict as assert } from 'node:assert';
import { renderProviderError } from '../../src/oidc/error-page.js';

describe('OpenID Connect Core §3.1.2.6: the page shown when the browser cannot go back to the application', () => {
  it('explains a client that may not sign people in any more (invalid_client) and keeps the code', () => {
    const html = renderProviderError(
      { error: 'invalid_client', error_description: 'client is invalid' },
      'n0nce',
    );
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<main>/);
    assert.match(html, /may be suspended or no longer a member/);
    assert.match(html, /<code id="error-code">invalid_client<\/code>/);
    assert.match(html, /<style nonce="n0nce">/);
    assert.doesNotMatch(html, /<script/);
  });

  it('escapes every value it is given, the code and the description alike', () => {
    const html = renderProviderError(
      { error: '<img src=x onerror=alert(1)>', error_description: '"><script>alert(1)</script>' },
      '"><script>',
    );
    assert.doesNotMatch(html, /<script>|<img/);
    assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    assert.match(html, /The sign-in could not continue\./, 'an unknown code gets the general explanation');
  });

  it('says server_error when oidc-provider passes no code', () => {
    assert.match(renderProviderError({}, ''), /<code id="error-code">server_error<\/code>/);
  });
});
