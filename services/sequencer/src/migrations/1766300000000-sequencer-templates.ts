import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 15: the variables an enrollment carries for its step templates (first_name, company, custom fields …). */
export class SequencerTemplates1766300000000 implements MigrationInterface {
  name = 'SequencerTemplates1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sequencer.enrollment ADD COLUMN variables jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sequencer.enrollment DROP COLUMN variables`);
  }
}
