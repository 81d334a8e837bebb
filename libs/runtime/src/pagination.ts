import { z } from 'zod';

/**
 * Cursor pagination of list endpoints (`GET /v1/sequences`, `/v1/enrollments`, `/v1/emails`): the
 * answer is `{ items, nextCursor }`; pass `nextCursor` back as `cursor` for the next page (null: the
 * last page). A cursor is opaque to callers: base64url of the sort key of the last item seen, so a
 * page never repeats or skips rows that were there before, whatever is inserted meanwhile.
 */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `limit` in a query string: 1 to 100, 50 when absent. */
export const PageLimit = z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE);

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * A `cursor` query parameter holding `parts.length` values, each checked by its schema; anything
 * else is a 400 naming `cursor` (never a database error).
 */
export function cursorParam<const P extends readonly z.ZodType<string>[]>(...parts: P) {
  return z
    .string()
    .max(1000)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a nextCursor from a previous page')
    .transform((text, ctx) => {
      let values: unknown;
      try {
        values = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
      } catch {
        values = null;
      }
      const parsed = z.tuple(parts as unknown as [z.ZodType<string>, ...z.ZodType<string>[]]).safeParse(values);
      if (parsed.success) return parsed.data as { [K in keyof P]: string };
      ctx.addIssue({ code: 'custom', message: 'must be a nextCursor from a previous page of the same list' });
      return z.NEVER;
    })
    .optional();
}

/** A timestamp as PostgreSQL prints `timestamptz::text` (microseconds kept, unlike a JS Date). */
export const CursorTimestamp = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/);

/**
 * Turns `limit + 1` rows fetched in sort order into a page: the extra row only says there is more.
 * `key` gives the sort key of a row (what the next page's cursor continues after).
 */
export function toPage<R, T>(rows: readonly R[], limit: number, key: (row: R) => readonly string[], view: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return { items: shown.map(view), nextCursor: more && last !== undefined ? encodeCursor(key(last)) : null };
}

/** `q` for a case-insensitive substring filter, as an ILIKE pattern with its wildcards escaped. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The WHERE clause of a list query, built from optional filters with numbered parameters: each `$?`
 * in a clause takes the next value.
 */
export class SqlWhere {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  add(clause: string, ...values: unknown[]): this {
    let i = 0;
    this.clauses.push(clause.replace(/\$\?/g, () => this.param(values[i++])));
    return this;
  }

  /** A placeholder for one more parameter (e.g. the LIMIT). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get sql(): string {
    return this.clauses.length > 0 ? this.clauses.join(' AND ') : 'true';
  }
}

/** What a newest-first list query needs from its rows: the id and `created_at::text AS created_key`. */
export interface NewestFirstRow {
  id: string;
  created_key: string;
}

/**
 * One page of a list newest first by (created_at, id): `select` is the query up to its WHERE, with
 * `<alias>.created_at::text AS created_key` among its columns; the cursor, order and limit are added here.
 */
export async function newestFirstPage<R extends NewestFirstRow, T>(
  db: { query(sql: string, params: unknown[]): Promise<unknown> },
  select: string,
  alias: string,
  where: SqlWhere,
  page: { cursor?: readonly [string, string]; limit: number },
  view: (row: R) => T,
): Promise<Page<T>> {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  if (page.cursor) where.add(`(${col('created_at')}, ${col('id')}) < ($?::timestamptz, $?::uuid)`, ...page.cursor);
  const rows = (await db.query(`${select} WHERE ${where.sql} ORDER BY ${col('created_at')} DESC, ${col('id')} DESC LIMIT ${where.param(page.limit + 1)}`, where.params)) as R[];
  return toPage(rows, page.limit, (r) => [r.created_key, r.id], view);
}
