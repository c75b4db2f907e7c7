/**
 * The portal's page frame: landmarks (banner, navigation, main, contentinfo), a skip link, one
 * `<h1>` per page (given by the page), and the style sheet carrying this response's CSP nonce.
 * Pages are preact components rendered to strings: every interpolated value is escaped by the
 * renderer; nothing here sets raw HTML.
 */
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { CSRF_FIELD } from './csrf.js';
import { LANGUAGE_NAMES, LOCALES, type Locale, type Messages } from './i18n/index.js';

/** What every page needs from the request. */
export interface PageContext {
  /** This response's Content-Security-Policy nonce. */
  readonly nonce: string;
  /** The path of the portal below the host (PUBLIC_URL's path + `/portal`). */
  readonly base: string;
  /** The session's CSRF token when logged in (the logout form in the header needs it). */
  readonly csrf?: string;
  /** The request's language: every text of the page comes from its catalogue. */
  readonly msg: Messages;
  /** This page's path and query, where the language switch comes back to. */
  readonly here: string;
  /** The language switch's link for a page outside the portal's paths (default: the portal's `/language`). */
  readonly languageHref?: (locale: Locale) => string;
}

/** Dark text on white, links and buttons above WCAG AA contrast; readable on a phone. */
const STYLE = `
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.5;color:#1a1a1a;background:#fff;margin:0}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
header,main,footer{max-width:52rem;margin:0 auto;padding:1rem;overflow-wrap:break-word}
header{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;border-bottom:1px solid #767676}
header .site{font-weight:700;color:#1a1a1a;text-decoration:none}
nav a[aria-current]{font-weight:700;text-decoration-thickness:3px}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:0;align-items:center}
a{color:#0b4fa8}a:focus,button:focus,.table-wrap:focus{outline:3px solid #1a1a1a;outline-offset:2px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #767676;vertical-align:top}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.3rem 1rem}dt{font-weight:700}dd{margin:0;overflow-wrap:anywhere}
.button,button{display:inline-block;font:inherit;padding:.5rem 1rem;border:2px solid #0b4fa8;border-radius:.3rem;background:#0b4fa8;color:#fff;text-decoration:none;cursor:pointer}
.button.secondary,button.secondary{background:#fff;color:#0b4fa8}
button.danger{background:#a4000f;border-color:#a4000f}
.link-button{background:none;border:none;color:#0b4fa8;text-decoration:underline;padding:0}
.status{padding:.5rem 1rem;border-left:4px solid #0b4fa8;background:#eef3fb}
.error{padding:.5rem 1rem;border-left:4px solid #a4000f;background:#fbeeee}
code{overflow-wrap:anywhere}
footer{border-top:1px solid #767676;font-size:.9rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.languages{list-style:none;display:flex;gap:.75rem;margin:0;padding:0}
.table-wrap{overflow-x:auto;max-width:100%}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f4f4;padding:.5rem;font-size:.85rem}
form.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end}
form.filters label{display:flex;flex-direction:column;font-weight:700}
form.stacked>label{display:block;margin-top:.75rem;font-weight:700}
form.stacked>select,form.stacked>input,form.stacked>textarea{display:block;width:40rem;max-width:100%;font:inherit}
input,select{font:inherit;padding:.35rem;border:1px solid #595959;border-radius:.2rem;max-width:100%}
.pager{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0}
.diff{list-style:none;padding:0;font-family:ui-monospace,monospace;font-size:.85rem}
.diff li{white-space:pre-wrap;overflow-wrap:anywhere;padding:0 .3rem}
.diff .added{background:#e6f4ea;color:#0a3d1a}.diff .removed{background:#fbe9eb;color:#6b0010}
.verified{padding:.5rem 1rem;border-left:4px solid #1e6b34;background:#eaf5ec}
.qr svg{width:16rem;height:16rem;max-width:100%}
@media (max-width:40rem){dl{grid-template-columns:1fr}dd{margin-bottom:.5rem}th,td{padding:.3rem}}
`;

/** A hidden field with the session's CSRF token: every form of the portal carries one. */
export function CsrfField({ token }: { readonly token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

function Layout(props: {
  readonly page: PageContext;
  readonly title: string;
  readonly children: ComponentChildren;
}) {
  const { page } = props;
  const { t } = page.msg;
  const current = page.here.split('?')[0] ?? '';
  const links: readonly [string, string][] = [
    [`${page.base}/members`, t('nav.directory')],
    [`${page.base}/issuers`, t('nav.issuers')],
    [`${page.base}/rulebook`, t('nav.rulebook')],
    [`${page.base}/board`, t('nav.board')],
    [`${page.base}/audit`, t('nav.audit')],
    [`${page.base}/apply`, t('nav.apply')],
    [`${page.base}/consents`, t('nav.consents')],
  ];
  return (
    <html lang={page.msg.locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · ${t('site.name')}`}</title>
        <style nonce={page.nonce}>{STYLE}</style>
      </head>
      <body>
        <a class="skip" href="#main">
          {t('site.skip')}
        </a>
        <header>
          <a class="site" href={`${page.base}/`}>
            {t('site.name')}
          </a>
          <nav aria-label={t('nav.label')}>
            <ul>
              {links.map(([href, text]) => (
                <li key={href}>
                  <a
                    href={href}
                    {...(current === href || current.startsWith(`${href}/`)
                      ? { 'aria-current': 'page' }
                      : {})}
                  >
                    {text}
                  </a>
                </li>
              ))}
              {page.csrf !== undefined && (
                <li>
                  <form method="post" action={`${page.base}/logout`}>
                    <CsrfField token={page.csrf} />
                    <button type="submit" class="link-button">
                      {t('nav.logout')}
                    </button>
                  </form>
                </li>
              )}
            </ul>
          </nav>
          <nav aria-label={t('nav.language')}>
            <ul class="languages">
              {LOCALES.map((locale) => (
                <li key={locale}>
                  {locale === page.msg.locale ? (
                    <span lang={locale} aria-current="true">
                      <strong>{LANGUAGE_NAMES[locale]}</strong>
                    </span>
                  ) : (
                    <a
                      lang={locale}
                      hrefLang={locale}
                      href={
                        page.languageHref
                          ? page.languageHref(locale)
                          : `${page.base}/language?${new URLSearchParams({ lang: locale, return: page.here })}`
                      }
                    >
                      {LANGUAGE_NAMES[locale]}
                    </a>
                  )}
                </li>
              ))}
            </ul>
          </nav>
        </header>
        <main id="main">{props.children}</main>
        <footer>
          <p>{t('site.footer')}</p>
        </footer>
      </body>
    </html>
  );
}

/** Renders a page in the frame to a complete HTML document. */
export function renderPage(page: PageContext, title: string, body: ComponentChildren): string {
  return `<!doctype html>\n${renderToString(
    <Layout page={page} title={title}>
      {body}
    </Layout>,
  )}`;
}
