import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SenderInitial1764230600000 implements MigrationInterface {
  name = 'SenderInitial1764230600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sender.sent_email (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        send_request_id uuid NOT NULL UNIQUE,
        mailbox_id uuid NOT NULL,
        enrollment_id uuid,
        sequence_id uuid,
        step_number int,
        status text NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'skipped')),
        message_id text,
        provider_message_id text,
        provider_thread_id text,
        from_address text NOT NULL,
        recipients jsonb NOT NULL,
        subject text NOT NULL,
        track_opens boolean NOT NULL,
        track_clicks boolean NOT NULL,
        created_at timestamptz NOT NULL,
        sent_at timestamptz,
        failure_code text,
        failure_reason text
      )`);
    await q.query(`CREATE INDEX sent_email_org ON sender.sent_email (org_id, created_at)`);
    await q.query(`CREATE UNIQUE INDEX sent_email_message_id ON sender.sent_email (message_id) WHERE message_id IS NOT NULL`);
    // The link table written at send time: which URL each tracked link of an email pointed to.
    await q.query(`
      CREATE TABLE sender.sent_link (
        sent_email_id uuid NOT NULL REFERENCES sender.sent_email (id),
        link_index int NOT NULL,
        url text NOT NULL,
        PRIMARY KEY (sent_email_id, link_index)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sender.sent_link`);
    await q.query(`DROP TABLE sender.sent_email`);
  }
}
