import type { EntityManager } from 'typeorm';

/**
 * Engagement roll-ups of each sent email's Task (crm_writer.task_rollup): human opens and clicks,
 * the last human engagement, bounce and out-of-office. Each tracking hit is recorded once
 * (engagement_hit), so a redelivered hit counts once and a correction (human → machine) uncounts
 * it once, whichever arrives first. `changed_at` is when the first change not yet in Salesforce
 * happened: the roll-up is written `rollupWindowMs` after it, with every change since, in one call.
 */

export interface RollupRow {
  sent_email_id: string;
  org_id: string;
  human_opens: number;
  human_clicks: number;
  last_engaged_at: Date | null;
  bounced: boolean;
  bounce_detail: string | null;
  out_of_office: boolean;
  out_of_office_until: string | null;
  version: string;
  attempts: number;
  task_id: string;
}

/** A change to a roll-up: starts the window if it was clean, bumps the version. */
const TOUCH = `version = task_rollup.version + 1,
  changed_at = CASE WHEN task_rollup.version = task_rollup.written_version THEN EXCLUDED.changed_at ELSE task_rollup.changed_at END`;

export class RollupStore {
  /** A hit as the tracker announced it; only human hits count. Returns whether it changed the counts. */
  async hit(
    m: EntityManager,
    hit: { engagementId: string; orgId: string; sentEmailId: string; type: 'opened' | 'clicked'; human: boolean; occurredAt: Date },
    now: Date,
  ): Promise<boolean> {
    const inserted = (await m.query(
      `INSERT INTO crm_writer.engagement_hit (engagement_id, sent_email_id, type, counted, occurred_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (engagement_id) DO NOTHING RETURNING counted`,
      [hit.engagementId, hit.sentEmailId, hit.type, hit.human, hit.occurredAt],
    )) as Array<{ counted: boolean }>;
    if (!inserted[0]?.counted) return false;
    await m.query(
      `INSERT INTO crm_writer.task_rollup (sent_email_id, org_id, human_opens, human_clicks, last_engaged_at, version, changed_at, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, 1, $6, $6)
       ON CONFLICT (sent_email_id) DO UPDATE SET human_opens = task_rollup.human_opens + EXCLUDED.human_opens,
         human_clicks = task_rollup.human_clicks + EXCLUDED.human_clicks,
         last_engaged_at = GREATEST(task_rollup.last_engaged_at, EXCLUDED.last_engaged_at), ${TOUCH}`,
      [hit.sentEmailId, hit.orgId, hit.type === 'opened' ? 1 : 0, hit.type === 'clicked' ? 1 : 0, hit.occurredAt, now],
    );
    return true;
  }

  /**
   * A hit announced as human was a machine: uncount it (once). A correction that arrives before its
   * hit leaves a marker, so the hit never counts.
   */
  async correct(
    m: EntityManager,
    c: { engagementId: string; orgId: string; sentEmailId: string; type: 'opened' | 'clicked'; occurredAt: Date },
    now: Date,
  ): Promise<boolean> {
    const marker = (await m.query(
      `INSERT INTO crm_writer.engagement_hit (engagement_id, sent_email_id, type, counted, corrected, occurred_at) VALUES ($1, $2, $3, false, true, $4)
       ON CONFLICT (engagement_id) DO NOTHING RETURNING engagement_id`,
      [c.engagementId, c.sentEmailId, c.type, c.occurredAt],
    )) as unknown[];
    if (marker.length > 0) return false;
    const uncounted = (await m.query(
      `WITH u AS (UPDATE crm_writer.engagement_hit SET counted = false, corrected = true WHERE engagement_id = $1 AND counted RETURNING type) SELECT type FROM u`,
      [c.engagementId],
    )) as Array<{ type: 'opened' | 'clicked' }>;
    const type = uncounted[0]?.type;
    if (!type) return false;
    await m.query(
      `UPDATE crm_writer.task_rollup SET
         human_opens = GREATEST(0, human_opens - $2), human_clicks = GREATEST(0, human_clicks - $3),
         last_engaged_at = (SELECT max(occurred_at) FROM crm_writer.engagement_hit WHERE sent_email_id = $1 AND counted),
         version = version + 1, changed_at = CASE WHEN version = written_version THEN $4 ELSE changed_at END
       WHERE sent_email_id = $1`,
      [c.sentEmailId, type === 'opened' ? 1 : 0, type === 'clicked' ? 1 : 0, now],
    );
    return true;
  }

