// The open pixel's answer, shared by the tracker process and its pixel processes (TRACKER_WORKERS):
// nothing here loads Nest or the runtime.

/** The smallest transparent GIF (43 bytes). */
export const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export const PIXEL_HEADERS = {
  'Content-Type': 'image/gif',
  'Content-Length': String(TRANSPARENT_GIF.length),
  // Every load must reach us: no browser, proxy or CDN caching.
  'Cache-Control': 'no-store, no-cache, must-revalidate, private, max-age=0',
  Pragma: 'no-cache',
  Expires: '0',
  // As on every other answer of every service (libs/runtime http-hardening), which the pixel bypasses.
  'X-Content-Type-Options': 'nosniff',
};

/**
 * PIXEL_HEADERS as Node's flat [name, value, ...] list, built once: `writeHead` takes it as it is
 * (no object walked per answer).
 */
export const PIXEL_HEADER_LIST: readonly string[] = Object.entries(PIXEL_HEADERS).flat();

const SLASH = 0x2f;
const HASH = 0x23;

/**
 * The token of a pixel path, `/o/<token>` with or without a query (`?...`); null for any other
 * path (a `/` or `#` in the token's place, or another prefix). What `^/o/([^/?#]*)(?:\?.*)?$`
 * matches, without a regular expression or a match array per request.
 */
export function pixelToken(url: string | undefined): string | null {
  if (url === undefined || !url.startsWith('/o/')) return null;
  const query = url.indexOf('?', 3);
  const end = query === -1 ? url.length : query;
  for (let i = 3; i < end; i++) {
    const code = url.charCodeAt(i);
    if (code === SLASH || code === HASH) return null;
  }
  return url.slice(3, end);
}

