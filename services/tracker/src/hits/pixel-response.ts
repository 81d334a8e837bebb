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

/** `/o/<token>`, with or without a query; the token is group 1. */
export const PIXEL_PATH = /^\/o\/([^/?#]*)(?:\?.*)?$/;

