import type { Attributes } from '@opentelemetry/api';
import type { RequestOptions } from 'node:http';

export const REDACTED = 'REDACTED';

/**
 * Path segments that are secrets: the tracker's signed tokens (`/o/<token>`, `/c/<token>`) and
 * anything as long as a token or an opaque provider id (Graph message ids, delta links), which
 * ids we look up (UUIDs, 36 characters) are not.
 */
const TOKEN_ROUTE = /^\/(o|c)\/[^/]+/;
const LONG_SEGMENT = 40;

export function redactUrlPath(path: string): string {
  return path
    .replace(TOKEN_ROUTE, `/$1/${REDACTED}`)
    .split('/')
    .map((segment) => (segment.length > LONG_SEGMENT ? REDACTED : segment))
    .join('/');
}

/**
 * Every query value goes (OAuth `code` and `state`, device-registration and push tokens, SOQL with
 * email addresses in it, Graph delta tokens); the names stay, as they tell what was asked.
 */
export function redactQuery(query: string): string {
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  return [...params.keys()].map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join('&');
}

/** A path with its query (`/a/b?x=1`), both redacted. */
export function redactPathAndQuery(pathAndQuery: string): string {
  const at = pathAndQuery.indexOf('?');
  if (at < 0) return redactUrlPath(pathAndQuery);
  return `${redactUrlPath(pathAndQuery.slice(0, at))}?${redactQuery(pathAndQuery.slice(at + 1))}`;
}

/**
 * Span attributes replacing the HTTP instrumentation's own for an incoming request (its hooks'
 * attributes are applied last): `url.path` and `url.query` without secrets.
 */
export function redactedIncomingAttributes(url: string | undefined): Attributes {
  if (url === undefined) return {};
  const at = url.indexOf('?');
  const attributes: Attributes = { 'url.path': redactUrlPath(at < 0 ? url : url.slice(0, at)) };
  if (at >= 0 && at < url.length - 1) attributes['url.query'] = redactQuery(url.slice(at + 1));
  return attributes;
}

/** The same for an outgoing request: `url.full` without credentials, secret path segments or query values. */
export function redactedOutgoingAttributes(options: RequestOptions): Attributes {
  const protocol = options.protocol ?? 'http:';
  const host = options.hostname ?? options.host ?? 'localhost';
  const port = options.port === undefined || options.port === null || options.port === '' ? '' : `:${options.port}`;
  return { 'url.full': `${protocol}//${host}${port}${redactPathAndQuery(options.path ?? '/')}` };
}
