import type { Connection } from 'jsforce';
import { z } from 'zod';
import { counter, createMetricsRegistry, gauge, histogram, secondsSince, type Counter, type Gauge, type Histogram, type Registry } from '@telltale/runtime';
import { mapSalesforceError } from './salesforce-error.mapper';

/**
 * crm-writer's only door to Salesforce's REST API: SOQL queries (every page) and sObject
 * Collections writes (up to 200 records a call, `allOrNone: false` so each record succeeds or fails
 * on its own). Counts every call, by operation and outcome, and reports the org's daily usage from
 * `Sforce-Limit-Info` to the caller (the governor).
 */

/** sObject Collections take at most 200 records per request ("sObject Collections", Usage). */
export const COLLECTION_MAX = 200;
/** A Composite request holds at most five query operations. */
export const COMPOSITE_QUERIES_MAX = 5;

export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

/** One entry of a collection response, in the order of the request's records. */
export interface RecordResult {
  id: string | null;
  success: boolean;
  /** Upserts only: true when the record was created, false when an existing one was updated. */
  created?: boolean;
  errors: RecordError[];
}

export interface ApiUsage {
  used: number;
  limit: number;
}

export type SalesforceRecord = Record<string, unknown> & { attributes: { type: string } };

const recordResults = z.array(
  z.object({
    id: z.string().nullable().optional(),
    success: z.boolean(),
    created: z.boolean().optional(),
    errors: z.array(
      z.object({
        statusCode: z.string().optional(),
        errorCode: z.string().optional(),
        message: z.string().default(''),
        fields: z.array(z.string()).optional(),
      }),
    ),
  }),
);
/**
 * jsforce would retry a failed GET up to five times, sleeping up to 15 s in all, inside one call;
 * our retries are durable and spaced instead (the pending-writes queue), so it makes one try.
 */
const ONE_TRY = { retry: { maxRetries: 0 } };

const queryPage = z.object({
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});

const compositeAnswer = z.object({
  compositeResponse: z.array(z.object({ referenceId: z.string(), httpStatusCode: z.number(), body: z.unknown() })),
});
const apiErrors = z.array(z.object({ errorCode: z.string(), message: z.string() }));

/** A failed subrequest as jsforce reports a failed request: `errorCode` and `message` (mapSalesforceError reads them). */
function subrequestError(status: number, body: unknown): Error {
  const parsed = apiErrors.safeParse(body);
  const first = parsed.success ? parsed.data[0] : undefined;
  const errorCode = first?.errorCode ?? `ERROR_HTTP_${status}`;
  return Object.assign(new Error(first?.message ?? `subrequest failed with HTTP ${status}`), { name: errorCode, errorCode });
}

export interface CollectionWrite {
  operation: 'upsert' | 'update' | 'create';
  method: 'PATCH' | 'POST';
  path: string;
  records: SalesforceRecord[];
}

function recordResultsOf(raw: unknown, expected: number): RecordResult[] {
  const parsed = recordResults.parse(raw);
  if (parsed.length !== expected) throw new Error(`Salesforce answered ${parsed.length} results for ${expected} records`);
  return parsed.map((r) => ({
    id: r.id ?? null,
    success: r.success,
    ...(r.created === undefined ? {} : { created: r.created }),
    errors: r.errors.map((e) => ({ statusCode: e.statusCode ?? e.errorCode ?? 'UNKNOWN_EXCEPTION', message: e.message, fields: e.fields ?? [] })),
  }));
}

export class SalesforceActivityGateway {
  private readonly calls: Counter<'operation' | 'outcome'>;
  private readonly callSeconds: Histogram<'operation'>;
  private readonly apiUsage: Gauge<'kind'>;

