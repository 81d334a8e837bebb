import { replaceComments } from './header-comments';

/**
 * Reads the msg-id list of a Message-ID, In-Reply-To or References value (RFC 5322 §3.6.4) into
 * angle-bracketed ids, in order, without duplicates. Real mail bends the grammar: ids folded
 * across lines (whitespace inside the brackets), ids separated by commas, comments, and ids
 * without brackets; each is read as the sender meant it.
 */
export function parseMessageIdList(value: string | null): string[] {
  if (value === null) return [];
  // A set, not a list search: a References header of thousands of ids stays linear.
  const ids = new Set<string>();
  const push = (inner: string): void => {
    const compact = inner.replace(/\s+/g, '');
    if (compact !== '') ids.add(`<${compact}>`);
  };

  // Comments go first: old mailers write `<id@host> (from "Jane" <jane@host>)`.
  const withoutComments = replaceComments(value);
  const bracketed = [...withoutComments.matchAll(/<([^<>]*)>/g)];
  if (bracketed.length > 0) {
    for (const match of bracketed) push(match[1] ?? '');
    return [...ids];
  }
  for (const token of withoutComments.split(/[\s,]+/)) {
    if (token.includes('@')) push(token);
  }
  return [...ids];
}
