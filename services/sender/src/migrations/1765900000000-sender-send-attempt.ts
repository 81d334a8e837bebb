import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The durable send intent (ADR 12 or later, "the sender's crash window"): before a message is handed
 * to the provider, its own transaction records that this send request is being attempted, under
 * which Message-ID, through which mailbox and when. The row goes in the transaction that records
 * the outcome; one left behind means the outcome is unknown, and the provider is asked before the
 * message is sent again. `request` is the send request itself (bodies included), so a check the
 * sender schedules for later can finish it without the request being delivered again.
 */
export class SenderSendAttempt1765900000000 implements MigrationInterface {
  name = 'SenderSendAttempt1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sender.send_attempt (
        send_request_id uuid PRIMARY KEY,
        sent_email_id uuid NOT NULL,
        org_id uuid NOT NULL,
        mailbox_id uuid NOT NULL,
        provider text NOT NULL CHECK (provider IN ('imap', 'gmail', 'graph')),
        message_id text NOT NULL,
        attempted_at timestamptz NOT NULL,
        request jsonb NOT NULL,
        checks int NOT NULL DEFAULT 0,
        next_check_at timestamptz,
        last_check_error text
      )`);
    await q.query(`CREATE INDEX send_attempt_due ON sender.send_attempt (next_check_at) WHERE next_check_at IS NOT NULL`);
    await q.query(`CREATE INDEX send_attempt_attempted ON sender.send_attempt (attempted_at) WHERE next_check_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sender.send_attempt`);
  }
}
