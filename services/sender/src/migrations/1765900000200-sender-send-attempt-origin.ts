import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where a send attempt's request came from (ADR 13): `request` (email.send-requested.v1, delivered
 * again after a crash) or `api` (a one-off POST /v1/emails, whose caller saw the error and which
 * nobody asks for again). The sender's checker settles the `api` ones itself.
 */
export class SenderSendAttemptOrigin1765900000200 implements MigrationInterface {
  name = 'SenderSendAttemptOrigin1765900000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sender.send_attempt ADD COLUMN origin text NOT NULL DEFAULT 'request' CHECK (origin IN ('request', 'api'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sender.send_attempt DROP COLUMN origin`);
  }
}
