/**
 * The end of a same-device login (OpenID4VP 1.0 §8.2): the verifier answers the wallet's
 * `direct_post` with a `redirect_uri`, and the wallet sends the user agent there, so that the
 * browser that started the login (holding its session) finishes it. A wallet app does that by
 * opening the URL; the CLI wallet does the same with the system's browser opener.
 */
import { spawn } from 'node:child_process';
import { WalletError } from './errors.js';

/** Opens a URL in the user's browser. */
export type OpenInBrowser = (url: string) => Promise<void>;

/** How long an opener may run before it counts as the browser itself (which runs until closed). */
const OPENER_EXIT_WAIT_MS = 3_000;

/**
 * The system's opener: `$BROWSER` when set (the command gets the URL as its one argument), else
 * `xdg-open` (Linux and others), `open` (macOS), or `start` (Windows). Resolves once the opener
 * exited 0, or is still running after a few seconds (a browser started directly); rejects
 * `browser_not_opened` when it cannot be run or exits with another status (e.g. xdg-open on a
 * server without a desktop: "no method available", exit 3).
 */
export function systemBrowser(
  options: { readonly browser?: string | undefined; readonly platform?: NodeJS.Platform } = {},
): OpenInBrowser {
  const platform = options.platform ?? process.platform;
  return (url) => {
    const [command, args]: [string, string[]] = options.browser
      ? [options.browser, [url]]
      : platform === 'darwin'
        ? ['open', [url]]
        : platform === 'win32'
          ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
          : ['xdg-open', [url]];
    return new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, { stdio: 'ignore', detached: true });
      const running = setTimeout(() => {
        child.unref();
        resolve();
      }, OPENER_EXIT_WAIT_MS);
      child.once('error', (cause) => {
        clearTimeout(running);
        reject(new WalletError('browser_not_opened', `${command} could not be run: ${cause.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(running);
        if (code === 0) resolve();
        else
          reject(
            new WalletError('browser_not_opened', `${command} exited with ${signal ?? `status ${code}`}`),
          );
      });
    });
  };
}

/**
 * The `redirect_uri` a verifier answered is opened only when it is an http(s) URL of the
 * verifier's own origin (that of its `response_uri`): a wallet does not open whatever a
 * response names.
 */
export function checkRedirectUri(redirectUri: string, responseUri: string): URL {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    throw new WalletError('invalid_redirect_uri', 'the verifier answered a redirect_uri that is not a URL');
  }
  if (!['https:', 'http:'].includes(url.protocol) || url.origin !== new URL(responseUri).origin)
    throw new WalletError(
      'invalid_redirect_uri',
      `the verifier answered a redirect_uri outside its own origin (${new URL(responseUri).origin})`,
    );
  return url;
}
