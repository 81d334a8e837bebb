import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 5: paused enrollments, the prospect's out-of-office, the per-sequence company rule, and reply effects for "explain". */
export class SequencerPauseAndCompanyRule1764834000000 implements MigrationInterface {
  name = 'SequencerPauseAndCompanyRule1764834000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sequencer.enrollment DROP CONSTRAINT enrollment_state_check`);
    await q.query(`ALTER TABLE sequencer.enrollment ADD CONSTRAINT enrollment_state_check CHECK (state IN ('active', 'paused', 'stopped', 'completed', 'failed'))`);
    await q.query(`ALTER TABLE sequencer.enrollment ADD COLUMN paused_until timestamptz`);
    await q.query(`CREATE INDEX enrollment_paused ON sequencer.enrollment (paused_until) WHERE state = 'paused'`);
    // The company rule looks up the other live enrollments at one prospect domain.
    await q.query(
      `CREATE INDEX enrollment_prospect_domain ON sequencer.enrollment (org_id, lower(split_part(prospect->>'address', '@', 2))) WHERE state IN ('active', 'paused')`,
    );
    await q.query(
      `ALTER TABLE sequencer.sequence ADD COLUMN on_colleague_reply text NOT NULL DEFAULT 'none' CHECK (on_colleague_reply IN ('none', 'stop', 'pause'))`,
    );
    // What the sequencer did with each detected reply, stop or not: the answer to "why did (or
    // didn't) this enrollment stop?".
    await q.query(`
      CREATE TABLE sequencer.reply_effect (
        seq bigserial NOT NULL,
        reply_id uuid NOT NULL,
        enrollment_id uuid NOT NULL REFERENCES sequencer.enrollment (id),
        org_id uuid NOT NULL,
        kind text NOT NULL,
        relation text,
        from_address text,
        return_date date,
        effect text NOT NULL CHECK (effect IN ('stopped', 'paused', 'pause_extended', 'none')),
        why text NOT NULL,
        occurred_at timestamptz NOT NULL,
        PRIMARY KEY (reply_id, enrollment_id)
      )`);
    // The prospect's out-of-office, per person: Gmail's vacation responder answers a sender once
    // every few days, so an enrollment started (or a step sent) while they are away hears nothing.
    await q.query(`
      CREATE TABLE sequencer.out_of_office (
        org_id uuid NOT NULL,
        address text NOT NULL,
        until timestamptz NOT NULL,
        reply_id uuid NOT NULL,
        return_date date,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (org_id, address)
      )`);
    await q.query(`CREATE INDEX enrollment_prospect_address ON sequencer.enrollment (org_id, lower(prospect->>'address')) WHERE state IN ('active', 'paused')`);
    await q.query(`CREATE INDEX reply_effect_enrollment ON sequencer.reply_effect (enrollment_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sequencer.enrollment_prospect_address`);
    await q.query(`DROP TABLE sequencer.out_of_office`);
    await q.query(`DROP TABLE sequencer.reply_effect`);
    await q.query(`ALTER TABLE sequencer.sequence DROP COLUMN on_colleague_reply`);
    await q.query(`DROP INDEX sequencer.enrollment_prospect_domain`);
    await q.query(`DROP INDEX sequencer.enrollment_paused`);
    await q.query(`UPDATE sequencer.enrollment SET state = 'active', next_due_at = paused_until WHERE state = 'paused'`);
    await q.query(`ALTER TABLE sequencer.enrollment DROP COLUMN paused_until`);
    await q.query(`ALTER TABLE sequencer.enrollment DROP CONSTRAINT enrollment_state_check`);
    await q.query(`ALTER TABLE sequencer.enrollment ADD CONSTRAINT enrollment_state_check CHECK (state IN ('active', 'stopped', 'completed', 'failed'))`);
  }
}
