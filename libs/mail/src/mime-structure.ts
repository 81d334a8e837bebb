/**
 * A linear pre-scan of a message's MIME structure (RFC 2046 §5.1): how many body parts it has and
 * how deep multiparts and enclosed messages nest. It runs before the full parse so that hostile
 * mail (200 nested multiparts, a hundred thousand empty parts) is recognised in one pass over the
 * bytes, and the body is then not parsed at all.
 */
export interface MimeLimits {
  /** Body parts, every level counted. */
  maxParts: number;
  /** Nesting of multipart and message/rfc822 entities below the top level. */
  maxDepth: number;
}

export const DEFAULT_MIME_LIMITS: MimeLimits = { maxParts: 1000, maxDepth: 30 };

export type MimeLimitExceeded = 'too-many-parts' | 'too-deep';

/** Content-Type values longer than this are not read for a boundary (RFC 2046 §5.1.1: a boundary is at most 70 characters). */
const MAX_CONTENT_TYPE_CHARS = 4096;
const BOUNDARY_PARAM = /;\s*boundary\s*=\s*(?:"([^"]{1,200})"|([^;\s"]{1,200}))/i;

interface EntityHeader {
  contentType: string;
  /** Set once the current field is Content-Type, so its folded continuation lines join it. */
  inContentType: boolean;
}

function boundaryOf(contentType: string): string | null {
  if (!/^\s*multipart\//i.test(contentType)) return null;
  const match = BOUNDARY_PARAM.exec(contentType.slice(0, MAX_CONTENT_TYPE_CHARS));
  return match === null ? null : (match[1] ?? match[2] ?? null);
}

function isEnclosedMessage(contentType: string): boolean {
  return /^\s*message\/(rfc822|global)\b/i.test(contentType);
}

/**
 * Walks the message line by line with a stack of open multipart boundaries. A delimiter line of an
 * outer boundary closes the inner ones left open (an unclosed inner multipart is common in broken
 * mail). Cost: one pass, and per line starting with "--" a comparison with each open boundary,
 * of which there are at most maxDepth + 1 before it stops.
 */
export function checkMimeStructure(raw: Buffer, limits: MimeLimits = DEFAULT_MIME_LIMITS): MimeLimitExceeded | null {
  const text = raw.toString('latin1');
  const boundaries: string[] = [];
  let depth = 0;
  let parts = 0;
  let header: EntityHeader | null = { contentType: '', inContentType: false };
  // Depth of each open boundary's entity, so closing it restores the depth outside it.
  const depthAt: number[] = [];

  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.charCodeAt(end - 1) === 0x0d ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;

    if (line.startsWith('--') && boundaries.length > 0) {
      const delimiter = matchDelimiter(line, boundaries);
      if (delimiter !== null) {
        const ownerDepth = depthAt[delimiter.level] ?? 0;
        boundaries.length = delimiter.closing ? delimiter.level : delimiter.level + 1;
        depthAt.length = boundaries.length;
        depth = delimiter.closing ? ownerDepth : ownerDepth + 1;
        header = delimiter.closing ? null : { contentType: '', inContentType: false };
        if (!delimiter.closing) {
          parts += 1;
          if (parts > limits.maxParts) return 'too-many-parts';
        }
        continue;
      }
    }
    if (header === null) continue;

    if (line === '') {
      // End of an entity's header: what it declared decides how its body is read.
      const boundary = boundaryOf(header.contentType);
      const enclosed = isEnclosedMessage(header.contentType);
      header = null;
      if (boundary !== null) {
        depthAt.push(depth);
        boundaries.push(boundary);
        depth += 1;
      } else if (enclosed) {
        depth += 1;
        header = { contentType: '', inContentType: false };
      }
      if (depth > limits.maxDepth) return 'too-deep';
    } else if (line.startsWith(' ') || line.startsWith('\t')) {
      if (header.inContentType && header.contentType.length < MAX_CONTENT_TYPE_CHARS) header.contentType += line;
    } else {
      header.inContentType = /^content-type\s*:/i.test(line.slice(0, 20));
      if (header.inContentType) header.contentType = line.slice(line.indexOf(':') + 1, MAX_CONTENT_TYPE_CHARS);
    }
  }
  return null;
}

/** The innermost open boundary this line delimits (RFC 2046 §5.1.1: only white space may follow it), if any. */
function matchDelimiter(line: string, boundaries: readonly string[]): { level: number; closing: boolean } | null {
  for (let level = boundaries.length - 1; level >= 0; level -= 1) {
    const boundary = boundaries[level]!;
    if (!line.startsWith(boundary, 2)) continue;
    const rest = line.slice(2 + boundary.length);
    const closing = rest.startsWith('--');
    if ((closing ? rest.slice(2) : rest).trim() === '') return { level, closing };
  }
  return null;
}
