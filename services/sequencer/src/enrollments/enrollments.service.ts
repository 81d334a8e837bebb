import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { Address, EmailAddress, Uuid } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { SequencesService } from '../sequences/sequences.service';
import { EnrollmentStore } from './enrollment-store';
import { explainEnrollment, type Explanation } from './enrollment-explanation';
import type { TransitionResult } from './enrollment-transitions';

export const EnrollRequest = z
  .object({
    mailboxId: Uuid,
    from: Address,
    prospect: z.object({ email: EmailAddress, name: z.string().max(200).nullable().default(null) }),
    cc: z.array(Address).max(50).default([]),
    /** When step 1 becomes due; defaults to now plus the step's delay. */
    startAt: z.iso.datetime().optional(),
  })
  .strict();
export type EnrollRequest = z.output<typeof EnrollRequest>;

export interface EnrollmentView {
  id: string;
  orgId: string;
  /** Who enrolled the prospect (null: an API key). */
  ownerUserId: string | null;
  sequenceId: string;
  mailboxId: string;
  prospect: { address: string; name: string | null };
  cc: { address: string; name: string | null }[];
  state: string;
  nextStepNumber: number;
  nextDueAt: string | null;
  pausedUntil: string | null;
  stopReason: string | null;
  endedAt: string | null;
  steps: { stepNumber: number; sendRequestId: string; status: string; requestedAt: string; sentAt: string | null; messageId: string | null }[];
  history: { transition: string; from: string | null; to: string; at: string; detail: unknown }[];
}

export type EnrollmentExplanationView = Explanation & {
  enrollmentId: string;
  state: string;
  stopReason: string | null;
  /** The event that stopped it (a replyId, a bounce id …). */
  stopCauseId: string | null;
  history: EnrollmentView['history'];
};

@Injectable()
export class EnrollmentsService {
  private readonly store = new EnrollmentStore();

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly sequences: SequencesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async enroll(orgId: string, sequenceId: string, request: EnrollRequest): Promise<EnrollmentView> {
    const sequence = await this.sequences.get(orgId, sequenceId);
    const first = sequence.steps.find((s) => s.stepNumber === 1);
    if (!first) throw new ConflictException({ error: 'sequence_has_no_steps' });
    const now = this.clock.now();
    const start = request.startAt ? new Date(request.startAt) : now;
    const id = randomUUID();
    await this.runtime.transaction(async (m) => {
      const active = (await m.query(
        `SELECT id FROM sequencer.enrollment WHERE org_id = $1 AND sequence_id = $2 AND prospect->>'address' = $3 AND state IN ('active', 'paused')`,
        [orgId, sequenceId, request.prospect.email],
      )) as { id: string }[];
      if (active.length > 0) throw new ConflictException({ error: 'already_enrolled', enrollmentId: active[0]!.id });
      await m.query(
        `INSERT INTO sequencer.enrollment (id, org_id, sequence_id, mailbox_id, sender, prospect, cc, state, next_step_number, next_due_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', 1, $8, $9, $9)`,
        [
          id,
          orgId,
          sequenceId,
          request.mailboxId,
          JSON.stringify(request.from),
          JSON.stringify({ address: request.prospect.email, name: request.prospect.name }),
          JSON.stringify(request.cc),
          new Date(start.getTime() + first.delaySeconds * 1000),
          now,
        ],
      );
      await m.query(
        `INSERT INTO sequencer.enrollment_event (enrollment_id, org_id, transition, from_state, to_state, detail, occurred_at)
         VALUES ($1, $2, 'enrolled', NULL, 'active', '{}', $3)`,
        [id, orgId, now],
      );
      // A prospect known to be out of office starts paused: their auto-responder may not answer again.
      const [away] = (await m.query(`SELECT until, reply_id FROM sequencer.out_of_office WHERE org_id = $1 AND address = lower($2) AND until > $3`, [
        orgId,
        request.prospect.email,
        now,
      ])) as { until: Date; reply_id: string }[];
      const row = away ? await this.store.lock(m, id) : null;
      if (away && row) {
        await this.store.transition(m, row, { kind: 'pause', until: away.until, at: now }, now, { reason: 'out_of_office', replyId: away.reply_id, known: true });
        await m.query(
          `INSERT INTO sequencer.reply_effect (reply_id, enrollment_id, org_id, kind, relation, from_address, effect, why, occurred_at)
           VALUES ($1, $2, $3, 'auto_reply', 'prospect', $4, 'paused', $5, $6)`,
          [
            away.reply_id,
            id,
            orgId,
            request.prospect.email,
            `the prospect was already out of office when enrolled (an earlier auto-reply): paused until ${away.until.toISOString()}; step 1 then waits its full delay`,
            now,
          ],
        );
      }
    });
    return this.get(orgId, id);
  }

  /** Records who enrolled the prospect (once). */
  async assignOwner(id: string, userId: string | null): Promise<void> {
    if (!userId) return;
    await this.runtime.dataSource.query(`UPDATE sequencer.enrollment SET owner_user_id = $2 WHERE id = $1 AND owner_user_id IS NULL`, [id, userId]);
  }

