import type { Connection } from 'jsforce';
import { z } from 'zod';
import { counter, createMetricsRegistry, gauge, histogram, secondsSince, type Counter, type Gauge, type Histogram, type Registry } from '@telltale/runtime';
import { mapSalesforceError } from './salesforce-error.mapper';
import {
  parseTaskActivity,
  type LoggedTask,
  type TaskActivity,
  type WhoMatch,
} from './salesforce-activity.types';
import { soqlStringLiteral } from './soql-literal';
import { ACTIVITY_KEY_FIELD, buildTaskFields } from './task-fields.mapper';

const idRows = z.object({ records: z.array(z.object({ Id: z.string() })) });
const taskRows = z.object({ records: z.array(z.object({ Id: z.string(), WhoId: z.string().nullable().optional() })) });
const upsertResult = z.object({ id: z.string(), success: z.literal(true), created: z.boolean().optional() });
const codedError = z.object({ errorCode: z.string() });

/**
 * crm-writer's window on one Salesforce org: who an email address is, and logging an
 * activity as a Task on them exactly once.
 */
export class SalesforceActivityGateway {
  private readonly calls: Counter<'operation' | 'outcome'>;
  private readonly callSeconds: Histogram<'operation'>;
  private readonly apiUsage: Gauge<'kind'>;

  /** `metrics`: the service's registry (API calls by operation and outcome, the org's API usage). */
  constructor(
    private readonly connectionFactory: () => Promise<Connection>,
    metrics: Registry = createMetricsRegistry(),
  ) {
    this.calls = counter(metrics, {
      name: 'telltale_salesforce_api_calls_total',
      help: 'Salesforce REST API calls, by operation (query, upsert) and outcome (ok, or the mapped error code).',
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

  /** One REST call, counted and timed; the org's API usage is taken from its response. */
  private async call<T>(conn: Connection, operation: 'query' | 'upsert', work: () => PromiseLike<T>): Promise<T> {
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
      const usage = conn.limitInfo?.apiUsage;
      if (usage) {
        this.apiUsage.set({ kind: 'used' }, usage.used);
        this.apiUsage.set({ kind: 'limit' }, usage.limit);
      }
    }
  }

  /** The Contact with this email, else an unconverted Lead; the oldest one if several match. */
  async findWho(email: string): Promise<WhoMatch | null> {
    return this.findWhoWith(await this.connectionFactory(), email);
  }

  /**
   * Logs the activity as a completed email Task on the matching Contact or Lead.
   *
   * Idempotent on Salesforce's side: the Task is written by upsert on the External ID
   * `Telltale_Activity_Key__c`, so a retry after a crash between this call and our own
   * commit finds the Task instead of creating a second one. A Task that already exists
   * is left as it is (a rep may have edited it), and reported with `created: false`.
   */
  async logTask(activity: TaskActivity): Promise<LoggedTask> {
    const valid = parseTaskActivity(activity);
    const conn = await this.connectionFactory();
    const existing = await this.findTaskByKey(conn, valid.activityKey);
    if (existing) return existing;

    const who = await this.findWhoWith(conn, valid.whoEmail);
    const ownerId = valid.ownerEmail ? await this.findActiveUserId(conn, valid.ownerEmail) : null;
    const fields = buildTaskFields(valid, who?.id ?? null, ownerId);
    let result: unknown;
    try {
      result = await this.call(conn, 'upsert', () => conn.sobject('Task').upsert(fields, ACTIVITY_KEY_FIELD));
    } catch (err) {
      // Another delivery of the same event created the Task after our lookup: our
      // upsert became an update, which Salesforce refuses because TaskSubtype is not
      // updateable. The Task exists exactly once, which is what we wanted.
      if (errorCodeOf(err) === 'INVALID_FIELD_FOR_INSERT_UPDATE') {
        const raced = await this.findTaskByKey(conn, valid.activityKey);
        if (raced) return raced;
      }
      throw err;
    }
    const saved = upsertResult.parse(result);
    return { taskId: saved.id, whoId: who?.id ?? null, created: saved.created ?? true };
  }

  private async findWhoWith(conn: Connection, email: string): Promise<WhoMatch | null> {
    const literal = soqlStringLiteral(email.trim());
    const contact = await this.firstId(
      conn,
      `SELECT Id FROM Contact WHERE Email = ${literal} ORDER BY CreatedDate ASC, Id ASC LIMIT 1`,
    );
    if (contact) return { id: contact, type: 'Contact' };
    // A converted Lead lives on as the Contact it became; only open Leads count.
    const lead = await this.firstId(
      conn,
      `SELECT Id FROM Lead WHERE Email = ${literal} AND IsConverted = false ORDER BY CreatedDate ASC, Id ASC LIMIT 1`,
    );
    return lead ? { id: lead, type: 'Lead' } : null;
  }

  private async findActiveUserId(conn: Connection, email: string): Promise<string | null> {
    return this.firstId(
      conn,
      `SELECT Id FROM User WHERE Email = ${soqlStringLiteral(email.trim())} AND IsActive = true ORDER BY CreatedDate ASC, Id ASC LIMIT 1`,
    );
  }

  private async findTaskByKey(conn: Connection, activityKey: string): Promise<LoggedTask | null> {
    const result = taskRows.parse(
      await this.call(conn, 'query', () => conn.query(`SELECT Id, WhoId FROM Task WHERE ${ACTIVITY_KEY_FIELD} = ${soqlStringLiteral(activityKey)} LIMIT 1`)),
    );
    const [task] = result.records;
    return task ? { taskId: task.Id, whoId: task.WhoId ?? null, created: false } : null;
  }

  private async firstId(conn: Connection, soql: string): Promise<string | null> {
    const [row] = idRows.parse(await this.call(conn, 'query', () => conn.query(soql))).records;
    return row?.Id ?? null;
  }
}

function errorCodeOf(err: unknown): string | undefined {
  const parsed = codedError.safeParse(err);
  return parsed.success ? parsed.data.errorCode : undefined;
}
