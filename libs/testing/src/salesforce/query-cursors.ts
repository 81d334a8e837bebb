/**
 * Query locators: a result larger than the batch size comes back with
 * `done: false` and a `nextRecordsUrl` to fetch the rest ("Execute a SOQL Query";
 * batch size from the `Sforce-Query-Options: batchSize=n` header, 200–2000, default 2000).
 */

export const DEFAULT_QUERY_BATCH_SIZE = 2000;
const MIN_BATCH_SIZE = 200;
/** "A user can have up to 10 query cursors open at a time"; opening another releases the oldest (the sandbox counts all users together). */
const MAX_OPEN_CURSORS = 10;

export interface QueryPage<T> {
  records: T[];
  /** Rows in the whole result, reported on every page. */
  totalSize: number;
  locator: string | null;
}

export function batchSizeFromHeader(header: string | undefined): number {
  const match = /batchSize\s*=\s*(\d+)/i.exec(header ?? '');
  if (!match) return DEFAULT_QUERY_BATCH_SIZE;
  return Math.min(DEFAULT_QUERY_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, Number(match[1])));
}

export class QueryCursors<T> {
  private readonly cursors = new Map<string, { rows: T[]; batchSize: number }>();
  private counter = 0;

  /** The first page of `rows`, registering a cursor for the rest when there is more. */
  open(rows: T[], batchSize: number): QueryPage<T> {
    if (rows.length <= batchSize) return { records: rows, totalSize: rows.length, locator: null };
    this.counter += 1;
    const cursorId = `01gTT${String(this.counter).padStart(10, '0')}`;
    this.cursors.set(cursorId, { rows, batchSize });
    if (this.cursors.size > MAX_OPEN_CURSORS) {
      const oldest = this.cursors.keys().next().value;
      if (oldest !== undefined) this.cursors.delete(oldest);
    }
    return { records: rows.slice(0, batchSize), totalSize: rows.length, locator: `${cursorId}-${batchSize}` };
  }

  /** The page at `locator`, or undefined for an unknown or finished locator. */
  next(locator: string): QueryPage<T> | undefined {
    const match = /^(01g[A-Za-z0-9]+)-(\d+)$/.exec(locator);
    if (!match) return undefined;
    const cursorId = match[1] as string;
    const offset = Number(match[2]);
    const cursor = this.cursors.get(cursorId);
    if (!cursor || offset >= cursor.rows.length) return undefined;
    const end = offset + cursor.batchSize;
    const records = cursor.rows.slice(offset, end);
    if (end >= cursor.rows.length) {
      this.cursors.delete(cursorId);
      return { records, totalSize: cursor.rows.length, locator: null };
    }
    return { records, totalSize: cursor.rows.length, locator: `${cursorId}-${end}` };
  }
}
