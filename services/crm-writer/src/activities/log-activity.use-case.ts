import { Inject, Injectable } from '@nestjs/common';
import type { Connection } from 'jsforce';
import { crmActivityLoggedTopic } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { SalesforceActivityGateway, type RecordResult, type SalesforceRecord } from '../salesforce/salesforce-activity.gateway';
import { mapRecordError, mapSalesforceError } from '../salesforce/salesforce-error.mapper';
import { ACTIVITY_KEY_FIELD, buildTaskRecord, TASK_FIELDS, type SentContext, type SentEmailPayload } from '../salesforce/task-fields.mapper';
import { ActivityMatcher, type MatchDecision, type MatchRequest } from './activity-matcher';
import { ActivityStore, type ActivityRow } from './activity-store';
import { ApiGovernor } from './api-governor';
import { readCrmSettings } from './crm-settings';
import {
  CRM_WRITER_SETTINGS,
  retryDelayMs,
  SALESFORCE_CONNECTION_SOURCE,
  type CrmWriterSettings,
  type SalesforceConnectionSource,
} from './crm-writer-settings';
import { RepUserStore } from './rep-user-store';
import { RollupStore, type RollupRow } from './rollup-store';

/**
 * Writes waiting activities to Salesforce, exactly once and cheaply (docs/crm-writer.md):
 *  - a batch is up to 200 activities of one organisation, claimed under a lease;
 *  - matching costs a few queries for the whole batch (ActivityMatcher);
 *  - the Tasks go in ONE sObject Collections upsert on Task.Telltale_Activity_Key__c — no query
 *    first. A Task that already exists (a replica that died after Salesforce accepted, a race)
 *    answers INVALID_FIELD_FOR_INSERT_UPDATE for TaskSubtype, which is create-only: those records
 *    are upserted again with their key alone, which finds the Task and changes nothing;
 *  - each record's result is handled on its own: written, retried later (row locks), or
 *    dead-lettered with its reason (a value Salesforce refuses) for `npm run crm:replay`;
 *  - a failure of the whole call (limit, outage, network) leaves the batch waiting, with backoff;
 *    nothing is ever dead-lettered for being temporary.
 */
