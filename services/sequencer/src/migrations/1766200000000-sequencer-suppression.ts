import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15: each organisation's suppression list. An address has at most one live entry per
 * organisation (lifted entries stay as history); the same address in another organisation is a
 * separate entry that neither sees.
 */
export class SequencerSuppression1766200000000 implements MigrationInterface {
  name = 'SequencerSuppression1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sequencer.suppression (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        address text NOT NULL CHECK (address = lower(address)),
        reason text NOT NULL CHECK (reason IN ('hard_bounce', 'unsubscribed', 'complaint', 'manual')),
        source_kind text NOT NULL,
        source_id text,
        source_detail text,
        created_by uuid,
        created_at timestamptz NOT NULL,
        lifted_at timestamptz,
        lifted_by uuid,
        lift_reason text
      )`);
    await q.query(`CREATE UNIQUE INDEX suppression_live ON sequencer.suppression (org_id, address) WHERE lifted_at IS NULL`);
    await q.query(`CREATE INDEX suppression_org_newest ON sequencer.suppression (org_id, created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sequencer.suppression`);
  }
}
