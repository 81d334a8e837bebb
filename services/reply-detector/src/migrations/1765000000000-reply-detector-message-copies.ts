import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Finds an earlier decision on the same message (same Message-ID) seen under another provider id. */
export class ReplyDetectorMessageCopies1765000000000 implements MigrationInterface {
  name = 'ReplyDetectorMessageCopies1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX verdict_inbound_message ON reply_detector.verdict (mailbox_id, inbound_message_id) WHERE inbound_message_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX reply_detector.verdict_inbound_message`);
  }
}
