/**
 * The wallet login page of the OpenID Connect provider's interactions (OpenID4VP 1.0 with DCQL),
 * in the portal's frame: the relying party by its registered name, what it asks for in plain
 * language, a QR code for a wallet on another device, a link for a wallet on this one, and a
 * small nonced script that polls for a cross-device answer (a plain link does the same without
 * JavaScript). The wallet login capability (src/oid4vp) gets this renderer from the composition
 * root: the portal is a face, the capability does not import it.
 */
import type { LoginPageRequest, LoginPageView } from '../oid4vp/page.js';
import { isLocale, messages, negotiateLocale } from './i18n/index.js';
import { type PageContext, renderPage } from './layout.js';
import { PORTAL_PATH } from './routes.js';

/**
 * The renderer the composition root gives the wallet login (src/oid4vp/page.ts): the language
 * from `?lang=` (the page's own switch), else the portal's language cookie, else Accept-Language.
 */
export function walletLoginRenderer(
  publicUrl: string,
): (request: LoginPageRequest, view: LoginPageView) => string {
  const base = `${new URL(publicUrl).pathname.replace(/\/$/, '')}${PORTAL_PATH}`;
  return (request, view) => {
    const locale = isLocale(request.language)
      ? request.language
      : negotiateLocale(request.languageCookie, request.acceptLanguage);
    return walletLoginPage(
      {
        nonce: request.nonce,
        base,
        msg: messages(locale),
        here: request.path,
        languageHref: (other) => `${request.path}?${new URLSearchParams({ lang: other })}`,
      },
      view,
    );
  };
}

export function walletLoginPage(page: PageContext, view: LoginPageView): string {
  const { t } = page.msg;
  const script = `(function poll(){fetch(${JSON.stringify(view.statusUrl).replace(/</g, '\\u003c')},{credentials:'same-origin'}).then(function(r){return r.json();}).then(function(s){if(s.status==='presented'&&s.continue){window.location.assign(s.continue);}else{setTimeout(poll,2000);}}).catch(function(){setTimeout(poll,5000);});})();`;
  const scopes = view.scopes.filter((scope) => page.msg.has(`wallet.scope.${scope}`));
  return renderPage(
    page,
    t('wallet.title'),
    <>
      <h1>{t('wallet.title')}</h1>
      <p id="client">{t('wallet.asks', { name: view.clientName })}</p>
      {scopes.length > 0 && (
        <>
          <p>{t('wallet.scopes')}</p>
          <ul id="scopes">
            {scopes.map((scope) => (
              <li key={scope}>{t(`wallet.scope.${scope}` as Parameters<typeof t>[0])}</li>
            ))}
          </ul>
        </>
      )}
      <h2>{t('wallet.otherDevice')}</h2>
      {/* The QR code is SVG made by the qrcode library from our own URL, not from user input. */}
      <div
        class="qr"
        id="qr"
        role="img"
        aria-label={t('wallet.qr')}
        dangerouslySetInnerHTML={{ __html: view.qrSvg }}
      />
      <p>
        {t('wallet.link')} <code id="cross-device-url">{view.crossDeviceUrl}</code>
      </p>
      <p>
        <a id="continue" href={view.continueUrl}>
          {t('wallet.continue')}
        </a>
      </p>
      <h2>{t('wallet.thisDevice')}</h2>
      <p>
        <a class="button" id="same-device" href={view.sameDeviceUrl}>
          {t('wallet.open')}
        </a>
      </p>
      <p id="status" role="status" class="status">
        {t('wallet.waiting')}
      </p>
      <script nonce={page.nonce} dangerouslySetInnerHTML={{ __html: script }} />
    </>,
  );
}
