import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: the sequencer's own view of every organisation's mailboxes, kept from
 * mailbox.connection-changed.v1, so an enrolment names a mailbox of its organisation and sends as
 * that mailbox's address.
 */
export class SequencerMailboxes1765800000000 implements MigrationInterface {
  name = 'SequencerMailboxes1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sequencer.mailbox (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        email_address text NOT NULL,
        state text NOT NULL,
        changed_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sequencer.mailbox`);
  }
}
