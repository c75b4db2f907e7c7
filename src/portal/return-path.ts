/**
 * Where a portal page may send the browser back to (`?return=`): a path of the portal itself,
 * never another site (`//host`, a scheme), never a path that a browser would resolve outside
 * the portal (`/portal/../evil`, `/portal/%2e%2e/evil`), never a header split (CR, LF).
 */
/** The return path, resolved, or `fallback`. */
export function safeReturn(value: unknown, base: string, fallback = `${base}/consents`): string {
  if (typeof value !== 'string' || !value.startsWith(`${base}/`) || value.startsWith('//')) return fallback;
  if (/[\\\r\n]/.test(value) || value.length > 500) return fallback;
  // Resolved as a browser would: `/portal/../evil` (or its %2e%2e spelling) leaves the portal.
  const resolved = new URL(value, 'http://portal.invalid');
  if (resolved.origin !== 'http://portal.invalid' || !resolved.pathname.startsWith(`${base}/`))
    return fallback;
  return `${resolved.pathname}${resolved.search}`;
}
