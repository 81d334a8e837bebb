import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 15: a team's daily cap on the steps one mailbox sends, with the time zone its day runs in; counted over the step hand-overs. */
export class SequencerMailboxCaps1766300000200 implements MigrationInterface {
  name = 'SequencerMailboxCaps1766300000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sequencer.mailbox_cap (
        mailbox_id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        daily_cap int NOT NULL CHECK (daily_cap > 0),
        time_zone text NOT NULL,
        updated_at timestamptz NOT NULL,
        updated_by uuid
      )`);
    await q.query(`CREATE INDEX step_dispatch_requested_at ON sequencer.step_dispatch (requested_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sequencer.step_dispatch_requested_at`);
    await q.query(`DROP TABLE sequencer.mailbox_cap`);
  }
}
