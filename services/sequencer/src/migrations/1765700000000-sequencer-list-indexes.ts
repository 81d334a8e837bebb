import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The web app's lists (issue 13): sequences newest first or by name, enrollments newest first, a rep's own. */
export class SequencerListIndexes1765700000000 implements MigrationInterface {
  name = 'SequencerListIndexes1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX sequence_org_created ON sequencer.sequence (org_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX sequence_org_name ON sequencer.sequence (org_id, name, id)`);
    await q.query(`CREATE INDEX enrollment_org_created ON sequencer.enrollment (org_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX enrollment_owner_created ON sequencer.enrollment (org_id, owner_user_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX enrollment_sequence_created ON sequencer.enrollment (sequence_id, created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sequencer.enrollment_sequence_created`);
    await q.query(`DROP INDEX sequencer.enrollment_owner_created`);
    await q.query(`DROP INDEX sequencer.enrollment_org_created`);
    await q.query(`DROP INDEX sequencer.sequence_org_name`);
    await q.query(`DROP INDEX sequencer.sequence_org_created`);
  }
}
