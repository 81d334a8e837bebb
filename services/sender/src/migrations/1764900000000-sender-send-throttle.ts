import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SenderSendThrottle1764900000000 implements MigrationInterface {
  name = 'SenderSendThrottle1764900000000';

  async up(q: QueryRunner): Promise<void> {
    // Per-mailbox send pacing shared by every sender replica (PgMailboxSendThrottle): the recent send
    // times that still count for a provider limit (at most a day's, at most the largest cap) and a
    // provider's Retry-After. One row per mailbox, locked for the few statements of each decision.
    await q.query(`
      CREATE TABLE sender.mailbox_send_throttle (
        mailbox_id uuid PRIMARY KEY,
        recent_sends timestamptz[] NOT NULL DEFAULT '{}',
        paused_until timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sender.mailbox_send_throttle`);
  }
}
