import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Who made a sequence and who enrolled a prospect: a rep sees their own, managers and admins all. */
export class SequencerOwners1765300000100 implements MigrationInterface {
  name = 'SequencerOwners1765300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sequencer.sequence ADD COLUMN owner_user_id uuid`);
    await q.query(`ALTER TABLE sequencer.enrollment ADD COLUMN owner_user_id uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sequencer.enrollment DROP COLUMN owner_user_id`);
    await q.query(`ALTER TABLE sequencer.sequence DROP COLUMN owner_user_id`);
  }
}
