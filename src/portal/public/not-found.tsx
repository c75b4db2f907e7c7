/** A readable 404: what was looked for, that nothing has this name, where to look instead. */
import { type PageContext, renderPage } from '../layout.js';

export type Missing = 'member' | 'rulebook' | 'motion';

export function notFoundPage(page: PageContext, what: Missing, name: string): string {
  const { t } = page.msg;
  const back: Readonly<Record<Missing, string>> = {
    member: `${page.base}/members`,
    rulebook: `${page.base}/rulebook`,
    motion: `${page.base}/board`,
  };
  return renderPage(
    page,
    t(`notFound.${what}.title`),
    <>
      <h1>{t(`notFound.${what}.title`)}</h1>
      <p class="error" role="alert">
        {t(`notFound.${what}.text`)}
      </p>
      <p>
        <code id="not-found-name">{name}</code>
      </p>
      <p>
        {t('error.code')} <code id="error-code">not_found</code>
      </p>
      <p>
        <a href={back[what]}>{t(`notFound.${what}.back`)}</a>
      </p>
    </>,
  );
}
