/**
 * The citizen's consent pages (issue 11 item 5): the list, one consent with its history, and the
 * confirmation step of a withdrawal. Plain forms and links: everything works without JavaScript.
 */
import type { CitizenConsent, ConsentView } from '../../consent/index.js';
import { CsrfField, type PageContext, renderPage } from '../layout.js';
import { eventText, statusText, type TermLabels, When } from './format.js';

/** The dashboard: every consent of the citizen, newest first. */
export function consentListPage(
  page: PageContext & { readonly csrf: string },
  consents: readonly CitizenConsent[],
  labels: TermLabels,
): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('consents.title'),
    <>
      <h1>{t('consents.title')}</h1>
      <p>{t('consents.intro')}</p>
      {consents.length === 0 ? (
        <p id="no-consents">{t('consents.none')}</p>
      ) : (
        <table id="consents">
          <caption>{t('consents.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('consents.organisation')}</th>
              <th scope="col">{t('consents.purposes')}</th>
              <th scope="col">{t('consents.status')}</th>
              <th scope="col">{t('consents.given')}</th>
              <th scope="col">{t('consents.until')}</th>
            </tr>
          </thead>
          <tbody>
            {consents.map((consent) => (
              <tr key={consent.id} data-consent-id={consent.id}>
                <td>
                  <a href={`${page.base}/consents/${encodeURIComponent(consent.id)}`}>
                    {consent.controllerName ?? consent.controller}
                  </a>
                  <br />
                  {consent.noticeTitle}
                </td>
                <td>
                  <ul>
                    {consent.purposes.map((purpose) => (
                      <li key={purpose}>{labels.purpose(purpose)}</li>
                    ))}
                  </ul>
                </td>
                <td>{statusText(page.msg, consent.status)}</td>
                <td>
                  <When at={consent.givenAt} msg={page.msg} />
                </td>
                <td>
                  <When at={consent.endedAt ?? consent.expiresAt} msg={page.msg} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('consents.records')}</h2>
      <p>
        <a class="button secondary" href={`${page.base}/consents/export`} download="consent-records.json">
          {t('consents.export')}
        </a>
      </p>
      <h2>{t('consents.account')}</h2>
      <p>
        <a href={`${page.base}/account/erase`}>{t('consents.erase')}</a>: {t('consents.eraseText')}
      </p>
    </>,
  );
}

/** One consent: what it covers, its history, its receipt, and the way to withdraw it. */
export function consentPage(
  page: PageContext & { readonly csrf: string },
  consent: ConsentView & { readonly controllerName?: string; readonly noticeTitle?: string },
  labels: TermLabels,
  message?: string,
): string {
  const base = `${page.base}/consents/${encodeURIComponent(consent.id)}`;
  const name = consent.controllerName ?? consent.controller;
  const { t } = page.msg;
  return renderPage(
    page,
    t('consent.title', { name }),
    <>
      <h1>{t('consent.title', { name })}</h1>
      {message && (
        <p class="status" role="status" id="message">
          {message}
        </p>
      )}
      <dl id="consent-facts">
        <dt>{t('consents.status')}</dt>
        <dd id="consent-status">{statusText(page.msg, consent.status)}</dd>
        <dt>{t('consents.organisation')}</dt>
        <dd>
          {name}
          <br />
          <code>{consent.controller}</code>
        </dd>
        {consent.noticeTitle && (
          <>
            <dt>{t('consent.notice')}</dt>
            <dd>
              {t('consent.noticeVersion', { title: consent.noticeTitle, version: consent.notice.version })}
            </dd>
          </>
        )}
        <dt>{t('consents.given')}</dt>
        <dd>
          <When at={consent.givenAt} msg={page.msg} />
        </dd>
        <dt>{consent.endedAt ? t('consent.ended') : t('consent.expires')}</dt>
        <dd>
          <When at={consent.endedAt ?? consent.expiresAt} msg={page.msg} />
        </dd>
        <dt>{t('consent.legalBasis')}</dt>
        <dd>{labels.legalBasis(consent.legalBasis)}</dd>
        <dt>{t('consent.recipients')}</dt>
        <dd>
          {consent.recipients.length === 0 ? (
            t('consent.noRecipients')
          ) : (
            <ul>
              {consent.recipients.map((recipient) => (
                <li key={recipient}>
                  <code>{recipient}</code>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      <h2>{t('consents.purposes')}</h2>
      <ul id="purposes">
        {consent.purposes.map((purpose) => (
          <li key={purpose}>{labels.purpose(purpose)}</li>
        ))}
      </ul>
      <h2>{t('consent.data')}</h2>
      <ul>
        {consent.dataCategories.map((category) => (
          <li key={category}>{labels.dataCategory(category)}</li>
        ))}
      </ul>
      <h2>{t('consent.history')}</h2>
      <table id="history">
        <caption>{t('consent.historyCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('common.when')}</th>
            <th scope="col">{t('common.what')}</th>
            <th scope="col">{t('consent.by')}</th>
          </tr>
        </thead>
        <tbody>
          {consent.history.map((event) => (
            <tr key={event.seq}>
              <td>
                <When at={event.at} msg={page.msg} />
              </td>
              <td>{eventText(page.msg, event.event)}</td>
              <td>{event.actor === 'citizen' ? t('consent.byYou') : t('consent.byService')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('consent.receipt')}</h2>
      <p>{t('consent.receiptText')}</p>
      <p>
        <a
          class="button secondary"
          id="download-receipt"
          href={`${base}/receipt`}
          download={`${consent.id}.jwt`}
        >
          {t('consent.downloadReceipt')}
        </a>
      </p>
      {consent.status === 'given' && (
        <>
          <h2>{t('consent.withdraw')}</h2>
          <p>
            <a class="button" id="withdraw" href={`${base}/withdraw`}>
              {t('consent.withdrawButton')}
            </a>
          </p>
        </>
      )}
    </>,
  );
}

/** The confirmation step of a withdrawal: one form, one button. */
export function withdrawPage(
  page: PageContext & { readonly csrf: string },
  consent: ConsentView & { readonly controllerName?: string },
  labels: TermLabels,
): string {
  const base = `${page.base}/consents/${encodeURIComponent(consent.id)}`;
  const name = consent.controllerName ?? consent.controller;
  const { t } = page.msg;
  return renderPage(
    page,
    t('withdraw.title'),
    <>
      <h1>{t('withdraw.heading', { name })}</h1>
      <p>{t('withdraw.intro', { name })}</p>
      <ul>
        {consent.purposes.map((purpose) => (
          <li key={purpose}>{labels.purpose(purpose)}</li>
        ))}
      </ul>
      <p>{t('withdraw.after')}</p>
      <form method="post" action={`${base}/withdraw`}>
        <CsrfField token={page.csrf} />
        <button type="submit" class="danger" id="confirm-withdraw">
          {t('withdraw.confirm')}
        </button>{' '}
        <a class="button secondary" href={base}>
          {t('withdraw.cancel')}
        </a>
      </form>
    </>,
  );
}
