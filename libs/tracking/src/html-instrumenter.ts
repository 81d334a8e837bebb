import { decodeHTML, decodeHTMLAttribute } from 'entities';
import { getAttribute, tokenizeHtml, type HtmlToken } from './html-tokenizer';
import { decideLinkTracking } from './link-tracking-policy';

export interface InstrumentHtmlOptions {
  /** URL of this email's open pixel; null turns open tracking off for the email. */
  openPixelUrl: string | null;
  /** Tracked URL for the n-th tracked link; null turns click tracking off for the email. */
  clickUrlFor: ((url: string, linkIndex: number) => string) | null;
}

export interface TrackedLink {
  linkIndex: number;
  /** The original target, entities decoded and surrounding whitespace removed. */
  url: string;
}

export interface InstrumentedHtml {
  html: string;
  links: TrackedLink[];
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function escapeAttributeValue(value: string, quote: '"' | "'"): string {
  const escaped = value.replace(/&/g, '&amp;');
  return quote === '"' ? escaped.replace(/"/g, '&quot;') : escaped.replace(/'/g, '&#39;');
}

/** Re-quotes with the author's quote character; unquoted values become double-quoted. */
function quotedAttributeValue(value: string, originalQuote: '"' | "'" | ''): string {
  const quote = originalQuote === "'" ? "'" : '"';
  return `${quote}${escapeAttributeValue(value, quote)}${quote}`;
}

/**
 * The 1×1 open pixel. Attributes as well as CSS because Outlook's Word engine ignores much of the
 * CSS, and `alt=""` so nothing shows (or is read aloud) when images are blocked.
 */
function openPixelHtml(openPixelUrl: string): string {
  return (
    `<img src="${escapeAttributeValue(openPixelUrl, '"')}" width="1" height="1" alt="" border="0" ` +
    'style="display:block;border:0;outline:none;text-decoration:none;width:1px;height:1px;max-width:1px;max-height:1px;overflow:hidden">'
  );
}

/**
 * Where the pixel goes: right after `<body …>`, so it survives Gmail clipping long messages
 * (~102 KB) at the bottom. Without a body tag: right after `</head>`; otherwise at the very start,
 * but after a leading doctype or `<html>` tag (markup before the doctype switches browsers to
 * quirks mode).
 */
function pixelPosition(html: string, tokens: readonly HtmlToken[]): number {
  const body = tokens.find((token) => token.type === 'startTag' && token.name === 'body');
  if (body !== undefined) return body.end;
  const headEnd = tokens.find((token) => token.type === 'endTag' && token.name === 'head');
  if (headEnd !== undefined) return headEnd.end;
  let position = 0;
  for (const token of tokens) {
    if (token.type === 'comment') {
      if (/^<!doctype/i.test(html.slice(token.start, token.start + 9))) position = token.end;
    } else if (token.type === 'startTag' && token.name === 'html') {
      position = token.end;
    } else if (token.type !== 'text' || html.slice(token.start, token.end).trim() !== '') {
      break;
    }
  }
  return position;
}

/** Text a reader sees for the link at `index`: its title/label, text content and image alt texts. */
function linkText(html: string, tokens: readonly HtmlToken[], index: number): string {
  const tag = tokens[index];
  if (tag === undefined || tag.type !== 'startTag') return '';
  const parts: string[] = [];
  const addAttribute = (attributes: typeof tag.attributes, name: string): void => {
    const attribute = attributes.find((candidate) => candidate.name === name);
    if (attribute !== undefined) parts.push(decodeHTMLAttribute(attribute.rawValue));
  };
  addAttribute(tag.attributes, 'title');
  addAttribute(tag.attributes, 'aria-label');
  if (tag.name === 'area') {
    addAttribute(tag.attributes, 'alt');
    return parts.join(' ');
  }
  // An anchor ends at `</a>` or, since anchors cannot nest, at the next `<a>`.
  for (let k = index + 1; k < tokens.length; k++) {
    const token = tokens[k];
    if (token === undefined) break;
    if ((token.type === 'endTag' || token.type === 'startTag') && token.name === 'a') break;
    if (token.type === 'text') parts.push(decodeHTML(html.slice(token.start, token.end)));
    if (token.type === 'startTag' && token.name === 'img') addAttribute(token.attributes, 'alt');
  }
  return parts.join(' ');
}

/**
 * Adds the open pixel and routes links through the click redirect. Pure: the same input gives the
 * same output, and every byte outside the rewritten `href` values and the inserted pixel is copied
 * verbatim — comments (Outlook conditional comments included), `<style>` and `<script>` untouched.
 * `links` lists the tracked links in document order; `linkIndex` is their position in that list.
 */
export function instrumentHtml(html: string, options: InstrumentHtmlOptions): InstrumentedHtml {
  const { openPixelUrl, clickUrlFor } = options;
  if (openPixelUrl === null && clickUrlFor === null) return { html, links: [] };
  const tokens = tokenizeHtml(html);
  const edits: Edit[] = [];
  const links: TrackedLink[] = [];

  if (openPixelUrl !== null) {
    const position = pixelPosition(html, tokens);
    edits.push({ start: position, end: position, text: openPixelHtml(openPixelUrl) });
  }

  if (clickUrlFor !== null) {
    tokens.forEach((token, index) => {
      if (token.type !== 'startTag' || (token.name !== 'a' && token.name !== 'area')) return;
      const href = getAttribute(token, 'href');
      if (href === undefined || href.quote === null) return;
      const decision = decideLinkTracking({
        href: decodeHTMLAttribute(href.rawValue),
        text: linkText(html, tokens, index),
        optedOut: getAttribute(token, 'data-telltale-untracked') !== undefined,
      });
      if (!decision.track) return;
      const linkIndex = links.length;
      links.push({ linkIndex, url: decision.url });
      edits.push({
        start: href.valueStart,
        end: href.valueEnd,
        text: quotedAttributeValue(clickUrlFor(decision.url, linkIndex), href.quote),
      });
    });
  }

  edits.sort((a, b) => a.start - b.start);
  let output = '';
  let copied = 0;
  for (const edit of edits) {
    output += html.slice(copied, edit.start) + edit.text;
    copied = edit.end;
  }
  output += html.slice(copied);
  return { html: output, links };
}
