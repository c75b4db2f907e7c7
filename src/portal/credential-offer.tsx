/**
 * An OpenID4VCI credential offer as a page shows it: the QR code of the
 * `openid-credential-offer://` link by reference (for a wallet on another device), the link
 * itself (for one on this device), the transaction code when the offer has one, and until when
 * it can be used. Shared by the applicant's status page and the board seat's page.
 */
import type { OfferPresentation } from '../oid4vci/offer-links.js';
import type { PageContext } from './layout.js';

export function CredentialOffer(props: { page: PageContext; offer: OfferPresentation }) {
  const { t, dateTime } = props.page.msg;
  const { offer } = props;
  return (
    <>
      {/* The QR code is SVG made by the qrcode library from our own URL, not from user input. */}
      <div
        class="qr"
        id="offer-qr"
        role="img"
        aria-label={t('offer.qr')}
        dangerouslySetInnerHTML={{ __html: offer.qrCodeSvg }}
      />
      <p>
        {t('offer.link')} <code id="offer-link">{offer.links.byReference}</code>
      </p>
      {offer.txCode && (
        <p>
          {t('offer.txCode')} <code id="tx-code">{offer.txCode}</code>
        </p>
      )}
      <p>{t('offer.expires', { date: dateTime(offer.expiresAt) })}</p>
    </>
  );
}
