/** The portal's home page: what the service is, and links to every public page. */
import { type PageContext, renderPage } from '../layout.js';

export function homePage(page: PageContext): string {
  const { t } = page.msg;
  const sections: readonly [string, string, string, string][] = [
    ['members', `${page.base}/members`, t('nav.directory'), t('home.directory')],
    ['issuers', `${page.base}/issuers`, t('nav.issuers'), t('home.issuers')],
    ['rulebook', `${page.base}/rulebook`, t('nav.rulebook'), t('home.rulebook')],
    ['board', `${page.base}/board`, t('nav.board'), t('home.board')],
    ['audit', `${page.base}/audit`, t('nav.audit'), t('home.audit')],
    ['consents', `${page.base}/consents`, t('nav.consents'), t('home.consents')],
  ];
  return renderPage(
    page,
    t('home.title'),
    <>
      <h1>{t('home.title')}</h1>
      <p>{t('home.intro')}</p>
      <ul id="sections">
        {sections.map(([id, href, title, text]) => (
          <li key={id}>
            <a href={href} id={`home-${id}`}>
              {title}
            </a>
            : {text}
          </li>
        ))}
      </ul>
    </>,
  );
}
