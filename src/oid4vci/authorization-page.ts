/**
 * The page of a wallet's authorization request: the holder proves membership with its wallet
 * (a QR code for a wallet on another device, a link for one on this device), then continues to
 * the wallet's redirect URI. A small script polls and continues by itself; without script, the
 * Continue button does it. Server-rendered; every interpolated value is escaped; the script and
 * style carry the response's Content-Security-Policy nonce.
 */
import QRCode from 'qrcode';

export interface AuthorizationPage {
  readonly clientId: string;
  /** The display names of the configurations asked for. */
  readonly credentials: readonly string[];
  readonly sameDeviceUrl: string;
  readonly crossDeviceUrl: string;
  readonly statusUrl: string;
  readonly continueUrl: string;
  readonly nonce: string;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function renderAuthorizationPage(page: AuthorizationPage): Promise<string> {
  const qr = await QRCode.toString(page.crossDeviceUrl, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
  });
  const nonce = escapeHtml(page.nonce);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Receive a credential</title>
<style nonce="${nonce}">body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}
.qr svg{width:16rem;height:16rem}.button{display:inline-block;padding:.6rem 1rem;border:1px solid #333;border-radius:.3rem;text-decoration:none;background:#fff;font:inherit}</style>
</head>
<body>
<main>
<h1>Receive a credential</h1>
<p>The wallet <strong>${escapeHtml(page.clientId)}</strong> asks for: ${page.credentials.map(escapeHtml).join(', ')}.</p>
<p>Prove that you are a member: present your MembershipCredential with your wallet.</p>
<h2>Wallet on another device</h2>
<div class="qr" id="qr" role="img" aria-label="QR code for your wallet">${qr}</div>
<p>Or give your wallet this link: <code id="cross-device-url">${escapeHtml(page.crossDeviceUrl)}</code></p>
<h2>Wallet on this device</h2>
<p><a class="button" id="same-device" href="${escapeHtml(page.sameDeviceUrl)}">Open my wallet</a></p>
<p id="status" role="status">Waiting for your wallet…</p>
<form method="get" action="${escapeHtml(page.continueUrl)}"><button class="button" id="continue" type="submit">I have answered in my wallet: continue</button></form>
</main>
<script nonce="${nonce}">
(function poll() {
  fetch(${JSON.stringify(page.statusUrl).replace(/</g, '\\u003c')}, { credentials: 'same-origin' })
    .then(function (r) { return r.json(); })
    .then(function (s) { if (s.status === 'presented') { window.location.assign(${JSON.stringify(page.continueUrl).replace(/</g, '\\u003c')}); } else if (s.status === 'pending') { setTimeout(poll, 2000); } })
    .catch(function () { setTimeout(poll, 5000); });
})();
</script>
</body>
</html>
`;
}
