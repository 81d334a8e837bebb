/** RFC 2047 §2 encoded-word, with the optional RFC 2231 §5 language suffix on the charset. */
const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=/g;

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  // RFC 2047 §4.2: "_" is a space, "=XX" a hex octet.
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '_') {
      bytes.push(0x20);
    } else if (char === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** An unknown charset label is read as windows-1252 (WHATWG "latin1"), the usual truth behind a mislabelled word. */
function decodeCharset(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset.toLowerCase()).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

/**
 * Decodes RFC 2047 encoded-words in an unstructured header value. Whitespace between adjacent
 * encoded-words is dropped (§6.2), and adjacent words in the same charset are decoded together so a
 * multi-byte character split across two words survives.
 */
export function decodeEncodedWords(value: string): string {
  let output = '';
  let cursor = 0;
  let pending: { charset: string; bytes: Buffer[] } | null = null;

  const flush = (): void => {
    if (pending === null) return;
    output += decodeCharset(Buffer.concat(pending.bytes), pending.charset);
    pending = null;
  };

  for (const match of value.matchAll(ENCODED_WORD)) {
    const start = match.index;
    const between = value.slice(cursor, start);
    const charset = match[1] ?? '';
    const bytes = wordBytes(match[2] ?? 'Q', match[3] ?? '');
    const adjacent = pending !== null && /^[ \t\r\n]*$/.test(between);
    if (adjacent && pending !== null && pending.charset.toLowerCase() === charset.toLowerCase()) {
      pending.bytes.push(bytes);
    } else {
      if (!adjacent) {
        flush();
        output += between;
      } else {
        flush();
      }
      pending = { charset, bytes: [bytes] };
    }
    cursor = start + match[0].length;
  }
  flush();
  output += value.slice(cursor);
  return output;
}
