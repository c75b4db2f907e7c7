/** The trusted issuers (issue 14 item 1): the trusted-issuer registry, a page at a time. */
import { isHttpsIssuerId, type RegistryPage } from '../../trust/index.js';
import { type PageContext, renderPage } from '../layout.js';
import { memberHref } from './directory.js';
import { Code, Pager, TableWrap, When, withQuery } from './parts.js';

export function issuersPage(page: PageContext, result: RegistryPage, after: string | undefined): string {
  const { t } = page.msg;
  const path = `${page.base}/issuers`;
  return renderPage(
    page,
    t('issuers.title'),
    <>
      <h1>{t('issuers.title')}</h1>
      <p>{t('issuers.intro', { count: page.msg.number(result.total) })}</p>
      <p>
        {t('issuers.api')}{' '}
        <a href={`${page.base.replace(/\/portal$/, '')}/api/v1/trusted-issuers`}>/api/v1/trusted-issuers</a>
      </p>
      <TableWrap label={t('issuers.caption')}>
        <table id="issuers">
          <caption>{t('issuers.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('issuers.issuer')}</th>
              <th scope="col">{t('issuers.types')}</th>
              <th scope="col">{t('issuers.source')}</th>
              <th scope="col">{t('issuers.validity')}</th>
            </tr>
          </thead>
          <tbody>
            {result.items.map((issuer) => (
              <tr key={issuer.did} data-did={issuer.did}>
                <td>
                  {issuer.source === 'member' ? (
                    <a href={memberHref(page.base, issuer.did)}>{issuer.name}</a>
                  ) : (
                    issuer.name
                  )}
                  <br />
                  <Code>{issuer.did}</Code>
                  {isHttpsIssuerId(issuer.did) && (
                    <>
                      <br />
                      {t('issuers.httpsIssuer')}
                    </>
                  )}
                </td>
                <td>
                  <ul>
                    {issuer.credentialTypes.map((type) => (
                      <li key={type}>
                        <code>{type}</code>
                      </li>
                    ))}
                  </ul>
                </td>
                <td>{t(`issuers.source.${issuer.source}`)}</td>
                <td>
                  {issuer.validity.from || issuer.validity.until ? (
                    <>
                      {issuer.validity.from && <When at={issuer.validity.from} msg={page.msg} />}
                      {' – '}
                      {issuer.validity.until && <When at={issuer.validity.until} msg={page.msg} />}
                    </>
                  ) : (
                    t('issuers.always')
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <Pager
        msg={page.msg}
        label={t('paging.label')}
        {...(after ? { first: path } : {})}
        {...(result.next ? { next: withQuery(path, { after: result.next }) } : {})}
      />
    </>,
  );
}
