/**
 * How an offer is shown to a person: the `openid-credential-offer://` link by reference (short
 * enough for a QR code) and by value, the QR code as SVG, and the transaction code to be typed
 * into the wallet.
 */
import QRCode from 'qrcode';
import type { CreatedOffer } from './offers.js';

export interface OfferPresentation {
  readonly credentialOffer: CreatedOffer['offer'];
  readonly credentialOfferUri: string;
  readonly links: { readonly byReference: string; readonly byValue: string };
  /** An SVG image of the QR code of the link by reference. */
  readonly qrCodeSvg: string;
  readonly txCode?: string;
  readonly expiresAt: string;
}

export async function presentOffer(created: CreatedOffer): Promise<OfferPresentation> {
  return {
    credentialOffer: created.offer,
    credentialOfferUri: created.offerUri,
    links: { byReference: created.byReference, byValue: created.byValue },
    qrCodeSvg: await QRCode.toString(created.byReference, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    }),
    ...(created.txCode ? { txCode: created.txCode } : {}),
    expiresAt: created.expiresAt,
  };
}

/** The QR code of an offer link for a terminal (the CLI). */
export function terminalQrCode(link: string): Promise<string> {
  return QRCode.toString(link, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
