/**
 * A forgiving, position-preserving HTML scanner: just enough of the WHATWG tokenizer
 * (HTML Living Standard §13.2.5) to find tags, attributes, comments and raw-text element bodies
 * in email HTML without building a tree. Every token records its [start, end) offsets in the
 * input so callers can rewrite a few bytes and copy the rest verbatim.
 */

export interface HtmlAttribute {
  /** Lower-cased attribute name. */
  name: string;
  /** Raw (still entity-encoded) value; '' when the attribute has no value. */
  rawValue: string;
  /** Offsets of the value including its quotes; both equal the name's end when there is no value. */
  valueStart: number;
  valueEnd: number;
  quote: '"' | "'" | '' | null;
}

export type HtmlToken =
  | { type: 'text'; start: number; end: number }
  | {
      type: 'startTag';
      start: number;
      end: number;
      /** Lower-cased tag name. */
      name: string;
      attributes: HtmlAttribute[];
      selfClosing: boolean;
    }
  | { type: 'endTag'; start: number; end: number; name: string }
  /** Comments (conditional ones included), doctypes, CDATA sections and other bogus comments. */
  | { type: 'comment'; start: number; end: number }
  /** Body of a raw-text or RCDATA element (`<style>`, `<script>`, `<title>`, …). */
  | { type: 'rawText'; start: number; end: number; element: string };

export type HtmlStartTag = Extract<HtmlToken, { type: 'startTag' }>;

/** Elements whose content is not markup (§13.1.2: raw text and escapable raw text elements, plus legacy ones). */
const RAW_TEXT_ELEMENTS = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes']);

const rawTextEndPatterns = new Map<string, RegExp>(
  [...RAW_TEXT_ELEMENTS].map((name) => [name, new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'gi')]),
);

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

export function getAttribute(tag: HtmlStartTag, name: string): HtmlAttribute | undefined {
  // Duplicate attributes: the first one wins (§13.2.5.33, "duplicate-attribute").
  return tag.attributes.find((attribute) => attribute.name === name);
}

interface ParsedTag {
  name: string;
  attributes: HtmlAttribute[];
  selfClosing: boolean;
  end: number;
}

/** Parses a tag whose name starts at `nameStart`; null when the input ends inside the tag. */
function parseTag(html: string, nameStart: number): ParsedTag | null {
  const length = html.length;
  let i = nameStart;
  while (i < length) {
    const code = html.charCodeAt(i);
    if (isWhitespace(code) || code === 0x2f /* / */ || code === 0x3e /* > */) break;
    i++;
  }
  const name = html.slice(nameStart, i).toLowerCase();
  const attributes: HtmlAttribute[] = [];
  for (;;) {
    while (i < length && isWhitespace(html.charCodeAt(i))) i++;
    if (i >= length) return null;
    const code = html.charCodeAt(i);
    if (code === 0x3e) return { name, attributes, selfClosing: false, end: i + 1 };
    if (code === 0x2f) {
      if (html.charCodeAt(i + 1) === 0x3e) return { name, attributes, selfClosing: true, end: i + 2 };
      i++;
      continue;
    }
    // Attribute name; a leading '=' belongs to the name (§13.2.5.32).
    const attributeNameStart = i;
    i++;
    while (i < length) {
      const c = html.charCodeAt(i);
      if (isWhitespace(c) || c === 0x2f || c === 0x3e || c === 0x3d /* = */) break;
      i++;
    }
    const attributeName = html.slice(attributeNameStart, i).toLowerCase();
    const nameEnd = i;
    let j = i;
    while (j < length && isWhitespace(html.charCodeAt(j))) j++;
    if (html.charCodeAt(j) !== 0x3d) {
      attributes.push({ name: attributeName, rawValue: '', valueStart: nameEnd, valueEnd: nameEnd, quote: null });
      i = j;
      continue;
    }
    j++;
    while (j < length && isWhitespace(html.charCodeAt(j))) j++;
    if (j >= length) return null;
    const quoteCode = html.charCodeAt(j);
    if (quoteCode === 0x22 || quoteCode === 0x27) {
      const quote = quoteCode === 0x22 ? '"' : "'";
      const close = html.indexOf(quote, j + 1);
      if (close < 0) return null;
      attributes.push({ name: attributeName, rawValue: html.slice(j + 1, close), valueStart: j, valueEnd: close + 1, quote });
      i = close + 1;
    } else if (quoteCode === 0x3e) {
      // `<a href=>`: missing value, the tag ends here (§13.2.5.36).
      attributes.push({ name: attributeName, rawValue: '', valueStart: j, valueEnd: j, quote: '' });
      i = j;
    } else {
      const valueStart = j;
      while (j < length) {
        const c = html.charCodeAt(j);
        if (isWhitespace(c) || c === 0x3e) break;
        j++;
      }
      attributes.push({ name: attributeName, rawValue: html.slice(valueStart, j), valueStart, valueEnd: j, quote: '' });
      i = j;
    }
  }
}

