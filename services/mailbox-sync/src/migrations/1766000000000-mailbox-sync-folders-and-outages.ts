import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every folder a reply can land in, and outages people can see. An IMAP mailbox's `folders` is
 * either a list or the JSON string "all" (INBOX and every folder but Sent, Drafts, Trash and Junk,
 * new ones included); mailboxes still on the old default (INBOX only) follow all. A mailbox whose
 * server cannot be reached is `degraded`, with the provider error's code and since when.
 */
export class MailboxSyncFoldersAndOutages1766000000000 implements MigrationInterface {
  name = 'MailboxSyncFoldersAndOutages1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailbox_sync.mailbox ALTER COLUMN folders SET DEFAULT '"all"'`);
    await q.query(`UPDATE mailbox_sync.mailbox SET folders = '"all"' WHERE provider = 'imap' AND folders = '["INBOX"]'`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox DROP CONSTRAINT mailbox_state_check`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox ADD CONSTRAINT mailbox_state_check CHECK (state IN ('connected', 'syncing', 'degraded', 'needs_reconnect', 'disconnected'))`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox ADD COLUMN last_error_code text`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox ADD COLUMN state_changed_at timestamptz`);
    await q.query(`UPDATE mailbox_sync.mailbox SET state_changed_at = updated_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailbox_sync.mailbox DROP COLUMN state_changed_at`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox DROP COLUMN last_error_code`);
    await q.query(`UPDATE mailbox_sync.mailbox SET state = 'connected' WHERE state = 'degraded'`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox DROP CONSTRAINT mailbox_state_check`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox ADD CONSTRAINT mailbox_state_check CHECK (state IN ('connected', 'syncing', 'needs_reconnect', 'disconnected'))`);
    await q.query(`UPDATE mailbox_sync.mailbox SET folders = '["INBOX"]' WHERE folders = '"all"'`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox ALTER COLUMN folders SET DEFAULT '["INBOX"]'`);
  }
}
