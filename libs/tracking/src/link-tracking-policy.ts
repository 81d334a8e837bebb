import { checkRedirectUrl } from './redirect-url-policy';
import { looksLikeUnsubscribeLink } from './unsubscribe-link-detector';

export interface LinkCandidate {
  /** The href with entities already decoded. */
  href: string;
  /** Visible text of the link (and alt text of images inside it), entities decoded. */
  text: string;
  /** The element carries `data-telltale-untracked`. */
  optedOut: boolean;
}

export type LinkSkipReason =
  | 'empty'
  | 'opted_out'
  | 'in_page_anchor'
  | 'non_http_scheme'
  | 'relative'
  | 'unsubscribe'
  | 'unsafe_url';

export type LinkDecision = { track: true; url: string } | { track: false; reason: LinkSkipReason };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
// Browsers strip leading and trailing ASCII whitespace before parsing an href (URL Standard §4.4).
const ASCII_WHITESPACE_EDGES = /^[\t\n\f\r ]+|[\t\n\f\r ]+$/g;

/**
 * Decides whether one link goes through the click redirect. Only absolute http(s) links that the
 * redirect policy accepts are tracked; everything else keeps working exactly as written, so a link
 * we cannot safely sign is never broken, only left untracked.
 */
export function decideLinkTracking(link: LinkCandidate): LinkDecision {
  const url = link.href.replace(ASCII_WHITESPACE_EDGES, '');
  if (url === '') return { track: false, reason: 'empty' };
  if (link.optedOut) return { track: false, reason: 'opted_out' };
  if (url.startsWith('#')) return { track: false, reason: 'in_page_anchor' };
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  // mailto:, tel:, sms:, javascript:, data:, cid:, … are not web pages we could redirect to.
  if (scheme === undefined) return { track: false, reason: 'relative' };
  if (scheme !== 'http' && scheme !== 'https') return { track: false, reason: 'non_http_scheme' };
  if (looksLikeUnsubscribeLink(url, link.text)) return { track: false, reason: 'unsubscribe' };
  if (!checkRedirectUrl(url).ok) return { track: false, reason: 'unsafe_url' };
  return { track: true, url };
}
