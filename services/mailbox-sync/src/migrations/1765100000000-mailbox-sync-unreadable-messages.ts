import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages that could not be turned into an event (not a message at all, or not within the event
 * contract even after cutting): recorded once each with the reason, counted on the mailbox, so the
 * sync moves past them and a person can see them.
 */
export class MailboxSyncUnreadableMessages1765100000000 implements MigrationInterface {
  name = 'MailboxSyncUnreadableMessages1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mailbox_sync.unreadable_message (
        mailbox_id uuid NOT NULL REFERENCES mailbox_sync.mailbox (id) ON DELETE CASCADE,
        provider_message_id text NOT NULL,
        folder text NOT NULL,
        reason text NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (mailbox_id, provider_message_id)
      )`);
    await q.query(`CREATE INDEX unreadable_message_recent ON mailbox_sync.unreadable_message (mailbox_id, recorded_at DESC)`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox ADD COLUMN unreadable_count integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailbox_sync.mailbox DROP COLUMN unreadable_count`);
    await q.query(`DROP TABLE mailbox_sync.unreadable_message`);
  }
}