  async bounced(m: EntityManager, b: { orgId: string; sentEmailId: string; detail: string }, now: Date): Promise<void> {
    await m.query(
      `INSERT INTO crm_writer.task_rollup (sent_email_id, org_id, bounced, bounce_detail, version, changed_at, next_attempt_at) VALUES ($1, $2, true, $3, 1, $4, $4)
       ON CONFLICT (sent_email_id) DO UPDATE SET bounced = true, bounce_detail = EXCLUDED.bounce_detail, ${TOUCH}`,
      [b.sentEmailId, b.orgId, b.detail, now],
    );
  }

  async outOfOffice(m: EntityManager, o: { orgId: string; sentEmailId: string; until: string | null }, now: Date): Promise<void> {
    await m.query(
      `INSERT INTO crm_writer.task_rollup (sent_email_id, org_id, out_of_office, out_of_office_until, version, changed_at, next_attempt_at) VALUES ($1, $2, true, $3, 1, $4, $4)
       ON CONFLICT (sent_email_id) DO UPDATE SET out_of_office = true, out_of_office_until = COALESCE(EXCLUDED.out_of_office_until, task_rollup.out_of_office_until), ${TOUCH}`,
      [o.sentEmailId, o.orgId, o.until, now],
    );
  }

  /** Organisations with a roll-up whose window is over and whose Task exists. */
  async orgsDue(m: EntityManager, now: Date, windowMs: number): Promise<string[]> {
    const rows = (await m.query(
      `SELECT DISTINCT r.org_id FROM crm_writer.task_rollup r
       JOIN crm_writer.crm_activity a ON a.kind = 'email_sent' AND a.sent_email_id = r.sent_email_id AND a.state = 'written'
       WHERE r.version > r.written_version AND r.next_attempt_at <= $1 AND r.changed_at <= $2 AND (r.lease_until IS NULL OR r.lease_until < $1) LIMIT 100`,
      [now, new Date(now.getTime() - windowMs)],
    )) as Array<{ org_id: string }>;
    return rows.map((r) => r.org_id);
  }

  /** `windowMs` null: every roll-up with a change waiting (they ride along with a batch's call). */
  async claim(m: EntityManager, orgId: string, now: Date, windowMs: number | null, limit: number, leaseMs: number): Promise<RollupRow[]> {
    return (await m.query(
      `WITH claimed AS (
         UPDATE crm_writer.task_rollup r SET lease_until = $4
         FROM crm_writer.crm_activity a
         WHERE a.kind = 'email_sent' AND a.sent_email_id = r.sent_email_id AND r.sent_email_id IN (
           SELECT r2.sent_email_id FROM crm_writer.task_rollup r2
           JOIN crm_writer.crm_activity a2 ON a2.kind = 'email_sent' AND a2.sent_email_id = r2.sent_email_id AND a2.state = 'written'
           WHERE r2.org_id = $1 AND r2.version > r2.written_version AND r2.next_attempt_at <= $2
             AND (r2.lease_until IS NULL OR r2.lease_until < $2)
             -- Once one roll-up of the organisation is due, the call takes every change waiting.
             AND ($3::timestamptz IS NULL OR EXISTS (SELECT 1 FROM crm_writer.task_rollup r3 WHERE r3.org_id = $1 AND r3.version > r3.written_version
                           AND r3.next_attempt_at <= $2 AND r3.changed_at <= $3))
           ORDER BY r2.changed_at LIMIT $5 FOR UPDATE OF r2 SKIP LOCKED)
         RETURNING r.sent_email_id, r.org_id, r.human_opens, r.human_clicks, r.last_engaged_at, r.bounced, r.bounce_detail,
           r.out_of_office, to_char(r.out_of_office_until, 'YYYY-MM-DD') AS out_of_office_until, r.version::text AS version, r.attempts, a.task_id)
       SELECT * FROM claimed ORDER BY sent_email_id`,
      [orgId, now, windowMs === null ? null : new Date(now.getTime() - windowMs), new Date(now.getTime() + leaseMs), limit],
    )) as RollupRow[];
  }

  /** Salesforce has the roll-up as of `version` (later changes stay due). */
  async written(m: EntityManager, sentEmailId: string, version: string, error: string | null = null): Promise<void> {
    await m.query(
      `UPDATE crm_writer.task_rollup SET written_version = GREATEST(written_version, $2::bigint), lease_until = NULL, attempts = 0, last_error = $3 WHERE sent_email_id = $1`,
      [sentEmailId, version, error],
    );
  }

  async retryLater(m: EntityManager, sentEmailIds: string[], retryAt: Date, error: string, countAttempt: boolean): Promise<void> {
    await m.query(
      `UPDATE crm_writer.task_rollup SET lease_until = NULL, next_attempt_at = $2, last_error = $3, attempts = attempts + $4 WHERE sent_email_id = ANY($1)`,
      [sentEmailIds, retryAt, error, countAttempt ? 1 : 0],
    );
  }
}
