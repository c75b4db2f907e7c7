/** The portal's other pages: log in, logged out, erase the account (with its confirmation), errors. */
import type { ErasureResult } from '../../consent/index.js';
import { CsrfField, type PageContext, renderPage } from '../layout.js';

/** Shown at the dashboard's address without a session: the way in. */
export function loginPage(page: PageContext, returnTo: string): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('login.title'),
    <>
      <h1>{t('login.heading')}</h1>
      <p>{t('login.intro')}</p>
      <p>
        <a
          class="button"
          id="login"
          href={`${page.base}/login?${new URLSearchParams({ return: returnTo }).toString()}`}
        >
          {t('login.button')}
        </a>
      </p>
    </>,
  );
}

export function loggedOutPage(page: PageContext): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('loggedOut.title'),
    <>
      <h1>{t('loggedOut.heading')}</h1>
      <p>
        <a href={`${page.base}/consents`}>{t('loggedOut.again')}</a>
      </p>
    </>,
  );
}

/** The confirmation step of an erasure. */
export function erasePage(page: PageContext & { readonly csrf: string }): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('erase.title'),
    <>
      <h1>{t('erase.heading')}</h1>
      <p>{t('erase.intro')}</p>
      <ul>
        <li>{t('erase.withdraws')}</li>
        <li>{t('erase.deletes')}</li>
        <li>{t('erase.unlinks')}</li>
        <li>{t('erase.logsOut')}</li>
      </ul>
      <p>{t('erase.warning')}</p>
      <form method="post" action={`${page.base}/account/erase`}>
        <CsrfField token={page.csrf} />
        <button type="submit" class="danger" id="confirm-erase">
          {t('erase.confirm')}
        </button>{' '}
        <a class="button secondary" href={`${page.base}/consents`}>
          {t('erase.cancel')}
        </a>
      </form>
    </>,
  );
}

export function erasedPage(page: PageContext, result: ErasureResult): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('erased.title'),
    <>
      <h1>{t('erased.heading')}</h1>
      <ul id="erasure">
        <li>{t('erased.withdrawn', { count: page.msg.number(result.withdrawn) })}</li>
        <li>{t('erased.deleted', { count: page.msg.number(result.deleted) })}</li>
        <li>{t('erased.unlinked', { count: page.msg.number(result.unlinked) })}</li>
      </ul>
      <p>{t('erased.loggedOut')}</p>
    </>,
  );
}

/**
 * A refusal, with its stable code (tests and support staff read it). The title is the page's
 * language's for the status; the detail is the capability's own sentence.
 */
export function errorPage(
  page: PageContext,
  error: { readonly status: number; readonly code: string; readonly title: string; readonly detail?: string },
): string {
  const { t } = page.msg;
  const key = `error.title.${error.status}`;
  const title = page.msg.has(key) ? t(key) : error.title;
  return renderPage(
    page,
    title,
    <>
      <h1>{title}</h1>
      <p class="error" role="alert">
        {error.detail ?? error.title}
      </p>
      <p>
        {t('error.code')} <code id="error-code">{error.code}</code>
      </p>
      <p>
        <a href={`${page.base}/`}>{t('error.home')}</a> ·{' '}
        <a href={`${page.base}/consents`}>{t('error.back')}</a>
      </p>
    </>,
  );
}
