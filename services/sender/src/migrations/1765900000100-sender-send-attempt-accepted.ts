import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the provider answered to a send attempt (ADR 13), written on the intent as soon as it
 * answered, in a transaction of its own: an intent that has it needs no question to the provider
 * after a crash; only a death while the provider call was under way leaves the question open.
 */
export class SenderSendAttemptAccepted1765900000100 implements MigrationInterface {
  name = 'SenderSendAttemptAccepted1765900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sender.send_attempt ADD COLUMN accepted_at timestamptz, ADD COLUMN accepted jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sender.send_attempt DROP COLUMN accepted, DROP COLUMN accepted_at`);
  }
}
