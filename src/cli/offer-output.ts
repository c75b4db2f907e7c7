/**
 * What the CLI prints for an OpenID4VCI credential offer, the same for the operator
 * (`credentials offer`) and the applicant's wallet (`wallet credential-offer`): the members of
 * the HTTP answer (`POST …/credential-offer`, docs/oid4vci.md) that a person or a script needs,
 * under the same names. The offer itself and the SVG QR code are left out (the links carry it;
 * the operator's QR code goes to stderr).
 */
export interface PrintedOffer {
  readonly credentialOfferUri: string;
  readonly links: { readonly byReference: string; readonly byValue: string };
  /** Only when the offer asks for a transaction code. */
  readonly txCode?: string;
  readonly expiresAt: string;
}

export function printedOffer(offer: {
  readonly credentialOfferUri: string;
  readonly byReference: string;
  readonly byValue: string;
  readonly txCode?: string | undefined;
  readonly expiresAt: string;
}): PrintedOffer {
  return {
    credentialOfferUri: offer.credentialOfferUri,
    links: { byReference: offer.byReference, byValue: offer.byValue },
    ...(offer.txCode !== undefined ? { txCode: offer.txCode } : {}),
    expiresAt: offer.expiresAt,
  };
}
