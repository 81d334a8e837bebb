import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { enrollmentPauseChangedTopic, PauseChangeReason, type EnrollmentPauseChanged } from '@telltale/contracts';
import type { OutboxWriter } from '@telltale/kafka';
import { applyEnrollmentCommand, type EnrollmentCommand, type TransitionResult } from './enrollment-transitions';
import type { EnrollmentState } from './enrollment-state';
import type { Recipient } from './enrollment.entity';

export interface EnrollmentRow {
  id: string;
  org_id: string;
  sequence_id: string;
  mailbox_id: string;
  sender: Recipient;
  prospect: Recipient;
  cc: Recipient[];
  /** The step templates' variables (enrollment-variables.ts). */
  variables: Record<string, string>;
  time_zone: string | null;
  state: EnrollmentState;
  next_step_number: number;
  next_due_at: Date | null;
  paused_until: Date | null;
  thread_message_id: string | null;
  thread_subject: string | null;
  step_count: number;
}

const SELECT_ENROLLMENT = `
  SELECT e.id, e.org_id, e.sequence_id, e.mailbox_id, e.sender, e.prospect, e.cc, e.variables, e.time_zone, e.state, e.next_step_number,
         e.next_due_at, e.paused_until, e.thread_message_id, e.thread_subject,
         (SELECT count(*)::int FROM sequencer.sequence_step s WHERE s.sequence_id = e.sequence_id) AS step_count
  FROM sequencer.enrollment e`;

/**
 * Row-locked reads and the single write path for enrollment state. Every state change goes through
 * `transition`, which locks the row, applies the pure state machine and records the transition; a
 * pause or a resume is announced (enrollment.pause-changed.v1) through the outbox in the same
 * transaction, whatever caused it.
 */
export class EnrollmentStore {
  constructor(private readonly outbox: OutboxWriter) {}

  /** Locks the enrollment row for the rest of the transaction. */
  async lock(manager: EntityManager, enrollmentId: string): Promise<EnrollmentRow | null> {
    const rows = (await manager.query(`${SELECT_ENROLLMENT} WHERE e.id = $1 FOR UPDATE OF e`, [enrollmentId])) as EnrollmentRow[];
    return rows[0] ?? null;
  }

  /** Locks up to `limit` enrollments whose next step is due, skipping rows other ticks hold. */
  async lockDue(manager: EntityManager, now: Date, limit: number): Promise<EnrollmentRow[]> {
    return (await manager.query(
      `${SELECT_ENROLLMENT} WHERE e.state = 'active' AND e.next_due_at IS NOT NULL AND e.next_due_at <= $1
       ORDER BY e.next_due_at LIMIT $2 FOR UPDATE OF e SKIP LOCKED`,
      [now, limit],
    )) as EnrollmentRow[];
  }

  /** Locks up to `limit` paused enrollments whose pause is over, skipping rows other ticks hold. */
  async lockPauseOver(manager: EntityManager, now: Date, limit: number): Promise<EnrollmentRow[]> {
    return (await manager.query(
      `${SELECT_ENROLLMENT} WHERE e.state = 'paused' AND e.paused_until <= $1 ORDER BY e.paused_until LIMIT $2 FOR UPDATE OF e SKIP LOCKED`,
      [now, limit],
    )) as EnrollmentRow[];
  }

  /** The delay of a step of the enrollment's sequence, or null when the sequence has no such step. */
  async stepDelaySeconds(manager: EntityManager, row: EnrollmentRow, stepNumber: number): Promise<number | null> {
    const [step] = (await manager.query(`SELECT delay_seconds FROM sequencer.sequence_step WHERE sequence_id = $1 AND step_number = $2`, [
      row.sequence_id,
      stepNumber,
    ])) as { delay_seconds: string }[];
    return step ? Number(step.delay_seconds) : null;
  }

  /**
   * How a paused enrollment resumes: the next step's full delay (from `at` when resumed by hand), or
   * nothing scheduled while a step the sender claimed before the pause may still be on its way.
   */
  async resumeCommand(manager: EntityManager, row: EnrollmentRow, at?: Date): Promise<EnrollmentCommand> {
    const stepDelaySeconds = await this.stepDelaySeconds(manager, row, row.next_step_number);
    const [inFlight] = (await manager.query(`SELECT 1 FROM sequencer.step_dispatch WHERE enrollment_id = $1 AND step_number = $2 AND status = 'claimed'`, [
      row.id,
      row.next_step_number,
    ])) as unknown[];
    return { kind: 'resume', stepDelaySeconds, stepInFlight: inFlight !== undefined, ...(at ? { at } : {}) };
  }

