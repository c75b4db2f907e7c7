/** The portal's other pages: log in, logged out, erase the account (with its confirmation), errors. */
import type { ErasureResult } from '../../consent/index.js';
import { CsrfField, type PageContext, renderPage } from '../layout.js';

/** Shown at the dashboard's address without a session: the way in. */
export function loginPage(page: PageContext, returnTo: string): string {
  return renderPage(
    page,
    'Log in',
    <>
      <h1>See and manage your consents</h1>
      <p>
        Log in with your wallet to see which organisations you have allowed to use data about you, download
        your receipts and records, and withdraw any consent.
      </p>
      <p>
        <a
          class="button"
          id="login"
          href={`${page.base}/login?${new URLSearchParams({ return: returnTo }).toString()}`}
        >
          Log in with my wallet
        </a>
      </p>
    </>,
  );
}

export function loggedOutPage(page: PageContext): string {
  return renderPage(
    page,
    'Logged out',
    <>
      <h1>You are logged out</h1>
      <p>
        <a href={`${page.base}/consents`}>Log in again</a>
      </p>
    </>,
  );
}

/** The confirmation step of an erasure. */
export function erasePage(page: PageContext & { readonly csrf: string }): string {
  return renderPage(
    page,
    'Erase my account',
    <>
      <h1>Erase your account?</h1>
      <p>Erasing your account:</p>
      <ul>
        <li>withdraws every consent that is still active, and tells the organisations at once;</li>
        <li>deletes the records whose retention period is over;</li>
        <li>
          removes what links the other records to you: the organisations keep them, without knowing who you
          are here, until the rulebook’s retention period ends, so that they can show the consent they relied
          on;
        </li>
        <li>logs you out.</li>
      </ul>
      <p>Download your records first if you want to keep them. This cannot be undone.</p>
      <form method="post" action={`${page.base}/account/erase`}>
        <CsrfField token={page.csrf} />
        <button type="submit" class="danger" id="confirm-erase">
          Yes, erase my account
        </button>{' '}
        <a class="button secondary" href={`${page.base}/consents`}>
          No, go back
        </a>
      </form>
    </>,
  );
}

export function erasedPage(page: PageContext, result: ErasureResult): string {
  return renderPage(
    page,
    'Account erased',
    <>
      <h1>Your account is erased</h1>
      <ul id="erasure">
        <li>Consents withdrawn: {result.withdrawn}</li>
        <li>Records deleted: {result.deleted}</li>
        <li>Records kept without any link to you until their retention ends: {result.unlinked}</li>
      </ul>
      <p>You are logged out.</p>
    </>,
  );
}

/** A refusal, with its stable code (tests and support staff read it). */
export function errorPage(
  page: PageContext,
  error: { readonly status: number; readonly code: string; readonly title: string; readonly detail?: string },
): string {
  return renderPage(
    page,
    error.title,
    <>
      <h1>{error.title}</h1>
      <p class="error" role="alert">
        {error.detail ?? error.title}
      </p>
      <p>
        Error code: <code id="error-code">{error.code}</code>
      </p>
      <p>
        <a href={`${page.base}/consents`}>Back to my consents</a>
      </p>
    </>,
  );
}
