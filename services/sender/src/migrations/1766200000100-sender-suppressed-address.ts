import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 15: the sender's projection of each organisation's suppression list (suppression.changed.v1), its last line of defence. */
export class SenderSuppressedAddress1766200000100 implements MigrationInterface {
  name = 'SenderSuppressedAddress1766200000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sender.suppressed_address (
        org_id uuid NOT NULL,
        address text NOT NULL,
        suppression_id uuid NOT NULL,
        reason text NOT NULL,
        since timestamptz NOT NULL,
        PRIMARY KEY (org_id, address)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sender.suppressed_address`);
  }
}
