import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TrackerDevicesOffices1764240000000 implements MigrationInterface {
  name = 'TrackerDevicesOffices1764240000000';

  async up(q: QueryRunner): Promise<void> {
    // A browser registered by a Telltale user: its hits are `self`. Only the SHA-256 of the cookie
    // value is stored, so a database leak does not hand out cookies.
    await q.query(`
      CREATE TABLE tracker.device (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        user_id uuid NOT NULL,
        cookie_hash bytea NOT NULL UNIQUE,
        user_agent text,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX device_user ON tracker.device (org_id, user_id)`);
    await q.query(`CREATE INDEX device_updated ON tracker.device (updated_at)`);
    // An org's office networks: hits from them are `internal`.
    await q.query(`
      CREATE TABLE tracker.office_range (
        org_id uuid NOT NULL,
        cidr cidr NOT NULL,
        name text,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (org_id, cidr)
      )`);
    // Per-email counters, derived from the append-only rows at read time (never updated in place).
    await q.query(`
      CREATE VIEW tracker.email_engagement_summary AS
      SELECT org_id, sent_email_id,
             count(*) FILTER (WHERE type = 'opened' AND label IN ('human', 'mail_proxy')) AS human_opens,
             min(occurred_at) FILTER (WHERE type = 'opened' AND label IN ('human', 'mail_proxy')) AS first_human_open_at,
             count(*) FILTER (WHERE type = 'clicked' AND label = 'human') AS human_clicks,
             count(*) FILTER (WHERE label IN ('privacy_prefetch', 'security_scanner', 'link_preview')) AS machine_hits,
             count(*) FILTER (WHERE label IN ('self', 'internal')) AS own_hits
      FROM tracker.engagement GROUP BY org_id, sent_email_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW tracker.email_engagement_summary`);
    await q.query(`DROP TABLE tracker.office_range`);
    await q.query(`DROP TABLE tracker.device`);
  }
}