@Injectable()
export class LogActivityUseCase {
  private readonly store = new ActivityStore();
  private readonly rollups = new RollupStore();
  private readonly governor: ApiGovernor;
  private readonly matcher: ActivityMatcher;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly salesforce: SalesforceActivityGateway,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CRM_WRITER_SETTINGS) private readonly settings: CrmWriterSettings,
    @Inject(SALESFORCE_CONNECTION_SOURCE) private readonly connections: SalesforceConnectionSource,
  ) {
    this.governor = new ApiGovernor(settings.governor);
    this.matcher = new ActivityMatcher(salesforce, new RepUserStore(runtime), () => this.clock.now());
  }

  /** Organisations with activities or roll-ups to write now. */
  async orgsDue(): Promise<string[]> {
    const now = this.clock.now();
    return this.runtime.transaction(async (m) => {
      const orgs = await this.store.orgsDue(m, now, this.settings.batchWindowMs, this.settings.batchSize);
      const rollups = await this.rollups.orgsDue(m, now, this.settings.rollupWindowMs);
      return [...new Set([...orgs, ...rollups])];
    });
  }

  /** One batch of the organisation's due activities; returns how many were claimed. */
  async writeBatch(orgId: string): Promise<number> {
    const now = this.clock.now();
    const claimed = await this.runtime.transaction((m) => this.store.claim(m, orgId, now, this.settings.batchSize, this.settings.leaseMs));
    if (claimed.length === 0) return 0;
    const keys = claimed.map((r) => r.activity_key);
    const settings = await this.runtime.transaction((m) => readCrmSettings(m, orgId));
    const gate = await this.runtime.transaction((m) => this.governor.check(m, orgId, settings.apiShare, now));
    if (!gate.allowed) {
      await this.runtime.transaction((m) => this.store.release(m, keys, gate.retryAt, 'API_BUDGET', gate.reason));
      return claimed.length;
    }
    try {
      const conn = await this.connection(orgId);
      const sent = await this.runtime.transaction((m) => this.store.sentEmails(m, [...new Set(claimed.filter((r) => r.kind === 'reply').map((r) => r.sent_email_id))]));
      const requests = claimed.map((row) => matchRequest(row, sent.get(row.sent_email_id)));
      const decisions = await this.matcher.match(orgId, conn, requests, settings);
      const toWrite = claimed.filter((row) => decisions.get(row.activity_key)?.outcome === 'matched');
      // Roll-ups waiting on Tasks written before ride along in the same call, due or not.
      const rollups = await this.runtime.transaction((m) => this.rollups.claim(m, orgId, this.clock.now(), null, this.settings.batchSize, this.settings.leaseMs));
      let results: Map<string, RecordResult>;
      try {
        const written = await this.upsertTasks(orgId, conn, toWrite, decisions, sent, rollups);
        results = written.tasks;
        await this.recordRollupResults(rollups, written.rollups);
      } catch (err) {
        await this.failRollups(orgId, rollups, err);
        throw err;
      }
      await this.runtime.transaction(async (m) => {
        const at = this.clock.now();
        for (const row of claimed) {
          const decision = decisions.get(row.activity_key) as MatchDecision;
          const result = results.get(row.activity_key);
          if (!result) await this.store.park(m, row.activity_key, decision, new Date(at.getTime() + this.settings.rematchEveryMs));
          else await this.recordResult(m, row, decision, result, at);
        }
      });
    } catch (err) {
      await this.failBatch(orgId, claimed, err);
    }
    return claimed.length;
  }

  /** One batch of the organisation's due roll-ups: one update call for up to 200 Tasks. */
  async writeRollups(orgId: string): Promise<number> {
    const now = this.clock.now();
    const claimed = await this.runtime.transaction((m) => this.rollups.claim(m, orgId, now, this.settings.rollupWindowMs, this.settings.batchSize, this.settings.leaseMs));
    if (claimed.length === 0) return 0;
    const ids = claimed.map((r) => r.sent_email_id);
    const settings = await this.runtime.transaction((m) => readCrmSettings(m, orgId));
    const gate = await this.runtime.transaction((m) => this.governor.check(m, orgId, settings.apiShare, now));
    if (!gate.allowed) {
      await this.runtime.transaction((m) => this.rollups.retryLater(m, ids, gate.retryAt, gate.reason, false));
      return claimed.length;
    }
    try {
      const conn = await this.connection(orgId);
      await this.recordRollupResults(claimed, await this.salesforce.update(orgId, conn, claimed.map(rollupRecord)));
    } catch (err) {
      await this.failRollups(orgId, claimed, err);
    }
    return claimed.length;
  }

  private async recordRollupResults(claimed: RollupRow[], results: RecordResult[]): Promise<void> {
    if (claimed.length === 0) return;
    await this.runtime.transaction(async (m) => {
      const at = this.clock.now();
      for (const [i, row] of claimed.entries()) {
        const result = results[i] as RecordResult;
        if (result.success) {
          await this.rollups.written(m, row.sent_email_id, row.version);
          continue;
        }
        const error = result.errors[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'no error given' };
        const mapped = mapRecordError(error);
        if (mapped.code === 'TEMPORARY' || mapped.code === 'RATE_LIMITED' || mapped.code === 'AUTH_REVOKED') {
          await this.rollups.retryLater(m, [row.sent_email_id], new Date(at.getTime() + retryDelayMs(this.settings, row.attempts)), mapped.message, true);
        } else {
          // The Task is gone or refuses the values: this version is given up, later changes try again.
          await this.rollups.written(m, row.sent_email_id, row.version, mapped.message);
        }
      }
    });
  }

  private async failRollups(orgId: string, claimed: RollupRow[], err: unknown): Promise<void> {
    if (claimed.length === 0) return;
    const { retryAt, reason } = await this.whenToRetry(orgId, err, Math.max(...claimed.map((r) => r.attempts)), this.clock.now());
    await this.runtime.transaction((m) => this.rollups.retryLater(m, claimed.map((r) => r.sent_email_id), retryAt, reason, true));
  }

  /** The ONE place a write gets its Salesforce connection. */
  private connection(orgId: string): Promise<Connection> {
    return this.connections.forOrg(orgId);
  }

  private async upsertTasks(
    orgId: string,
    conn: Connection,
    rows: ActivityRow[],
    decisions: Map<string, MatchDecision>,
    sent: Map<string, ActivityRow>,
    rollups: RollupRow[],
  ): Promise<{ tasks: Map<string, RecordResult>; rollups: RecordResult[] }> {
    const out = new Map<string, RecordResult>();
    const records = rows.map((row) => {
      const d = decisions.get(row.activity_key) as MatchDecision;
      return buildTaskRecord(row.activity_key, row.payload, { whoId: d.who?.id ?? null, whatId: d.what?.id ?? null, ownerId: d.owner?.id ?? null }, sentContext(row, sent));
    });
    // The Tasks and the roll-ups in one call.
    const [results = [], rollupResults = []] = await this.salesforce.writeTogether(orgId, conn, [
      SalesforceActivityGateway.upsertWrite('Task', ACTIVITY_KEY_FIELD, records),
      SalesforceActivityGateway.updateWrite(rollups.map(rollupRecord)),
    ]);
    const existing: ActivityRow[] = [];
    rows.forEach((row, i) => {
      const result = results[i] as RecordResult;
      if (!result.success && result.errors.some((e) => e.statusCode === 'INVALID_FIELD_FOR_INSERT_UPDATE' && e.fields.includes('TaskSubtype'))) existing.push(row);
      else out.set(row.activity_key, result);
    });
    if (existing.length > 0) {
      const keyOnly: SalesforceRecord[] = existing.map((row) => ({ attributes: { type: 'Task' }, [ACTIVITY_KEY_FIELD]: row.activity_key }));
      const again = await this.salesforce.upsert(orgId, conn, 'Task', ACTIVITY_KEY_FIELD, keyOnly);
      existing.forEach((row, i) => out.set(row.activity_key, again[i] as RecordResult));
    }
    return { tasks: out, rollups: rollupResults };
  }

  private async recordResult(
    m: Parameters<Parameters<ServiceRuntime['transaction']>[0]>[0],
    row: ActivityRow,
    decision: MatchDecision,
    result: RecordResult,
    now: Date,
  ): Promise<void> {
    if (result.success && result.id) {
      await this.store.written(m, row.activity_key, result.id, decision, now);
      await this.runtime.outbox.enqueue(
        m,
        crmActivityLoggedTopic,
        {
          orgId: row.org_id,
          activityKey: row.activity_key,
          sourceEventType: row.source_event_type,
          crm: 'salesforce',
          sobject: 'Task',
          recordId: result.id,
          whoId: decision.who?.id ?? null,
          whoType: decision.who?.type ?? null,
          loggedAt: now.toISOString(),
        },
        { orgId: row.org_id, occurredAt: now },
      );
      return;
    }
    const error = result.errors[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'Salesforce gave no reason' };
    const mapped = mapRecordError(error);
    if (mapped.code === 'TEMPORARY' || mapped.code === 'RATE_LIMITED' || mapped.code === 'AUTH_REVOKED') {
      await this.store.retryLater(m, row.activity_key, new Date(now.getTime() + retryDelayMs(this.settings, row.attempts)), error.statusCode, mapped.message);
    } else {
      await this.store.deadLetter(m, row.activity_key, error.statusCode, mapped.message, decision);
    }
  }

  /** The whole batch failed before any record was written. */
  private async failBatch(orgId: string, rows: ActivityRow[], err: unknown): Promise<void> {
    const now = this.clock.now();
    const mapped = connectionUnavailable(err) ? null : mapSalesforceError(err);
    this.runtime.logger.warn({ orgId, activities: rows.length, code: connectionUnavailable(err)?.code ?? mapped?.code, err: mapped?.message }, 'Salesforce batch not written');
    if (mapped && (mapped.code === 'PERMANENT' || mapped.code === 'NOT_FOUND')) {
      await this.runtime.transaction(async (m) => {
        for (const row of rows) await this.store.deadLetter(m, row.activity_key, mapped.code, mapped.message, null);
      });
      return;
    }
    const { retryAt, reason, code } = await this.whenToRetry(orgId, err, Math.max(...rows.map((r) => r.attempts)), now);
    await this.runtime.transaction(async (m) => {
      if (code === 'TEMPORARY') {
        for (const row of rows) await this.store.retryLater(m, row.activity_key, new Date(now.getTime() + retryDelayMs(this.settings, row.attempts)), code, reason);
      } else {
        await this.store.release(m, rows.map((r) => r.activity_key), retryAt, code, reason);
      }
    });
  }

  /** When a batch that could not be written is tried again, and why (limits pause the whole organisation). */
  private async whenToRetry(orgId: string, err: unknown, attempts: number, now: Date): Promise<{ retryAt: Date; reason: string; code: string }> {
    const unavailable = connectionUnavailable(err);
    if (unavailable) return { retryAt: new Date(now.getTime() + this.settings.connectionRetryMs), reason: unavailable.message, code: unavailable.code };
    const mapped = mapSalesforceError(err);
    if (mapped.code === 'RATE_LIMITED') {
      const retryAt = new Date(now.getTime() + (mapped.retryAfterMs ?? this.settings.governor.backoffMs));
      await this.runtime.transaction((m) => this.governor.rateLimited(m, orgId, retryAt, mapped.message));
      return { retryAt, reason: mapped.message, code: mapped.code };
    }
    if (mapped.code === 'AUTH_REVOKED') return { retryAt: new Date(now.getTime() + this.settings.connectionRetryMs), reason: mapped.message, code: mapped.code };
    return { retryAt: new Date(now.getTime() + retryDelayMs(this.settings, attempts)), reason: mapped.message, code: 'TEMPORARY' };
  }
}

