import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The feed shows a campaign resuming (enrollment.pause-changed.v1) beside its pause: kind `resumed`. */
export class FeedResumed1766200000000 implements MigrationInterface {
  name = 'FeedResumed1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app.feed_item DROP CONSTRAINT feed_item_kind_check`);
    await q.query(
      `ALTER TABLE app.feed_item ADD CONSTRAINT feed_item_kind_check CHECK (kind IN ('sent', 'opened', 'clicked', 'replied', 'auto_reply', 'bounced', 'stopped', 'paused', 'resumed', 'send_failed'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM app.feed_item WHERE kind = 'resumed'`);
    await q.query(`ALTER TABLE app.feed_item DROP CONSTRAINT feed_item_kind_check`);
    await q.query(
      `ALTER TABLE app.feed_item ADD CONSTRAINT feed_item_kind_check CHECK (kind IN ('sent', 'opened', 'clicked', 'replied', 'auto_reply', 'bounced', 'stopped', 'paused', 'send_failed'))`,
    );
  }
}
