import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Out-of-thread matching, Thread-Index conversations, the org's own addresses, and richer verdicts. */
export class ReplyDetectorMatching1764400000000 implements MigrationInterface {
  name = 'ReplyDetectorMatching1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reply_detector.sent_message ADD COLUMN to_domains text[] NOT NULL DEFAULT '{}'`);
    await q.query(`UPDATE reply_detector.sent_message SET to_domains = ARRAY(SELECT DISTINCT lower(split_part(a, '@', 2)) FROM unnest(to_addresses) a)`);
    await q.query(`CREATE INDEX sent_message_org_sent_at ON reply_detector.sent_message (org_id, sent_at DESC)`);
    await q.query(`CREATE INDEX sent_message_to_domains ON reply_detector.sent_message USING gin (to_domains)`);
    // Outlook Thread-Index conversation keys seen on messages matched to a sent email.
    await q.query(`
      CREATE TABLE reply_detector.thread_conversation (
        org_id uuid NOT NULL,
        conversation_key text NOT NULL,
        sent_email_id uuid NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (org_id, conversation_key, sent_email_id)
      )`);
    // The org's mailbox owners: their addresses are teammates, their domains the org's own.
    await q.query(`
      CREATE TABLE reply_detector.org_address (
        org_id uuid NOT NULL,
        address text NOT NULL,
        PRIMARY KEY (org_id, address)
      )`);
    await q.query(`ALTER TABLE reply_detector.verdict ADD COLUMN bounce_severity text, ADD COLUMN bounce_status text, ADD COLUMN return_date date, ADD COLUMN stop_reason text`);
    await q.query(`UPDATE reply_detector.verdict SET kind = 'other' WHERE kind IN ('unmatched', 'ignored')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reply_detector.verdict DROP COLUMN bounce_severity, DROP COLUMN bounce_status, DROP COLUMN return_date, DROP COLUMN stop_reason`);
    await q.query(`DROP TABLE reply_detector.org_address`);
    await q.query(`DROP TABLE reply_detector.thread_conversation`);
    await q.query(`DROP INDEX reply_detector.sent_message_to_domains`);
    await q.query(`DROP INDEX reply_detector.sent_message_org_sent_at`);
    await q.query(`ALTER TABLE reply_detector.sent_message DROP COLUMN to_domains`);
  }
}
