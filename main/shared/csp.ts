/**
 * The renderer's Content-Security-Policy, used by both hosts. Scripts come only
 * from the app itself; nothing may be framed, posted or loaded from elsewhere.
 * Styles allow inline attributes because Svelte and Chart.js set element styles.
 */
export function contentSecurityPolicy(options: { connectSrc?: string[]; dev?: boolean } = {}): string {
  const connect = ["'self'", ...(options.connectSrc ?? [])];
  const script = options.dev ? ["'self'", "'unsafe-inline'"] : ["'self'"];
  return [
    "default-src 'none'",
    `script-src ${script.join(' ')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
