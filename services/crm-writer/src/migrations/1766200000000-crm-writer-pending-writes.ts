import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14, the write half: activities wait in a durable queue until Salesforce has them (never
 * dead-lettered after seconds), engagement roll-ups are coalesced per Task, and every matching
 * decision is kept with its reasons.
 */
export class CrmWriterPendingWrites1766200000000 implements MigrationInterface {
  name = 'CrmWriterPendingWrites1766200000000';

  async up(q: QueryRunner): Promise<void> {
    // One row per activity (a sent email, a reply). `pending` rows are written in batches; `unmatched`
    // rows wait for a Contact or Lead to appear; `dead` rows wait for an operator's replay.
    await q.query(`
      CREATE TABLE crm_writer.crm_activity (
        activity_key text PRIMARY KEY,
        org_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('email_sent', 'reply')),
        sent_email_id uuid NOT NULL,
        source_event_type text NOT NULL,
        source_event_id uuid NOT NULL,
        payload jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'written', 'unmatched', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        last_error text,
        last_error_code text,
        match jsonb,
        task_id text,
        who_id text,
        who_type text,
        written_at timestamptz
      )`);
    await q.query(`CREATE INDEX crm_activity_due ON crm_writer.crm_activity (org_id, next_attempt_at) WHERE state = 'pending'`);
    await q.query(`CREATE INDEX crm_activity_state ON crm_writer.crm_activity (org_id, state)`);
    await q.query(`CREATE INDEX crm_activity_sent_email ON crm_writer.crm_activity (sent_email_id)`);

    // Roll-ups of the sent email's Task: human opens and clicks, last human engagement, bounce and
    // out-of-office. `version` counts changes; `written_version` is what Salesforce has.
    await q.query(`
      CREATE TABLE crm_writer.task_rollup (
        sent_email_id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        human_opens integer NOT NULL DEFAULT 0 CHECK (human_opens >= 0),
        human_clicks integer NOT NULL DEFAULT 0 CHECK (human_clicks >= 0),
        last_engaged_at timestamptz,
        bounced boolean NOT NULL DEFAULT false,
        bounce_detail text,
        out_of_office boolean NOT NULL DEFAULT false,
        out_of_office_until date,
        version bigint NOT NULL DEFAULT 0,
        written_version bigint NOT NULL DEFAULT 0,
        changed_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        last_error text
      )`);
    await q.query(`CREATE INDEX task_rollup_dirty ON crm_writer.task_rollup (org_id, next_attempt_at) WHERE version > written_version`);
    // Each tracking hit once, so a redelivered hit or a correction counts (or uncounts) it once.
    await q.query(`
      CREATE TABLE crm_writer.engagement_hit (
        engagement_id uuid PRIMARY KEY,
        sent_email_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('opened', 'clicked')),
        counted boolean NOT NULL,
        corrected boolean NOT NULL DEFAULT false,
        occurred_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX engagement_hit_sent_email ON crm_writer.engagement_hit (sent_email_id) WHERE counted`);

    // Per-organisation choices (docs/crm-writer.md).
    await q.query(`
      CREATE TABLE crm_writer.crm_settings (
        org_id uuid PRIMARY KEY,
        unmatched_policy text NOT NULL DEFAULT 'park' CHECK (unmatched_policy IN ('park', 'create_lead')),
        link_open_opportunity boolean NOT NULL DEFAULT false,
        api_share numeric NOT NULL DEFAULT 0.5 CHECK (api_share > 0 AND api_share <= 1),
        updated_at timestamptz NOT NULL
      )`);
    // Our own Salesforce API calls per organisation and hour (the governor's rolling 24 hours), and
    // the organisation's usage as Salesforce last reported it (Sforce-Limit-Info).
    await q.query(`
      CREATE TABLE crm_writer.api_calls (
        org_id uuid NOT NULL,
        hour timestamptz NOT NULL,
        calls integer NOT NULL,
        PRIMARY KEY (org_id, hour)
      )`);
    await q.query(`
      CREATE TABLE crm_writer.api_budget (
        org_id uuid PRIMARY KEY,
        org_used integer,
        org_limit integer,
        observed_at timestamptz,
        paused_until timestamptz,
        pause_reason text
      )`);
    // The rep's Salesforce User, looked up once a day rather than on every batch.
    await q.query(`
      CREATE TABLE crm_writer.rep_user (
        org_id uuid NOT NULL,
        email text NOT NULL,
        user_id text,
        checked_at timestamptz NOT NULL,
        PRIMARY KEY (org_id, email)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['rep_user', 'api_budget', 'api_calls', 'crm_settings', 'engagement_hit', 'task_rollup', 'crm_activity']) {
      await q.query(`DROP TABLE crm_writer.${table}`);
    }
  }
}
