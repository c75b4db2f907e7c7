/**
 * A board seat's credential page (docs/portal.md, "Receiving a seat's BoardMemberCredential"):
 * the active seats to choose from, then the OpenID4VCI offer of the chosen seat's
 * BoardMemberCredential as a QR code and link. The offer needs no transaction code: the
 * credential names the seat holder's DID, and the issuer hands it only to a wallet that signs its
 * key proof with a key of that DID.
 */
import type { OfferPresentation } from '../../oid4vci/offer-links.js';
import { CredentialOffer } from '../credential-offer.js';
import { CsrfField, type PageContext, renderPage } from '../layout.js';

export interface SeatChoice {
  readonly did: string;
  readonly name: string;
}

export function seatChoicePage(page: PageContext, csrf: string, seats: readonly SeatChoice[]): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('seat.title'),
    <>
      <h1>{t('seat.title')}</h1>
      <p>{t('seat.intro')}</p>
      {seats.length === 0 ? (
        <p id="no-seats">{t('seat.none')}</p>
      ) : (
        <form method="post" action={`${page.base}/board/seat`}>
          <CsrfField token={csrf} />
          <fieldset>
            <legend>{t('seat.choose')}</legend>
            {seats.map((seat, index) => (
              <div>
                <input
                  type="radio"
                  name="seat"
                  id={`seat-${index}`}
                  value={seat.did}
                  required
                  checked={seats.length === 1}
                />{' '}
                <label for={`seat-${index}`}>
                  {seat.name} <code>{seat.did}</code>
                </label>
              </div>
            ))}
          </fieldset>
          <p>
            <button type="submit" id="show-seat-offer">
              {t('seat.showOffer')}
            </button>
          </p>
        </form>
      )}
    </>,
  );
}

export function seatOfferPage(page: PageContext, seat: SeatChoice, offer: OfferPresentation): string {
  const { t } = page.msg;
  return renderPage(
    page,
    t('seat.title'),
    <>
      <h1>{t('seat.title')}</h1>
      <p id="seat-holder">
        {t('seat.offerFor', { name: seat.name })} <code>{seat.did}</code>
      </p>
      <p>{t('seat.offerIntro')}</p>
      <CredentialOffer page={page} offer={offer} />
      <p>
        <a href={`${page.base}/board/workspace`}>{t('seat.toWorkspace')}</a>
      </p>
    </>,
  );
}
