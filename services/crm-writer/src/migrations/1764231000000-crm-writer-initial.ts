import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CrmWriterInitial1764231000000 implements MigrationInterface {
  name = 'CrmWriterInitial1764231000000';

  async up(q: QueryRunner): Promise<void> {
    // What we know of each sent email, to log replies against the right person.
    await q.query(`
      CREATE TABLE crm_writer.sent_email_ref (
        sent_email_id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        to_addresses text[] NOT NULL,
        subject text NOT NULL,
        sent_at timestamptz NOT NULL
      )`);
    // One row per activity we logged; the key is also Task.Telltale_Activity_Key__c in Salesforce.
    await q.query(`
      CREATE TABLE crm_writer.activity_log (
        activity_key text PRIMARY KEY,
        org_id uuid NOT NULL,
        source_event_type text NOT NULL,
        source_event_id uuid NOT NULL,
        task_id text NOT NULL,
        who_id text,
        who_type text,
        logged_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE crm_writer.activity_log`);
    await q.query(`DROP TABLE crm_writer.sent_email_ref`);
  }
}
