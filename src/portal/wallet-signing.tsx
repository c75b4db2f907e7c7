/**
 * The part of a page that waits for a wallet to sign (a board member's vote, an organisation's
 * application): the QR code for a wallet on another device, the link for one on this device, and
 * the form that finishes once the wallet answered. Without JavaScript the person presses the
 * form's button; with it, a nonced script polls `statusUrl` and submits the form itself, once
 * the wallet's answer is verified or refused (the finish route then says why, with the code).
 */
import type { Messages } from './i18n/index.js';
import type { PageContext } from './layout.js';
import { CsrfField } from './layout.js';

/** The words for the code of a refused wallet answer (a fixed text per code, never the wallet's). */
export function walletRefusalText(msg: Messages, code: string): string {
  const key = `signing.refusal.${code}`;
  return msg.has(key) ? msg.t(key) : msg.t('signing.refusal.other');
}

export interface WalletSigningInput {
  /** SVG made by the qrcode library from our own request URL, never from user input. */
  readonly qrSvg: string;
  readonly crossDeviceUrl: string;
  readonly sameDeviceUrl: string;
  readonly statusUrl: string;
  readonly finishUrl: string;
}

export function WalletSigning(props: {
  readonly page: PageContext;
  readonly csrf: string;
  readonly input: WalletSigningInput;
  /** The finish button's text. */
  readonly signed: string;
}) {
  const { page, csrf, input, signed } = props;
  const { t } = page.msg;
  const script = `(function poll(){fetch(${JSON.stringify(input.statusUrl).replace(/</g, '\\u003c')},{credentials:'same-origin'}).then(function(r){return r.json();}).then(function(s){if(s.status==='presented'||s.status==='refused'){document.getElementById('finish').submit();}else{setTimeout(poll,2000);}}).catch(function(){setTimeout(poll,5000);});})();`;
  return (
    <>
      <h2>{t('workspace.otherDevice')}</h2>
      <div
        class="qr"
        id="qr"
        role="img"
        aria-label={t('workspace.qrLabel')}
        dangerouslySetInnerHTML={{ __html: input.qrSvg }}
      />
      <p>
        {t('workspace.orLink')} <code id="cross-device-url">{input.crossDeviceUrl}</code>
      </p>
      <h2>{t('workspace.thisDevice')}</h2>
      <p>
        <a class="button" id="same-device" href={input.sameDeviceUrl}>
          {t('workspace.openWallet')}
        </a>
      </p>
      <form id="finish" method="post" action={input.finishUrl}>
        <CsrfField token={csrf} />
        <p id="status" role="status">
          {t('workspace.waiting')}
        </p>
        <button type="submit">{signed}</button>
      </form>
      <script nonce={page.nonce} dangerouslySetInnerHTML={{ __html: script }} />
    </>
  );
}