/** End of a comment that starts at `start` (`<!--`), per §13.2.5.43–52; EOF closes it. */
function commentEnd(html: string, start: number): number {
  const bodyStart = start + 4;
  if (html.startsWith('>', bodyStart)) return bodyStart + 1; // `<!-->`
  if (html.startsWith('->', bodyStart)) return bodyStart + 2; // `<!--->`
  // One forward scan for `--`, then `-->` or `--!>`: searching for each separately would rescan
  // the rest of the document for every comment.
  let from = bodyStart;
  for (;;) {
    const dashes = html.indexOf('--', from);
    if (dashes < 0) return html.length;
    if (html.charCodeAt(dashes + 2) === 0x3e) return dashes + 3;
    if (html.startsWith('!>', dashes + 2)) return dashes + 4;
    from = dashes + 1;
  }
}

/** End of a bogus comment (`<!DOCTYPE …>`, `<![CDATA[…>`, `<?…>`, `</3>`): the next '>' (§13.2.5.41). */
function bogusCommentEnd(html: string, start: number): number {
  const close = html.indexOf('>', start + 2);
  return close < 0 ? html.length : close + 1;
}

export function tokenizeHtml(html: string): HtmlToken[] {
  const tokens: HtmlToken[] = [];
  const length = html.length;
  let textStart = 0;
  let i = 0;
  const flushText = (end: number): void => {
    if (end > textStart) tokens.push({ type: 'text', start: textStart, end });
  };

  while (i < length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    const next = html.charCodeAt(lt + 1);

    if (isAsciiLetter(next)) {
      const tag = parseTag(html, lt + 1);
      if (tag === null) break; // EOF inside a tag: leave the rest as text.
      flushText(lt);
      tokens.push({ type: 'startTag', start: lt, end: tag.end, name: tag.name, attributes: tag.attributes, selfClosing: tag.selfClosing });
      i = textStart = tag.end;
      if (tag.name === 'plaintext') {
        if (i < length) tokens.push({ type: 'rawText', start: i, end: length, element: 'plaintext' });
        i = textStart = length;
      } else {
        const endPattern = rawTextEndPatterns.get(tag.name);
        if (endPattern !== undefined) {
          endPattern.lastIndex = i;
          const close = endPattern.exec(html);
          const rawEnd = close === null ? length : close.index;
          if (rawEnd > i) tokens.push({ type: 'rawText', start: i, end: rawEnd, element: tag.name });
          i = textStart = rawEnd;
        }
      }
      continue;
    }

    if (next === 0x2f /* / */) {
      const afterSlash = html.charCodeAt(lt + 2);
      if (isAsciiLetter(afterSlash)) {
        const tag = parseTag(html, lt + 2);
        if (tag === null) break;
        flushText(lt);
        tokens.push({ type: 'endTag', start: lt, end: tag.end, name: tag.name });
        i = textStart = tag.end;
        continue;
      }
      if (Number.isNaN(afterSlash)) break; // `</` at EOF is text.
      flushText(lt);
      const end = afterSlash === 0x3e ? lt + 3 : bogusCommentEnd(html, lt); // `</>` is dropped (§13.2.5.7)
      tokens.push({ type: 'comment', start: lt, end });
      i = textStart = end;
      continue;
    }

    if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
      flushText(lt);
      const end = html.startsWith('<!--', lt) ? commentEnd(html, lt) : bogusCommentEnd(html, lt);
      tokens.push({ type: 'comment', start: lt, end });
      i = textStart = end;
      continue;
    }

    i = lt + 1; // A lone '<' is text.
  }
  flushText(length);
  return tokens;
}
