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
  return renderPage(
    page,
    'My consents',
    <>
      <h1>My consents</h1>
      <p>
        Every organisation you have allowed to use data about you, for which purposes, and since when. You can
        withdraw any consent at once; the organisation is told straight away.
      </p>
      {consents.length === 0 ? (
        <p id="no-consents">You have not given any consent yet.</p>
      ) : (
        <table id="consents">
          <caption>Your consents, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Organisation</th>
              <th scope="col">Purposes</th>
              <th scope="col">Status</th>
              <th scope="col">Given</th>
              <th scope="col">Until</th>
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
                <td>{statusText(consent.status)}</td>
                <td>
                  <When at={consent.givenAt} />
                </td>
                <td>
                  <When at={consent.endedAt ?? consent.expiresAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Your records</h2>
      <p>
        <a class="button secondary" href={`${page.base}/consents/export`} download="consent-records.json">
          Download all my consent records (JSON, ISO/IEC TS 27560)
        </a>
      </p>
      <h2>Your account</h2>
      <p>
        <a href={`${page.base}/account/erase`}>Erase my account</a>: withdraws every active consent and
        removes what links the records to you, as far as the rulebook’s retention allows.
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
  return renderPage(
    page,
    `Consent to ${name}`,
    <>
      <h1>Consent to {name}</h1>
      {message && (
        <p class="status" role="status" id="message">
          {message}
        </p>
      )}
      <dl id="consent-facts">
        <dt>Status</dt>
        <dd id="consent-status">{statusText(consent.status)}</dd>
        <dt>Organisation</dt>
        <dd>
          {name}
          <br />
          <code>{consent.controller}</code>
        </dd>
        {consent.noticeTitle && (
          <>
            <dt>Notice</dt>
            <dd>
              {consent.noticeTitle} (version {consent.notice.version})
            </dd>
          </>
        )}
        <dt>Given</dt>
        <dd>
          <When at={consent.givenAt} />
        </dd>
        <dt>{consent.endedAt ? 'Ended' : 'Expires'}</dt>
        <dd>
          <When at={consent.endedAt ?? consent.expiresAt} />
        </dd>
        <dt>Legal basis</dt>
        <dd>{labels.legalBasis(consent.legalBasis)}</dd>
        <dt>Recipients</dt>
        <dd>
          {consent.recipients.length === 0 ? (
            'None besides the organisation'
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
      <h2>Purposes</h2>
      <ul id="purposes">
        {consent.purposes.map((purpose) => (
          <li key={purpose}>{labels.purpose(purpose)}</li>
        ))}
      </ul>
      <h2>Data about you</h2>
      <ul>
        {consent.dataCategories.map((category) => (
          <li key={category}>{labels.dataCategory(category)}</li>
        ))}
      </ul>
      <h2>History</h2>
      <table id="history">
        <caption>What happened to this consent, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {consent.history.map((event) => (
            <tr key={event.seq}>
              <td>
                <When at={event.at} />
              </td>
              <td>{eventText(event.event)}</td>
              <td>{event.actor === 'citizen' ? 'You' : 'The trust service'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Receipt</h2>
      <p>
        The receipt is a credential signed by the trust service. Anyone can check it, and it shows as revoked
        once the consent has ended.
      </p>
      <p>
        <a
          class="button secondary"
          id="download-receipt"
          href={`${base}/receipt`}
          download={`${consent.id}.jwt`}
        >
          Download the receipt
        </a>
      </p>
      {consent.status === 'given' && (
        <>
          <h2>Withdraw</h2>
          <p>
            <a class="button" id="withdraw" href={`${base}/withdraw`}>
              Withdraw this consent
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
  return renderPage(
    page,
    'Withdraw consent',
    <>
      <h1>Withdraw your consent to {name}?</h1>
      <p>From the moment you confirm, {name} and its recipients may no longer use data about you for:</p>
      <ul>
        {consent.purposes.map((purpose) => (
          <li key={purpose}>{labels.purpose(purpose)}</li>
        ))}
      </ul>
      <p>
        They are told at once. The receipt shows as revoked. This cannot be undone; you can consent again
        later.
      </p>
      <form method="post" action={`${base}/withdraw`}>
        <CsrfField token={page.csrf} />
        <button type="submit" class="danger" id="confirm-withdraw">
          Yes, withdraw my consent
        </button>{' '}
        <a class="button secondary" href={base}>
          No, keep it
        </a>
      </form>
    </>,
  );
}
