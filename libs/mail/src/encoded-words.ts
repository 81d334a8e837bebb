import libmime = require('libmime');

/** The charset label of an RFC 2047 §2 encoded-word (an RFC 2231 §5 language suffix may follow it). */
const ENCODED_WORD_CHARSET = /=\?([^?\s*]+)((?:\*[^?\s]*)?\?[bBqQ]\?)/g;

const knownLabels = new Map<string, boolean>();

function isKnownCharset(label: string): boolean {
  const key = label.toLowerCase();
  let known = knownLabels.get(key);
  if (known === undefined) {
    try {
      new TextDecoder(key);
      known = true;
    } catch {
      known = false;
    }
    if (knownLabels.size < 256) knownLabels.set(key, known);
  }
  return known;
}

/**
 * Decodes RFC 2047 encoded-words in an unstructured header value with libmime (the decoder
 * mailparser uses): whitespace between adjacent words dropped (§6.2), adjacent words of one charset
 * joined so a character split across two survives. One difference is ours: a charset label nobody
 * knows is read as windows-1252 (WHATWG "latin1"), the usual truth behind a mislabelled word, where
 * libmime would give U+FFFD for every byte above 0x7F.
 */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  const labelled = value.replace(ENCODED_WORD_CHARSET, (word, charset: string, rest: string) => (isKnownCharset(charset) ? word : `=?windows-1252${rest}`));
  return libmime.decodeWords(labelled);
}
