import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SequencerInitial1764230500000 implements MigrationInterface {
  name = 'SequencerInitial1764230500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sequencer.sequence (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        name text NOT NULL,
        track_opens boolean NOT NULL DEFAULT true,
        track_clicks boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sequence_org ON sequencer.sequence (org_id)`);
    await q.query(`
      CREATE TABLE sequencer.sequence_step (
        sequence_id uuid NOT NULL REFERENCES sequencer.sequence (id) ON DELETE CASCADE,
        step_number int NOT NULL CHECK (step_number >= 1),
        delay_seconds bigint NOT NULL CHECK (delay_seconds >= 0),
        subject text,
        html text,
        text text,
        PRIMARY KEY (sequence_id, step_number)
      )`);
    await q.query(`
      CREATE TABLE sequencer.enrollment (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        sequence_id uuid NOT NULL REFERENCES sequencer.sequence (id),
        mailbox_id uuid NOT NULL,
        sender jsonb NOT NULL,
        prospect jsonb NOT NULL,
        cc jsonb NOT NULL DEFAULT '[]',
        state text NOT NULL CHECK (state IN ('active', 'stopped', 'completed', 'failed')),
        next_step_number int NOT NULL,
        next_due_at timestamptz,
        stop_reason text,
        stop_cause_id uuid,
        ended_at timestamptz,
        thread_message_id text,
        thread_subject text,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX enrollment_due ON sequencer.enrollment (next_due_at) WHERE state = 'active' AND next_due_at IS NOT NULL`);
    await q.query(`CREATE INDEX enrollment_org ON sequencer.enrollment (org_id, sequence_id)`);
    await q.query(`
      CREATE TABLE sequencer.step_dispatch (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        enrollment_id uuid NOT NULL REFERENCES sequencer.enrollment (id),
        step_number int NOT NULL,
        status text NOT NULL CHECK (status IN ('requested', 'claimed', 'sent', 'failed', 'cancelled')),
        requested_at timestamptz NOT NULL,
        claimed_at timestamptz,
        sent_at timestamptz,
        sent_email_id uuid,
        message_id text,
        failure text
      )`);
    // At most one live hand-over per step: a retried step needs the earlier one to have failed.
    await q.query(`CREATE UNIQUE INDEX step_dispatch_live ON sequencer.step_dispatch (enrollment_id, step_number) WHERE status IN ('requested', 'claimed', 'sent')`);
    await q.query(`
      CREATE TABLE sequencer.enrollment_event (
        seq bigserial PRIMARY KEY,
        enrollment_id uuid NOT NULL REFERENCES sequencer.enrollment (id),
        org_id uuid NOT NULL,
        transition text NOT NULL,
        from_state text,
        to_state text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX enrollment_event_enrollment ON sequencer.enrollment_event (enrollment_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sequencer.enrollment_event`);
    await q.query(`DROP TABLE sequencer.step_dispatch`);
    await q.query(`DROP TABLE sequencer.enrollment`);
    await q.query(`DROP TABLE sequencer.sequence_step`);
    await q.query(`DROP TABLE sequencer.sequence`);
  }
}