  async get(orgId: string, id: string): Promise<EnrollmentView> {
    const ds = this.runtime.dataSource;
    const rows = (await ds.query(`SELECT * FROM sequencer.enrollment WHERE id = $1 AND org_id = $2`, [id, orgId])) as Record<string, unknown>[];
    const e = rows[0];
    if (!e) throw new NotFoundException({ error: 'enrollment_not_found' });
    const steps = (await ds.query(
      `SELECT step_number, id, status, requested_at, sent_at, message_id FROM sequencer.step_dispatch WHERE enrollment_id = $1 ORDER BY requested_at`,
      [id],
    )) as { step_number: number; id: string; status: string; requested_at: Date; sent_at: Date | null; message_id: string | null }[];
    const history = (await ds.query(
      `SELECT transition, from_state, to_state, occurred_at, detail FROM sequencer.enrollment_event WHERE enrollment_id = $1 ORDER BY seq`,
      [id],
    )) as { transition: string; from_state: string | null; to_state: string; occurred_at: Date; detail: unknown }[];
    const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : null);
    return {
      id: e.id as string,
      orgId: e.org_id as string,
      ownerUserId: (e.owner_user_id as string | null) ?? null,
      sequenceId: e.sequence_id as string,
      mailboxId: e.mailbox_id as string,
      prospect: e.prospect as EnrollmentView['prospect'],
      cc: e.cc as EnrollmentView['cc'],
      state: e.state as string,
      nextStepNumber: e.next_step_number as number,
      nextDueAt: iso(e.next_due_at),
      pausedUntil: iso(e.paused_until),
      stopReason: (e.stop_reason as string | null) ?? null,
      endedAt: iso(e.ended_at),
      steps: steps.map((s) => ({
        stepNumber: s.step_number,
        sendRequestId: s.id,
        status: s.status,
        requestedAt: s.requested_at.toISOString(),
        sentAt: iso(s.sent_at),
        messageId: s.message_id,
      })),
      history: history.map((h) => ({ transition: h.transition, from: h.from_state, to: h.to_state, at: h.occurred_at.toISOString(), detail: h.detail })),
    };
  }

  /** "Why did (or didn't) this enrollment stop?", answered from its state, hand-overs and reply effects. */
  async explain(orgId: string, id: string): Promise<EnrollmentExplanationView> {
    const ds = this.runtime.dataSource;
    const rows = (await ds.query(
      `SELECT e.state, e.stop_reason, e.stop_cause_id, e.ended_at, e.next_step_number, e.next_due_at, e.paused_until,
              (SELECT count(*)::int FROM sequencer.sequence_step s WHERE s.sequence_id = e.sequence_id) AS step_count
       FROM sequencer.enrollment e WHERE e.id = $1 AND e.org_id = $2`,
      [id, orgId],
    )) as {
      state: string;
      stop_reason: string | null;
      stop_cause_id: string | null;
      ended_at: Date | null;
      next_step_number: number;
      next_due_at: Date | null;
      paused_until: Date | null;
      step_count: number;
    }[];
    const e = rows[0];
    if (!e) throw new NotFoundException({ error: 'enrollment_not_found' });
    const steps = (await ds.query(`SELECT step_number, status, sent_at FROM sequencer.step_dispatch WHERE enrollment_id = $1 ORDER BY requested_at`, [id])) as {
      step_number: number;
      status: string;
      sent_at: Date | null;
    }[];
    const replies = (await ds.query(
      `SELECT reply_id, kind, relation, from_address, effect, why, occurred_at FROM sequencer.reply_effect WHERE enrollment_id = $1 ORDER BY seq`,
      [id],
    )) as { reply_id: string; kind: string; relation: string | null; from_address: string | null; effect: string; why: string; occurred_at: Date }[];
    const { history } = await this.get(orgId, id);
    const stopAt = history.findIndex((h) => h.transition === 'stop');
    const claimsAfterStop = stopAt < 0 ? 0 : history.slice(stopAt).filter((h) => h.transition === 'step-claimed').length;
    const explanation = explainEnrollment({
      claimsAfterStop,
      state: e.state,
      stopReason: e.stop_reason,
      stopCauseId: e.stop_cause_id,
      endedAt: e.ended_at,
      nextStepNumber: e.next_step_number,
      nextDueAt: e.next_due_at,
      pausedUntil: e.paused_until,
      stepCount: e.step_count,
      steps: steps.map((s) => ({ stepNumber: s.step_number, status: s.status, sentAt: s.sent_at })),
      replies: replies.map((r) => ({ replyId: r.reply_id, kind: r.kind, relation: r.relation, from: r.from_address, effect: r.effect, why: r.why, at: r.occurred_at })),
    });
    return { enrollmentId: id, state: e.state, stopReason: e.stop_reason, stopCauseId: e.stop_cause_id, ...explanation, history };
  }

  /**
   * Stops an enrollment inside the caller's transaction. The row lock serialises this with the
   * dispatcher and with send claims, so once this commits no further step can be handed over or
   * claimed for sending.
   */
  async stopWithin(
    m: EntityManager,
    orgId: string,
    enrollmentId: string,
    reason: string,
    causeId: string | null,
    at: Date,
  ): Promise<TransitionResult | null> {
    const row = await this.store.lock(m, enrollmentId);
    if (!row || row.org_id !== orgId) return null;
    const result = await this.store.transition(m, row, { kind: 'stop', reason, at }, at, { causeId, reason });
    if (result.changed) {
      await m.query(`UPDATE sequencer.step_dispatch SET status = 'cancelled' WHERE enrollment_id = $1 AND status = 'requested'`, [enrollmentId]);
    }
    return result;
  }

  async stopManually(orgId: string, enrollmentId: string): Promise<EnrollmentView> {
    const result = await this.runtime.transaction((m) => this.stopWithin(m, orgId, enrollmentId, 'manual', null, this.clock.now()));
    if (!result) throw new NotFoundException({ error: 'enrollment_not_found' });
    return this.get(orgId, enrollmentId);
  }
}
