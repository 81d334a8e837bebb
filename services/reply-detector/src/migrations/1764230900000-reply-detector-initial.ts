import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ReplyDetectorInitial1764230900000 implements MigrationInterface {
  name = 'ReplyDetectorInitial1764230900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reply_detector.sent_message (
        sent_email_id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        mailbox_id uuid NOT NULL,
        enrollment_id uuid,
        sequence_id uuid,
        message_id text NOT NULL,
        provider_thread_id text,
        from_address text NOT NULL,
        to_addresses text[] NOT NULL,
        cc_addresses text[] NOT NULL,
        subject text NOT NULL,
        sent_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX sent_message_message_id ON reply_detector.sent_message (org_id, message_id)`);
    await q.query(`CREATE INDEX sent_message_thread ON reply_detector.sent_message (mailbox_id, provider_thread_id) WHERE provider_thread_id IS NOT NULL`);
    await q.query(`CREATE INDEX sent_message_enrollment ON reply_detector.sent_message (enrollment_id) WHERE enrollment_id IS NOT NULL`);
    // Every verdict, with its evidence: "why did (or didn't) this enrollment stop?"
    await q.query(`
      CREATE TABLE reply_detector.verdict (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        mailbox_id uuid NOT NULL,
        provider_message_id text NOT NULL,
        inbound_message_id text,
        from_address text,
        kind text NOT NULL,
        relation text,
        matched_by text,
        matched_message_id text,
        sent_email_id uuid,
        enrollment_id uuid,
        reasons jsonb NOT NULL,
        referenced_ids text[] NOT NULL DEFAULT '{}',
        -- An unmatched message that refers to ids we may not have indexed yet (email.sent.v1 and the
        -- reply travel on different topics): kept until the sent index catches up.
        pending_payload jsonb,
        decided_at timestamptz NOT NULL,
        UNIQUE (mailbox_id, provider_message_id)
      )`);
    await q.query(`CREATE INDEX verdict_pending ON reply_detector.verdict USING gin (referenced_ids) WHERE pending_payload IS NOT NULL`);
    await q.query(`CREATE INDEX verdict_enrollment ON reply_detector.verdict (enrollment_id, decided_at) WHERE enrollment_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reply_detector.verdict`);
    await q.query(`DROP TABLE reply_detector.sent_message`);
  }
}