/** The organisation cannot be reached until an admin acts (not connected, must reconnect): wait. */
function connectionUnavailable(err: unknown): { code: string; message: string } | null {
  if (!(err instanceof Error)) return null;
  const flagged = (err as Error & { retryLater?: unknown; code?: unknown }).retryLater === true;
  if (flagged || err.message.includes('salesforce_needs_reconnect:')) {
    const code = (err as Error & { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'salesforce_needs_reconnect', message: err.message.slice(0, 500) };
  }
  return null;
}

function matchRequest(row: ActivityRow, sent: ActivityRow | undefined): MatchRequest {
  if (row.payload.kind === 'email_sent') {
    return { activityKey: row.activity_key, people: [row.payload.to[0] as { address: string; name?: string | null }], repEmail: row.payload.from.address };
  }
  const original = sent?.payload.kind === 'email_sent' ? (sent.payload as SentEmailPayload) : null;
  return {
    activityKey: row.activity_key,
    people: [row.payload.from, ...(original?.to ?? [])],
    repEmail: original?.from.address ?? null,
  };
}

function sentContext(row: ActivityRow, sent: Map<string, ActivityRow>): SentContext | null {
  const original = sent.get(row.sent_email_id)?.payload;
  if (!original || original.kind !== 'email_sent') return null;
  return { subject: original.subject, stepNumber: original.stepNumber, sequenceId: original.sequenceId };
}

function rollupRecord(row: RollupRow): SalesforceRecord {
  return {
    attributes: { type: 'Task' },
    Id: row.task_id,
    [TASK_FIELDS.opens]: row.human_opens,
    [TASK_FIELDS.clicks]: row.human_clicks,
    [TASK_FIELDS.lastEngaged]: row.last_engaged_at ? row.last_engaged_at.toISOString() : null,
    [TASK_FIELDS.bounced]: row.bounced,
    [TASK_FIELDS.bounceDetail]: row.bounce_detail,
    // Only once there is one: the out-of-office fields are not in every org's package yet.
    ...(row.out_of_office ? { [TASK_FIELDS.outOfOffice]: true, [TASK_FIELDS.outOfOfficeUntil]: row.out_of_office_until } : {}),
  };
}
