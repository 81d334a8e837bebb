import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whose mailbox sent each email (issue 13): the mailbox's owner as mailbox-sync names it at send
 * time, so a rep's list of sent emails is one query. Emails written before this have none: managers,
 * admins and API keys list them; a rep reads them by id through the mailbox lookup as before.
 */
export class SenderSentEmailOwner1765700000100 implements MigrationInterface {
  name = 'SenderSentEmailOwner1765700000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sender.sent_email ADD COLUMN owner_user_id uuid`);
    await q.query(`CREATE INDEX sent_email_org_created ON sender.sent_email (org_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX sent_email_owner_created ON sender.sent_email (org_id, owner_user_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX sent_email_enrollment ON sender.sent_email (enrollment_id, created_at DESC) WHERE enrollment_id IS NOT NULL`);
    await q.query(`CREATE INDEX sent_email_mailbox ON sender.sent_email (mailbox_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sender.sent_email_mailbox`);
    await q.query(`DROP INDEX sender.sent_email_enrollment`);
    await q.query(`DROP INDEX sender.sent_email_owner_created`);
    await q.query(`DROP INDEX sender.sent_email_org_created`);
    await q.query(`ALTER TABLE sender.sent_email DROP COLUMN owner_user_id`);
  }
}