  /** A hand-over the sender has not claimed yet must not go out after a stop or during a pause (its claim is refused anyway). */
  async cancelPendingHandOvers(manager: EntityManager, enrollmentId: string): Promise<void> {
    await manager.query(`UPDATE sequencer.step_dispatch SET status = 'cancelled' WHERE enrollment_id = $1 AND status = 'requested'`, [enrollmentId]);
  }

  async transition(
    manager: EntityManager,
    row: EnrollmentRow,
    command: EnrollmentCommand,
    at: Date,
    detail: Record<string, unknown> = {},
  ): Promise<TransitionResult> {
    const result = applyEnrollmentCommand(
      { state: row.state, nextStepNumber: row.next_step_number, nextDueAt: row.next_due_at, stepCount: row.step_count, pausedUntil: row.paused_until },
      command,
    );
    if (!result.changed) return result;
    await manager.query(
      `UPDATE sequencer.enrollment SET state = $2, next_step_number = $3, next_due_at = $4, ended_at = COALESCE($5, ended_at),
         stop_reason = COALESCE($6, stop_reason), stop_cause_id = COALESCE($7, stop_cause_id), paused_until = $9, version = version + 1, updated_at = $8
       WHERE id = $1`,
      [row.id, result.state, result.nextStepNumber, result.nextDueAt, result.endedAt, result.stopReason, (detail.causeId as string | undefined) ?? null, at, result.pausedUntil],
    );
    await manager.query(
      `INSERT INTO sequencer.enrollment_event (enrollment_id, org_id, transition, from_state, to_state, detail, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [row.id, row.org_id, result.transition, row.state, result.state, JSON.stringify(detail), at],
    );
    if (result.transition === 'pause' || result.transition === 'resume') await this.announcePauseChange(manager, row, result, at, detail);
    row.state = result.state;
    row.next_step_number = result.nextStepNumber;
    row.next_due_at = result.nextDueAt;
    row.paused_until = result.pausedUntil;
    return result;
  }

  /** enrollment.pause-changed.v1 for a pause or resume just recorded; `detail` is the transition's (reason, replyId, returnDate). */
  private async announcePauseChange(
    manager: EntityManager,
    row: EnrollmentRow,
    result: Extract<TransitionResult, { changed: true }>,
    at: Date,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    const paused = result.transition === 'pause';
    const templatePause = paused && (detail.reason === 'template_variable_missing' || detail.reason === 'template_render_failed');
    const event: EnrollmentPauseChanged = {
      changeId: randomUUID(),
      orgId: row.org_id,
      enrollmentId: row.id,
      sequenceId: row.sequence_id,
      mailboxId: row.mailbox_id,
      prospect: { address: row.prospect.address, name: row.prospect.name ?? null },
      change: paused ? 'paused' : 'resumed',
      // A pause names its reason (manual, out_of_office, company_replied); a resume is by hand or the pause's end.
      // A step whose template lacks a variable pauses until someone resumes it: `manual`, with the detail.
      reason: paused ? (templatePause ? 'manual' : PauseChangeReason.parse(detail.reason)) : detail.reason === 'manual' ? 'manual' : 'pause_over',
      until: paused ? (result.pausedUntil?.toISOString() ?? null) : null,
      returnDate: paused ? str(detail.returnDate) : null,
      causeId: paused ? str(detail.replyId) : null,
      nextDueAt: paused ? null : (result.nextDueAt?.toISOString() ?? null),
      ...(templatePause
        ? {
            reasonDetail: {
              code: detail.reason as 'template_variable_missing' | 'template_render_failed',
              stepNumber: Number(detail.stepNumber),
              variable: str(detail.variable)?.slice(0, 200) ?? null,
              message: String(detail.message).slice(0, 500),
            },
          }
        : {}),
      occurredAt: at.toISOString(),
    };
    await this.outbox.enqueue(manager, enrollmentPauseChangedTopic, event, { orgId: row.org_id, occurredAt: at });
  }
}
