export const TRACKER_APP_ORIGINS = Symbol('TRACKER_APP_ORIGINS');

/**
 * The URL to send a browser back to after registration, only when its origin is one of the
 * configured app origins; anything else (other hosts, userinfo, javascript:, protocol-relative
 * tricks) is refused, so the endpoint can never be an open redirect.
 */
export function allowedReturnUrl(candidate: unknown, allowedOrigins: readonly string[]): string | null {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null;
  const origins = new Set(allowedOrigins.map((o) => new URL(o).origin));
  return origins.has(url.origin) ? url.href : null;
}
