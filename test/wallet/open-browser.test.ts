import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkRedirectUri, systemBrowser } from '../../src/wallet/open-browser.js';

describe('the same-device redirect (OpenID4VP 1.0 §8.2): the wallet opens it in the browser', () => {
  const responseUri = 'https://trust.example/oid4vp/response';

  it('opens a redirect_uri of the verifier’s own origin', () => {
    assert.equal(
      checkRedirectUri('https://trust.example/oidc/interaction/x/callback?response_code=abc', responseUri)
        .href,
      'https://trust.example/oidc/interaction/x/callback?response_code=abc',
    );
  });

  for (const redirect of [
    'https://evil.example/oidc/interaction/x/callback',
    'http://trust.example/callback',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'not a url',
  ]) {
    it(`refuses to open ${redirect}: invalid_redirect_uri`, () => {
      assert.throws(() => checkRedirectUri(redirect, responseUri), { code: 'invalid_redirect_uri' });
    });
  }

  it('runs $BROWSER with the URL as its one argument', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dst-browser-'));
    const script = join(dir, 'browser.sh');
    const out = join(dir, 'opened');
    writeFileSync(script, `#!/bin/sh\nprintf '%s' "$1" > '${out}'\n`, { mode: 0o755 });
    const url = 'http://localhost:3000/oidc/interaction/x/callback?response_code=a&b=c';
    await systemBrowser({ browser: script })(url);
    for (let i = 0; i < 100; i++) {
      try {
        if (readFileSync(out, 'utf8') === url) return;
      } catch {
        // not written yet
      }
      await sleep(20);
    }
    assert.fail('the browser command did not receive the URL');
  });

  it('says browser_not_opened when the opener exits with an error (xdg-open without a desktop: exit 3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dst-browser-'));
    const script = join(dir, 'no-desktop.sh');
    writeFileSync(script, '#!/bin/sh\necho "xdg-open: no method available for opening" >&2\nexit 3\n', {
      mode: 0o755,
    });
    await assert.rejects(systemBrowser({ browser: script })('https://trust.example/'), {
      code: 'browser_not_opened',
      message: /status 3/,
    });
  });

  it('counts an opener still running after a few seconds as the browser itself, opened', async function () {
    this.timeout(10_000);
    const dir = mkdtempSync(join(tmpdir(), 'dst-browser-'));
    const script = join(dir, 'browser.sh');
    writeFileSync(script, '#!/bin/sh\nsleep 6\n', { mode: 0o755 });
    await systemBrowser({ browser: script })('https://trust.example/');
  });

  it('says browser_not_opened when the opener cannot be run', async () => {
    await assert.rejects(systemBrowser({ browser: '/nonexistent/browser' })('https://trust.example/'), {
      code: 'browser_not_opened',
    });
  });
});
