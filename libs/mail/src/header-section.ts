/** One header field with its name lower-cased and its value unfolded (RFC 5322 §2.2.3), not decoded. */
export interface HeaderField {
  name: string;
  value: string;
}

export interface HeaderSection {
  fields: HeaderField[];
  /** Byte offset where the body starts (after the blank line), or the buffer length when there is no body. */
  bodyOffset: number;
}

/** RFC 5322 §3.6.8 field-name: printable ASCII except ":"; obsolete syntax (§4.5) allows WSP before the colon. */
const FIELD_LINE = /^([!-9;-~]+)[ \t]*:(.*)$/s;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Header bytes are ASCII by RFC 5322, UTF-8 by RFC 6532, and in practice sometimes Latin-1 from old
 * mailers. Try UTF-8 first; if the bytes are not valid UTF-8, read them as Latin-1 so nothing throws.
 */
function decodeHeaderBytes(bytes: Buffer): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function findBodyOffset(raw: Buffer): { headerEnd: number; bodyOffset: number } {
  // The header section ends at the first empty line (RFC 5322 §2.1); bare LF line ends are common in stored mail.
  let index = 0;
  while (index < raw.length) {
    const lf = raw.indexOf(0x0a, index);
    if (lf === -1) break;
    const next = lf + 1;
    if (raw[next] === 0x0a) return { headerEnd: lf, bodyOffset: next + 1 };
    if (raw[next] === 0x0d && raw[next + 1] === 0x0a) return { headerEnd: lf, bodyOffset: next + 2 };
    index = next;
  }
  return { headerEnd: raw.length, bodyOffset: raw.length };
}

/** Splits header text into unfolded fields. Lines that are neither a field nor a continuation are skipped. */
export function parseHeaderText(text: string): HeaderField[] {
  const fields: HeaderField[] = [];
  let current: { name: string; value: string } | null = null;
  for (const line of text.split(/\r?\n/)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && current !== null) {
      current.value += line;
      continue;
    }
    if (current !== null) fields.push({ name: current.name, value: current.value.trim() });
    current = null;
    const match = FIELD_LINE.exec(line.replace(/\r$/, ''));
    if (match !== null) current = { name: (match[1] ?? '').toLowerCase(), value: match[2] ?? '' };
  }
  if (current !== null) fields.push({ name: current.name, value: current.value.trim() });
  return fields;
}

/** Reads the header section of a message (or of a text/rfc822-headers part) without interpreting the body. */
export function readHeaderSection(raw: Buffer): HeaderSection {
  const { headerEnd, bodyOffset } = findBodyOffset(raw);
  const text = decodeHeaderBytes(raw.subarray(0, headerEnd));
  return { fields: parseHeaderText(text), bodyOffset };
}

/** Whether the bytes start like an Internet message: the first line is a header field. */
export function startsWithHeaderField(raw: Buffer): boolean {
  const firstLineEnd = raw.indexOf(0x0a);
  const firstLine = raw.subarray(0, firstLineEnd === -1 ? Math.min(raw.length, 1000) : firstLineEnd);
  return FIELD_LINE.test(firstLine.toString('latin1').replace(/\r$/, ''));
}

export function firstHeader(fields: readonly HeaderField[], name: string): string | null {
  const found = fields.find((field) => field.name === name);
  return found === undefined ? null : found.value;
}

export function allHeaders(fields: readonly HeaderField[], name: string): string[] {
  return fields.filter((field) => field.name === name).map((field) => field.value);
}
