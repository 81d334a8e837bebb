import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mailboxes belong to the rep who connected them (a rep sees only their own; managers and admins
 * the organisation's), and a pending OAuth authorization to the person who started it: the callback
 * is accepted only from the same signed-in user.
 */
export class MailboxSyncOwners1765200000000 implements MigrationInterface {
  name = 'MailboxSyncOwners1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailbox_sync.mailbox ADD COLUMN owner_user_id uuid`);
    await q.query(`CREATE INDEX mailbox_owner ON mailbox_sync.mailbox (org_id, owner_user_id)`);
    // Pending authorizations from before this change have no starter: they can no longer complete.
    await q.query(`DELETE FROM mailbox_sync.oauth_authorization`);
    await q.query(`ALTER TABLE mailbox_sync.oauth_authorization ADD COLUMN started_by text NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailbox_sync.oauth_authorization DROP COLUMN started_by`);
    await q.query(`DROP INDEX mailbox_sync.mailbox_owner`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox DROP COLUMN owner_user_id`);
  }
}
