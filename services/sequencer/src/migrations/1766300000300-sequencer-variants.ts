import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 15: A/B variants of a step (subject and body), and which variant each hand-over used. */
export class SequencerVariants1766300000300 implements MigrationInterface {
  name = 'SequencerVariants1766300000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sequencer.sequence_step ADD COLUMN variants jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`ALTER TABLE sequencer.step_dispatch ADD COLUMN variant smallint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sequencer.step_dispatch DROP COLUMN variant`);
    await q.query(`ALTER TABLE sequencer.sequence_step DROP COLUMN variants`);
  }
}
