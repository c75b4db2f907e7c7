/**
 * The page the provider shows when it cannot send the browser back to the application (an
 * unknown or no-longer-allowed client, a redirect URI it does not know, a request it cannot
 * parse): OpenID Connect Core §3.1.2.6 forbids redirecting to an unverified `redirect_uri`, so
 * the person reads the error here. oidc-provider's own page is a bare, unstyled dump; this one
 * says in plain words what happened and what to do, keeps the OAuth code for support, escapes
 * every value, and carries the response's CSP nonce on its only inline style.
 */

/** What oidc-provider passes to `renderError`. */
export interface ProviderErrorOut {
  readonly error?: unknown;
  readonly error_description?: unknown;
}

const EXPLANATIONS: Readonly<Record<string, string>> = {
  invalid_client:
    'The application that sent you here is not allowed to sign people in through this service right now. Its organisation may be suspended or no longer a member of the data space.',
  unauthorized_client: 'The application that sent you here may not make this kind of request.',
  invalid_redirect_uri:
    'The application that sent you here asked to be answered at an address it has not registered, so you were not sent back to it.',
  invalid_request: 'The request from the application that sent you here is not valid.',
  invalid_authorization_details: 'The consent the application asked for cannot be given here.',
  access_denied: 'The sign-in was cancelled or refused.',
  temporarily_unavailable:
    'This service cannot complete sign-ins at the moment. Please try again in a few minutes.',
};

const FALLBACK = 'The sign-in could not continue.';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The HTML of the provider's error page. */
export function renderProviderError(out: ProviderErrorOut, nonce: string): string {
  const code = typeof out.error === 'string' ? out.error : 'server_error';
  const description = typeof out.error_description === 'string' ? out.error_description : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in could not continue</title>
<style nonce="${escapeHtml(nonce)}">body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:0 .2rem}</style>
</head>
<body>
<main>
<h1>Sign-in could not continue</h1>
<p id="explanation">${escapeHtml(EXPLANATIONS[code] ?? FALLBACK)}</p>
${description ? `<p id="description">${escapeHtml(description)}</p>` : ''}
<p>Go back to the application and try again, or contact the organisation that runs it. If you ask for help, quote this code: <code id="error-code">${escapeHtml(code)}</code></p>
</main>
</body>
</html>
`;
}