  constructor(
    metrics: Registry = createMetricsRegistry(),
    /** Told after every call, failed ones included: the org's usage as Salesforce reported it. */
    private readonly onCall: (orgId: string, usage: ApiUsage | null) => Promise<void> | void = () => undefined,
  ) {
    this.calls = counter(metrics, {
      name: 'telltale_salesforce_api_calls_total',
      help: 'Salesforce REST API calls, by operation (query, upsert, create) and outcome (ok, or the mapped error code).',
      labelNames: ['operation', 'outcome'],
    });
    this.callSeconds = histogram(metrics, {
      name: 'telltale_salesforce_api_call_duration_seconds',
      help: 'Duration of Salesforce REST API calls.',
      labelNames: ['operation'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.apiUsage = gauge(metrics, {
      name: 'telltale_salesforce_api_usage',
      help: "The org's rolling 24-hour API requests (kind=used) and allocation (kind=limit), from the last response's Sforce-Limit-Info.",
      labelNames: ['kind'],
    });
  }

  /** Every row of a SOQL query, following `nextRecordsUrl` (each page is one API call). */
  async query(orgId: string, conn: Connection, soql: string): Promise<Array<Record<string, unknown>>> {
    const rows: Array<Record<string, unknown>> = [];
    let page = queryPage.parse(await this.call(orgId, conn, 'query', () => conn.request({ method: 'GET', url: `${this.base(conn)}/query?q=${encodeURIComponent(soql)}` }, ONE_TRY)));
    rows.push(...page.records);
    while (!page.done && page.nextRecordsUrl) {
      const next = page.nextRecordsUrl;
      page = queryPage.parse(await this.call(orgId, conn, 'query', () => conn.request({ method: 'GET', url: next }, ONE_TRY)));
      rows.push(...page.records);
    }
    return rows;
  }

  /**
   * Several SOQL queries in as few calls as possible: up to five per Composite request, which
   * Salesforce counts as ONE call against the daily allocation ("Send Multiple Requests Using
   * Composite"). Answers each query's rows, in order; a failed query fails the whole.
   */
  async queries(orgId: string, conn: Connection, soqls: string[]): Promise<Array<Array<Record<string, unknown>>>> {
    if (soqls.length === 1) return [await this.query(orgId, conn, soqls[0] as string)];
    const out: Array<Array<Record<string, unknown>>> = [];
    for (let i = 0; i < soqls.length; i += COMPOSITE_QUERIES_MAX) {
      const chunk = soqls.slice(i, i + COMPOSITE_QUERIES_MAX);
      const body = JSON.stringify({
        compositeRequest: chunk.map((soql, j) => ({ method: 'GET', url: `${this.base(conn)}/query?q=${encodeURIComponent(soql)}`, referenceId: `q${j}` })),
      });
      const raw = await this.call(orgId, conn, 'composite', () =>
        conn.request({ method: 'POST', url: `${this.base(conn)}/composite`, body, headers: { 'content-type': 'application/json' } }, ONE_TRY),
      );
      const answers = compositeAnswer.parse(raw).compositeResponse;
      for (const [j] of chunk.entries()) {
        const answer = answers.find((a) => a.referenceId === `q${j}`);
        if (!answer) throw new Error(`Salesforce gave no answer for query q${j} of a composite request`);
        if (answer.httpStatusCode >= 300) throw subrequestError(answer.httpStatusCode, answer.body);
        let page = queryPage.parse(answer.body);
        const rows = [...page.records];
        while (!page.done && page.nextRecordsUrl) {
          const next = page.nextRecordsUrl;
          page = queryPage.parse(await this.call(orgId, conn, 'query', () => conn.request({ method: 'GET', url: next }, ONE_TRY)));
          rows.push(...page.records);
        }
        out.push(rows);
      }
    }
    return out;
  }

  /**
   * Several sObject Collections writes in ONE call (a Composite request of collection
   * subrequests, each with `allOrNone: false`): e.g. a batch's Task upsert and the roll-up updates
   * of Tasks written before. One result list per write, in order; a write refused as a whole fails
   * the call.
   */
  async writeTogether(orgId: string, conn: Connection, writes: CollectionWrite[]): Promise<RecordResult[][]> {
    const present = writes.filter((w) => w.records.length > 0);
    if (present.length <= 1) {
      return Promise.all(writes.map((w) => (w.records.length === 0 ? Promise.resolve([]) : this.collection(orgId, conn, w.operation, w.method, w.path, w.records))));
    }
    const body = JSON.stringify({
      compositeRequest: writes.flatMap((w, i) =>
        w.records.length === 0 ? [] : [{ method: w.method, url: `${this.base(conn)}${w.path}`, referenceId: `w${i}`, body: { allOrNone: false, records: w.records } }],
      ),
    });
    const raw = await this.call(orgId, conn, 'composite', () =>
      conn.request({ method: 'POST', url: `${this.base(conn)}/composite`, body, headers: { 'content-type': 'application/json' } }, ONE_TRY),
    );
    const answers = compositeAnswer.parse(raw).compositeResponse;
    return writes.map((w, i) => {
      if (w.records.length === 0) return [];
      const answer = answers.find((a) => a.referenceId === `w${i}`);
      if (!answer) throw new Error(`Salesforce gave no answer for write w${i} of a composite request`);
      if (answer.httpStatusCode >= 300) throw subrequestError(answer.httpStatusCode, answer.body);
      return recordResultsOf(answer.body, w.records.length);
    });
  }

  /** The Task upsert of a batch, as a write for `writeTogether`. */
  static upsertWrite(sobject: string, externalIdField: string, records: SalesforceRecord[]): CollectionWrite {
    return { operation: 'upsert', method: 'PATCH', path: `/composite/sobjects/${sobject}/${externalIdField}`, records };
  }

  /** Updates by Id, as a write for `writeTogether`. */
  static updateWrite(records: SalesforceRecord[]): CollectionWrite {
    return { operation: 'update', method: 'PATCH', path: '/composite/sobjects', records };
  }

  /** Upserts up to 200 records of one type on an External ID field; one result per record. */
  upsert(orgId: string, conn: Connection, sobject: string, externalIdField: string, records: SalesforceRecord[]): Promise<RecordResult[]> {
    return this.collection(orgId, conn, 'upsert', 'PATCH', `/composite/sobjects/${sobject}/${externalIdField}`, records);
  }

  /** Updates up to 200 records by Id (never creates: a deleted record fails alone); one result per record. */
  update(orgId: string, conn: Connection, records: SalesforceRecord[]): Promise<RecordResult[]> {
    return this.collection(orgId, conn, 'update', 'PATCH', '/composite/sobjects', records);
  }

  /** Creates up to 200 records (any types); one result per record. */
  create(orgId: string, conn: Connection, records: SalesforceRecord[]): Promise<RecordResult[]> {
    return this.collection(orgId, conn, 'create', 'POST', '/composite/sobjects', records);
  }

  private async collection(
    orgId: string,
    conn: Connection,
    operation: string,
    method: 'PATCH' | 'POST',
    path: string,
    records: SalesforceRecord[],
  ): Promise<RecordResult[]> {
    if (records.length === 0) return [];
    if (records.length > COLLECTION_MAX) throw new Error(`at most ${COLLECTION_MAX} records per sObject Collections call, got ${records.length}`);
    const body = JSON.stringify({ allOrNone: false, records });
    const raw = await this.call(orgId, conn, operation, () =>
      conn.request({ method, url: `${this.base(conn)}${path}`, body, headers: { 'content-type': 'application/json' } }, ONE_TRY),
    );
    return recordResultsOf(raw, records.length);
  }

  private base(conn: Connection): string {
    return `/services/data/v${conn.version}`;
  }

  private async call<T>(orgId: string, conn: Connection, operation: string, work: () => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    let outcome = 'ok';
    try {
      return await work();
    } catch (err) {
      outcome = mapSalesforceError(err).code;
      throw err;
    } finally {
      this.calls.inc({ operation, outcome });
      this.callSeconds.observe({ operation }, secondsSince(startedAt));
      const usage = conn.limitInfo?.apiUsage ?? null;
      if (usage) {
        this.apiUsage.set({ kind: 'used' }, usage.used);
        this.apiUsage.set({ kind: 'limit' }, usage.limit);
      }
      await this.onCall(orgId, usage);
    }
  }
}
