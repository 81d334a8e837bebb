import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 15: a sequence's send window (days, hours, default time zone) and the prospect's own time zone on an enrollment. */
export class SequencerSendWindows1766300000100 implements MigrationInterface {
  name = 'SequencerSendWindows1766300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sequencer.sequence ADD COLUMN send_window jsonb`);
    await q.query(`ALTER TABLE sequencer.enrollment ADD COLUMN time_zone text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sequencer.enrollment DROP COLUMN time_zone`);
    await q.query(`ALTER TABLE sequencer.sequence DROP COLUMN send_window`);
  }
}
