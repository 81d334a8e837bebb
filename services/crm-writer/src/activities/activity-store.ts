import type { EntityManager } from 'typeorm';
import type { ActivityPayload } from '../salesforce/task-fields.mapper';
import type { MatchDecision } from './activity-matcher';

/**
 * The durable queue of activities waiting for Salesforce (crm_writer.crm_activity). Rows are
 * claimed with a lease (`FOR UPDATE SKIP LOCKED`), so two crm-writer replicas never work on the
 * same activity at once; a replica that dies mid-batch leaves its rows to the other once the lease
 * ends, and the Task upsert on the External ID makes that second attempt find the first one's Task.
 */

/** An EntityManager, or the replay command's plain client: something that runs SQL and answers rows. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

export interface ActivityRow {
  activity_key: string;
  org_id: string;
  kind: 'email_sent' | 'reply';
  sent_email_id: string;
  source_event_type: string;
  source_event_id: string;
  payload: ActivityPayload;
  received_at: Date;
  state: 'pending' | 'written' | 'unmatched' | 'dead';
  attempts: number;
  task_id: string | null;
}

export interface NewActivity {
  activityKey: string;
  orgId: string;
  kind: ActivityRow['kind'];
  sentEmailId: string;
  sourceEventType: string;
  sourceEventId: string;
  payload: ActivityPayload;
  occurredAt: Date;
}

/** Rows `claim` may take: waiting for their first write, a retry, or a re-match. */
const COLUMNS = 'activity_key, org_id, kind, sent_email_id, source_event_type, source_event_id, payload, received_at, state, attempts, task_id';
const CLAIMABLE = `state IN ('pending', 'unmatched') AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $2)`;

