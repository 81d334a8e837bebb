import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TrackerInitial1764230700000 implements MigrationInterface {
  name = 'TrackerInitial1764230700000';

  async up(q: QueryRunner): Promise<void> {
    // Append-only: one row per hit; per-email counters are derived at read time.
    await q.query(`
      CREATE TABLE tracker.engagement (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        sent_email_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('opened', 'clicked')),
        link_index int,
        url text,
        label text NOT NULL,
        confidence real NOT NULL,
        reasons jsonb NOT NULL,
        user_agent text,
        occurred_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX engagement_email ON tracker.engagement (sent_email_id, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tracker.engagement`);
  }
}
