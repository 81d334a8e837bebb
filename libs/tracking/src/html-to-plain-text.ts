import { decodeHTML, decodeHTMLAttribute } from 'entities';
import { getAttribute, tokenizeHtml, type HtmlStartTag } from './html-tokenizer';
import { PlainTextWriter } from './plain-text-writer';

/** Blank line around paragraphs and similar blocks, a single line break around the rest. */
const BLOCK_BREAK_LEVEL: ReadonlyMap<string, 1 | 2> = new Map<string, 1 | 2>([
  ...['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'dl', 'pre', 'hr', 'figure'].map(
    (name): [string, 2] => [name, 2],
  ),
  ...[
    'address', 'article', 'aside', 'caption', 'center', 'dd', 'div', 'dt', 'fieldset', 'figcaption',
    'footer', 'form', 'header', 'li', 'main', 'nav', 'section', 'table', 'tr',
  ].map((name): [string, 1] => [name, 1]),
]);

/** Elements without end tags (HTML Living Standard §13.1.2). */
const VOID_ELEMENTS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr',
]);

/** What may appear inside `<head>`; anything else implicitly ends it (§13.2.6.4.4, "in head"). */
const HEAD_CONTENT = new Set(['base', 'link', 'meta', 'noscript', 'script', 'style', 'template', 'title']);

/** Raw-text bodies a reader sees; `<script>`, `<style>`, `<title>` and friends are not. */
const VISIBLE_RAW_TEXT = new Set(['textarea', 'xmp', 'plaintext']);

// Zero-width characters and soft hyphens, used to pad preheaders and break up words, read as noise.
const INVISIBLE_CHARACTERS = /[\u00ad\u034f\u200b-\u200d\u2060\ufeff]/g;

function isHidden(tag: HtmlStartTag): boolean {
  if (getAttribute(tag, 'hidden') !== undefined) return true;
  const style = getAttribute(tag, 'style');
  // Preheaders are `display:none` blocks meant for the inbox preview, not the message.
  return style !== undefined && /display\s*:\s*none/i.test(decodeHTMLAttribute(style.rawValue));
}

interface OpenLink {
  mark: number;
  href: string;
  imageAlts: string[];
}

interface OpenList {
  ordered: boolean;
  next: number;
}

/** What to show in parentheses for a link target, or null for links that have no useful target. */
function displayTarget(href: string): string | null {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return href;
  if (scheme === 'mailto' || scheme === 'tel') {
    const target = href.slice(scheme.length + 1).split('?')[0] ?? '';
    try {
      return decodeURIComponent(target) || null;
    } catch {
      return target || null;
    }
  }
  return null;
}

/** Whether the visible text already says where the link goes, so "(target)" would repeat it. */
function textShowsTarget(text: string, target: string): boolean {
  const comparable = (value: string): string =>
    value.toLowerCase().replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (comparable(text) === comparable(target)) return true;
  // Phone numbers are written with spaces, dots and brackets that the tel: URI leaves out.
  const digits = (value: string): string => value.replace(/[^\d+]/g, '');
  return /^\+?[\d\s().-]+$/.test(text) && digits(text) === digits(target);
}

function collapseWhitespace(text: string): string {
  return text.replace(INVISIBLE_CHARACTERS, '').replace(/\s+/g, ' ');
}

/**
 * A readable text/plain alternative for an HTML email (RFC 2046 §5.1.4): paragraphs and line
 * breaks kept, lists marked, links written as "text (url)". Call it on the HTML before
 * `instrumentHtml` so the URLs shown are the original ones, not tracking redirects.
 */