export class ActivityStore {
  /** Records an activity to write; a redelivered event or a second replica changes nothing. */
  async add(m: EntityManager, a: NewActivity, now: Date): Promise<boolean> {
    const rows = (await m.query(
      `INSERT INTO crm_writer.crm_activity (activity_key, org_id, kind, sent_email_id, source_event_type, source_event_id, payload, occurred_at, received_at, state, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $9) ON CONFLICT (activity_key) DO NOTHING RETURNING activity_key`,
      [a.activityKey, a.orgId, a.kind, a.sentEmailId, a.sourceEventType, a.sourceEventId, JSON.stringify(a.payload), a.occurredAt, now],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * Organisations with a batch to write now: at least `batchSize` due activities, or one that has
   * waited `windowMs` (so activities arriving together go in one call).
   */
  async orgsDue(m: EntityManager, now: Date, windowMs: number, batchSize: number): Promise<string[]> {
    const rows = (await m.query(
      `SELECT org_id FROM crm_writer.crm_activity WHERE ${CLAIMABLE.replaceAll('$2', '$1')}
       GROUP BY org_id HAVING count(*) >= $2 OR min(GREATEST(received_at, next_attempt_at)) <= $3 ORDER BY min(next_attempt_at) LIMIT 100`,
      [now, batchSize, new Date(now.getTime() - windowMs)],
    )) as Array<{ org_id: string }>;
    return rows.map((r) => r.org_id);
  }

  async claim(m: EntityManager, orgId: string, now: Date, limit: number, leaseMs: number): Promise<ActivityRow[]> {
    return (await m.query(
      `WITH claimed AS (
         UPDATE crm_writer.crm_activity SET lease_until = $3
         WHERE activity_key IN (
           SELECT activity_key FROM crm_writer.crm_activity WHERE org_id = $1 AND ${CLAIMABLE}
           ORDER BY next_attempt_at, activity_key LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING ${COLUMNS})
       SELECT * FROM claimed ORDER BY activity_key`,
      [orgId, now, new Date(now.getTime() + leaseMs), limit],
    )) as ActivityRow[];
  }

  /** Not attempted (no connection, over budget): try again at `retryAt`, attempts unchanged. */
  async release(m: EntityManager, keys: string[], retryAt: Date, code: string, reason: string): Promise<void> {
    await m.query(
      `UPDATE crm_writer.crm_activity SET lease_until = NULL, next_attempt_at = $2, last_error_code = $3, last_error = $4 WHERE activity_key = ANY($1)`,
      [keys, retryAt, code, reason],
    );
  }

  /** Attempted and failed for a reason time fixes: retry at `retryAt`, one more attempt counted. */
  async retryLater(m: EntityManager, key: string, retryAt: Date, code: string, reason: string): Promise<void> {
    await m.query(
      `UPDATE crm_writer.crm_activity SET lease_until = NULL, attempts = attempts + 1, next_attempt_at = $2, last_error_code = $3, last_error = $4 WHERE activity_key = $1`,
      [key, retryAt, code, reason],
    );
  }

  /** No retry can fix it as it is: kept, with why, for `npm run crm:replay` once fixed. */
  async deadLetter(m: EntityManager, key: string, code: string, reason: string, match: MatchDecision | null): Promise<void> {
    await m.query(
      `UPDATE crm_writer.crm_activity SET state = 'dead', lease_until = NULL, attempts = attempts + 1, last_error_code = $2, last_error = $3, match = COALESCE($4, match) WHERE activity_key = $1`,
      [key, code, reason, match ? JSON.stringify(match) : null],
    );
  }

  async park(m: EntityManager, key: string, match: MatchDecision, rematchAt: Date): Promise<void> {
    await m.query(
      `UPDATE crm_writer.crm_activity SET state = 'unmatched', lease_until = NULL, next_attempt_at = $3, match = $2, last_error_code = NULL, last_error = NULL WHERE activity_key = $1`,
      [key, JSON.stringify(match), rematchAt],
    );
  }

  async written(m: EntityManager, key: string, taskId: string, match: MatchDecision, now: Date): Promise<void> {
    await m.query(
      `UPDATE crm_writer.crm_activity SET state = 'written', lease_until = NULL, task_id = $2, who_id = $3, who_type = $4, match = $5, written_at = $6,
         last_error_code = NULL, last_error = NULL WHERE activity_key = $1`,
      [key, taskId, match.who?.id ?? null, match.who?.type ?? null, JSON.stringify(match), now],
    );
  }

  /** Parked activities of an organisation are matched again now (on demand). */
  async rematchNow(m: EntityManager, orgId: string, now: Date): Promise<number> {
    const rows = (await m.query(
      `WITH due AS (UPDATE crm_writer.crm_activity SET next_attempt_at = $2 WHERE org_id = $1 AND state = 'unmatched' RETURNING activity_key) SELECT count(*)::int AS n FROM due`,
      [orgId, now],
    )) as Array<{ n: number }>;
    return rows[0]?.n ?? 0;
  }

  /** Dead-lettered activities go back to the queue (all, an organisation's, or the keys given). */
  async replayDead(m: Queryable, filter: { orgId?: string; keys?: string[] }, now: Date): Promise<string[]> {
    const rows = (await m.query(
      `WITH replayed AS (
         UPDATE crm_writer.crm_activity SET state = 'pending', attempts = 0, next_attempt_at = $3, lease_until = NULL
         WHERE state = 'dead' AND ($1::uuid IS NULL OR org_id = $1) AND ($2::text[] IS NULL OR activity_key = ANY($2)) RETURNING activity_key)
       SELECT activity_key FROM replayed ORDER BY activity_key`,
      [filter.orgId ?? null, filter.keys ?? null, now],
    )) as Array<{ activity_key: string }>;
    return rows.map((r) => r.activity_key);
  }

  /** The sent emails replies answer (their subject, step and sequence, and the rep and prospects). */
  async sentEmails(m: EntityManager, sentEmailIds: string[]): Promise<Map<string, ActivityRow>> {
    if (sentEmailIds.length === 0) return new Map();
    const rows = (await m.query(
      `SELECT ${COLUMNS} FROM crm_writer.crm_activity WHERE kind = 'email_sent' AND sent_email_id = ANY($1)`,
      [sentEmailIds],
    )) as ActivityRow[];
    return new Map(rows.map((r) => [r.sent_email_id, r]));
  }
}
