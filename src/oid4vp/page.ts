/**
 * The login page of an interaction: a QR code for a wallet on another device, a link for a
 * wallet on this one, and a small script that polls for a cross-device result. Server-rendered,
 * no framework; every interpolated value is escaped. The script and the style carry the
 * response's Content-Security-Policy nonce (src/http/security-headers.ts): nothing else inline runs.
 */
import QRCode from 'qrcode';

export interface LoginPage {
  readonly clientName: string;
  readonly scopes: readonly string[];
  readonly sameDeviceUrl: string;
  readonly crossDeviceUrl: string;
  readonly statusUrl: string;
  /** The nonce of this response's Content-Security-Policy. */
  readonly nonce: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function renderLoginPage(page: LoginPage): Promise<string> {
  const qr = await QRCode.toString(page.crossDeviceUrl, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in with your wallet</title>
<style nonce="${escapeHtml(page.nonce)}">body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}
.qr svg{width:16rem;height:16rem}.button{display:inline-block;padding:.6rem 1rem;border:1px solid #333;border-radius:.3rem;text-decoration:none}</style>
</head>
<body>
<main>
<h1>Log in with your wallet</h1>
<p><strong>${escapeHtml(page.clientName)}</strong> asks for: ${page.scopes.map(escapeHtml).join(', ')}.</p>
<h2>Wallet on another device</h2>
<div class="qr" id="qr">${qr}</div>
<p>Or give your wallet this link: <code id="cross-device-url">${escapeHtml(page.crossDeviceUrl)}</code></p>
<h2>Wallet on this device</h2>
<p><a class="button" id="same-device" href="${escapeHtml(page.sameDeviceUrl)}">Open my wallet</a></p>
<p id="status" role="status">Waiting for your wallet…</p>
</main>
<script nonce="${escapeHtml(page.nonce)}">
(function poll() {
  fetch(${JSON.stringify(page.statusUrl).replace(/</g, '\\u003c')}, { credentials: 'same-origin' })
    .then(function (r) { return r.json(); })
    .then(function (s) { if (s.status === 'presented' && s.continue) { window.location.assign(s.continue); } else { setTimeout(poll, 2000); } })
    .catch(function () { setTimeout(poll, 5000); });
})();
</script>
</body>
</html>
`;
}
