/**
 * What the login page of an interaction shows, and the port through which it is rendered: the
 * composition root hands in the portal's renderer (src/portal/wallet-login-page.tsx), so the
 * page has the portal's frame, style and languages while this capability imports no face.
 */
import QRCode from 'qrcode';

/** The request the page answers: its CSP nonce, its language hints, its own path. */
export interface LoginPageRequest {
  /** The nonce of this response's Content-Security-Policy. */
  readonly nonce: string;
  /** `?lang=` of the request (the page's language switch). */
  readonly language?: string;
  /** The portal's language cookie. */
  readonly languageCookie?: string;
  readonly acceptLanguage?: string;
  /** The page's path (the language switch comes back to it). */
  readonly path: string;
}

export interface LoginPageView {
  /** The relying party's registered name (a member's app: the member's registered legal name). */
  readonly clientName: string;
  readonly scopes: readonly string[];
  readonly sameDeviceUrl: string;
  readonly crossDeviceUrl: string;
  /** SVG of the cross-device URL (loginQrSvg). */
  readonly qrSvg: string;
  readonly statusUrl: string;
  /** Where the browser continues once a wallet on another device answered. */
  readonly continueUrl: string;
}

/** Renders the login page to a complete HTML document. */
export type RenderLoginPage = (request: LoginPageRequest, view: LoginPageView) => string;

/** The QR code of a cross-device wallet URL, as SVG (the login page, and the portal's signing pages). */
export function loginQrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
