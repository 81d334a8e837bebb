/**
 * Reads an HTTP Retry-After value (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.
 * Gmail and Microsoft Graph both send it on 429 and 503 answers. Anything unreadable returns
 * undefined so the caller's own backoff applies.
 */
export function retryAfterFromHeader(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1_000;
  // HTTP-date always names a day or month; without letters it is neither form (e.g. "-5").
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
