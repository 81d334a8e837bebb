/**
 * Which URLs a click token may redirect to. Applied when a token is signed (throw) and again when
 * it is verified (reject), so a policy tightened later also covers tokens already in inboxes.
 */

/** Longest click target we sign, in UTF-8 bytes; keeps tracked links well inside what clients and proxies accept. */
export const MAX_CLICK_URL_BYTES = 4096;

export type RedirectUrlRejection =
  | 'empty'
  | 'too_long'
  | 'control_character'
  | 'surrounding_whitespace'
  | 'not_absolute_http'
  | 'unparseable'
  | 'credentials'
  | 'missing_host';

export type RedirectUrlCheck =
  | { ok: true; location: string }
  | { ok: false; reason: RedirectUrlRejection };

// C0 controls, DEL, C1 controls, line/paragraph separators and bidi overrides. The WHATWG URL
// parser silently drops tab and newline (URL Standard §4.4, "basic URL parser", step 3), which is
// how `java\tscript:` slips past naive checks; bidi controls disguise where a link goes.
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

// Scheme and both slashes spelled out: rules out `javascript:`, `data:`, protocol-relative `//host`
// and the special-scheme shortcuts `https:host` / `https:\\host` that browsers still resolve.
const ABSOLUTE_HTTP_PREFIX = /^https?:\/\//i;

/**
 * Checks that `url` is an absolute `http:`/`https:` URL without credentials or hidden characters.
 * `location` is the URL serialised by the WHATWG parser (ASCII only: punycode host, percent-encoded
 * path), which is what a `Location` header should carry.
 */
export function checkRedirectUrl(url: string): RedirectUrlCheck {
  if (typeof url !== 'string' || url.length === 0) return { ok: false, reason: 'empty' };
  if (url.length > MAX_CLICK_URL_BYTES || Buffer.byteLength(url, 'utf8') > MAX_CLICK_URL_BYTES) {
    return { ok: false, reason: 'too_long' };
  }
  if (FORBIDDEN_CHARACTERS.test(url)) return { ok: false, reason: 'control_character' };
  if (url.trim() !== url) return { ok: false, reason: 'surrounding_whitespace' };
  if (!ABSOLUTE_HTTP_PREFIX.test(url)) return { ok: false, reason: 'not_absolute_http' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'unparseable' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, reason: 'not_absolute_http' };
  }
  // `https://bank.example@evil.example/` shows one host and goes to another (RFC 3986 §7.6).
  if (parsed.username !== '' || parsed.password !== '' || authorityOf(url).includes('@')) {
    return { ok: false, reason: 'credentials' };
  }
  if (parsed.hostname === '') return { ok: false, reason: 'missing_host' };
  return { ok: true, location: parsed.href };
}

/** The raw authority (`user@host:port`) of an `http(s)://` URL, before any normalisation. */
function authorityOf(url: string): string {
  const rest = url.slice(url.indexOf('//') + 2);
  const end = rest.search(/[/?#\\]/);
  return end < 0 ? rest : rest.slice(0, end);
}

export function isSafeRedirectUrl(url: string): boolean {
  return checkRedirectUrl(url).ok;
}