export function htmlToPlainText(html: string): string {
  const tokens = tokenizeHtml(html);
  const writer = new PlainTextWriter();
  const lists: OpenList[] = [];
  let inHead = false;
  let preDepth = 0;
  let hidden: { name: string; depth: number } | null = null;
  let link: OpenLink | null = null;

  const closeLink = (): void => {
    if (link === null) return;
    const current = link;
    link = null;
    const target = displayTarget(current.href);
    if (target === null) return;
    const text = writer.writtenSince(current.mark).replace(/\s+/g, ' ').trim();
    if (text === '') {
      const alt = current.imageAlts.join(' ').trim();
      writer.text(alt === '' ? target : `${alt} (${target})`);
    } else if (!textShowsTarget(text, target)) {
      writer.text(` (${target})`);
    }
  };

  for (const token of tokens) {
    if (hidden !== null) {
      if (token.type === 'startTag' && token.name === hidden.name && !token.selfClosing) hidden.depth++;
      if (token.type === 'endTag' && token.name === hidden.name && --hidden.depth === 0) hidden = null;
      continue;
    }
    switch (token.type) {
      case 'comment':
        break;
      case 'rawText':
        if (!inHead && VISIBLE_RAW_TEXT.has(token.element)) {
          const raw = html.slice(token.start, token.end);
          writer.verbatim(token.element === 'textarea' ? decodeHTML(raw) : raw);
        }
        break;
      case 'text': {
        const decoded = decodeHTML(html.slice(token.start, token.end));
        if (inHead && decoded.trim() === '') break;
        inHead = false;
        if (preDepth > 0) writer.verbatim(decoded.replace(INVISIBLE_CHARACTERS, '').replace(/\r\n?/g, '\n'));
        else writer.text(collapseWhitespace(decoded));
        break;
      }
      case 'startTag': {
        const name = token.name;
        if (name === 'head') inHead = true;
        else if (!HEAD_CONTENT.has(name)) inHead = false;
        if (inHead) break;
        if (isHidden(token)) {
          if (!VOID_ELEMENTS.has(name) && !token.selfClosing) hidden = { name, depth: 1 };
          break;
        }
        const level = BLOCK_BREAK_LEVEL.get(name);
        if (level !== undefined) writer.blockBoundary(level);
        if (name === 'br') writer.lineBreak();
        else if (name === 'td' || name === 'th') writer.space();
        else if (name === 'pre') preDepth++;
        else if (name === 'ul' || name === 'ol') {
          // A list is a paragraph of its own, but a list nested in an item is just its next line.
          writer.blockBoundary(lists.length > 0 ? 1 : 2);
          const start = Number.parseInt(decodeHTMLAttribute(getAttribute(token, 'start')?.rawValue ?? ''), 10);
          lists.push({ ordered: name === 'ol', next: Number.isFinite(start) ? start : 1 });
        } else if (name === 'li') {
          const list = lists[lists.length - 1];
          const indent = '  '.repeat(Math.max(0, lists.length - 1));
          writer.verbatim(list?.ordered === true ? `${indent}${list.next++}. ` : `${indent}- `);
          writer.holdBreaksUntilText();
        } else if (name === 'a') {
          closeLink();
          const href = getAttribute(token, 'href');
          if (href !== undefined) {
            const target = decodeHTMLAttribute(href.rawValue).trim();
            link = { mark: writer.mark(), href: target, imageAlts: [] };
          }
        } else if (name === 'img' && link !== null) {
          const alt = getAttribute(token, 'alt');
          if (alt !== undefined) link.imageAlts.push(collapseWhitespace(decodeHTMLAttribute(alt.rawValue)));
        }
        break;
      }
      case 'endTag': {
        const name = token.name;
        if (name === 'head') {
          inHead = false;
          break;
        }
        if (inHead) break;
        if (name === 'a') closeLink();
        else if (name === 'pre') preDepth = Math.max(0, preDepth - 1);
        else if (name === 'ul' || name === 'ol') {
          lists.pop();
          writer.blockBoundary(lists.length > 0 ? 1 : 2);
        }
        else if (name === 'br') writer.lineBreak(); // `</br>` is a `<br>` (§13.2.6.4.7)
        const level = BLOCK_BREAK_LEVEL.get(name);
        if (level !== undefined) writer.blockBoundary(level);
        break;
      }
    }
  }
  closeLink();
  return writer.toString();
}
