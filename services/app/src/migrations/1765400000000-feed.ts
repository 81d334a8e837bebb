import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The live feed (issue 13): app.feed_item, one row per thing that happened to an email, projected
 * from the topics by the app's `feed` consumer; its bigserial id is the Server-Sent Events id (rows
 * are committed in id order, see FeedStore). Beside it what the events do not carry: who owns each
 * mailbox, what each sent email was, and events waiting for the one they depend on.
 */
export class Feed1765400000000 implements MigrationInterface {
  name = 'Feed1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE app.feed_item (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        source_id uuid NOT NULL,
        org_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('sent', 'opened', 'clicked', 'replied', 'auto_reply', 'bounced', 'stopped', 'paused', 'send_failed')),
        occurred_at timestamptz NOT NULL,
        owner_user_id uuid,
        mailbox_id uuid,
        sequence_id uuid,
        enrollment_id uuid,
        sent_email_id uuid,
        person_address text,
        person_name text,
        company text,
        machine boolean NOT NULL,
        machine_reasons text[] NOT NULL,
        detail jsonb NOT NULL,
        summary text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX feed_item_org ON app.feed_item (org_id, id)`);
    await q.query(`CREATE INDEX feed_item_owner ON app.feed_item (org_id, owner_user_id, id)`);
    await q.query(`CREATE INDEX feed_item_mailbox ON app.feed_item (mailbox_id) WHERE owner_user_id IS NULL`);
    await q.query(`CREATE INDEX feed_item_source ON app.feed_item (org_id, source_id)`);
    await q.query(`
      CREATE TABLE app.feed_mailbox (
        mailbox_id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        owner_user_id uuid,
        email_address text NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE app.feed_sent_email (
        sent_email_id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        mailbox_id uuid NOT NULL,
        sequence_id uuid,
        enrollment_id uuid,
        subject text NOT NULL,
        to_address text NOT NULL,
        to_name text,
        human_opens integer NOT NULL DEFAULT 0,
        sent_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE app.feed_pending (
        event_id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        waits_for text NOT NULL,
        topic text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX feed_pending_waits ON app.feed_pending (waits_for)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['feed_pending', 'feed_sent_email', 'feed_mailbox', 'feed_item']) await q.query(`DROP TABLE app.${table}`);
  }
}
