import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { Address, EmailAddress, Uuid } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { MailboxDirectory } from '../mailboxes/mailbox-directory';
import { SequencesService } from '../sequences/sequences.service';
import { firstSuppressed, liveSuppressions, suppressedMessage } from '../suppression/suppression-store';
import { EnrollmentStore } from './enrollment-store';
import { parseBatchRows, summarise, type BatchEnrollRequest, type BatchEnrollResponse, type BatchRowResult, type ParsedBatchRow } from './enrollment-batch';
import { EnrollmentVariables } from './enrollment-variables';
import { TimeZoneName } from '../scheduling/send-window';

/** Rows enrolled per transaction in a batch (a few statements each, whatever the size). */
const BATCH_CHUNK_ROWS = 250;

interface KnownAway {
  address: string;
  until: Date;
  reply_id: string;
}
import { isTerminal } from './enrollment-state';
import { explainEnrollment, type Explanation } from './enrollment-explanation';
import type { TransitionResult } from './enrollment-transitions';

export const EnrollRequest = z
  .object({
    mailboxId: Uuid,
    from: Address,
    prospect: z.object({ email: EmailAddress, name: z.string().max(200).nullable().default(null) }),
    cc: z.array(Address).max(50).default([]),
    /** The step templates' variables: first_name, last_name, company, title, custom fields (first/last name default from the name). */
    variables: EnrollmentVariables.default({}),
    /** The prospect's IANA time zone when known: the sequence's send window is read in it (else in the window's own). */
    timeZone: TimeZoneName.nullable().default(null),
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
  /** What the step templates are rendered with, as given at enrolment. */
  variables: Record<string, string>;
  /** The prospect's time zone, when given. */
  timeZone: string | null;
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

/** Why a step was put off (a step-deferred transition's detail), in words. */
function waitingReason(detail: Record<string, unknown>): string | null {
  if (detail.reason === 'daily_cap') return `the mailbox reached its daily cap of ${String(detail.dailyCap)} steps; it waits for the next day in ${String(detail.timeZone)}`;
  if (detail.reason === 'send_window') return `it waits for the sequence's send window in ${String(detail.timeZone)}`;
  return null;
}

@Injectable()
export class EnrollmentsService {
  private readonly store: EnrollmentStore;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly sequences: SequencesService,
    private readonly mailboxes: MailboxDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.store = new EnrollmentStore(runtime.outbox);
  }

  /** The mailbox must be the organisation's and the From its address (MailboxDirectory.requireSendingMailbox). */
  async enroll(orgId: string, sequenceId: string, request: EnrollRequest, ownerUserId: string | null = null): Promise<EnrollmentView> {
    const firstDelaySeconds = await this.firstStepDelay(orgId, sequenceId);
    await this.mailboxes.requireSendingMailbox(orgId, request.mailboxId, request.from.address);
    const id = await this.runtime.transaction((m) => this.enrollWithin(m, orgId, sequenceId, firstDelaySeconds, request, ownerUserId, this.clock.now()));
    return this.get(orgId, id);
  }

  /**
   * Enrolls up to 1 000 prospects from one mailbox, each row answered on its own: a bad row is an
   * `error` naming its field, an address already live in the sequence (or earlier in the batch) a
   * `duplicate`, the rest `created`, inserted together (a transaction per 250 rows).
   */
  async enrollBatch(orgId: string, sequenceId: string, request: BatchEnrollRequest, ownerUserId: string | null): Promise<BatchEnrollResponse> {
    const firstDelaySeconds = await this.firstStepDelay(orgId, sequenceId);
    // One mailbox and one From for the whole batch: refused as a whole, like a single enrolment.
    await this.mailboxes.requireSendingMailbox(orgId, request.mailboxId, request.from.address);
    const { valid, results } = parseBatchRows(request.rows);
    const now = this.clock.now();
    const dueAt = new Date((request.startAt ? new Date(request.startAt) : now).getTime() + firstDelaySeconds * 1000);
    for (let i = 0; i < valid.length; i += BATCH_CHUNK_ROWS) {
      const chunk = valid.slice(i, i + BATCH_CHUNK_ROWS);
      results.push(...(await this.runtime.transaction((m) => this.enrollChunk(m, orgId, sequenceId, request, chunk, ownerUserId, dueAt, now))));
    }
    return summarise(results);
  }

  /** Rows already checked and unique within the batch: those live in the sequence are duplicates, the rest are inserted together. */
  private async enrollChunk(
    m: EntityManager,
    orgId: string,
    sequenceId: string,
    request: BatchEnrollRequest,
    rows: ParsedBatchRow[],
    ownerUserId: string | null,
    dueAt: Date,
    now: Date,
  ): Promise<BatchRowResult[]> {
    const emails = rows.map((r) => r.prospect.email);
    const live = (await m.query(
      `SELECT id, prospect->>'address' AS address FROM sequencer.enrollment
       WHERE org_id = $1 AND sequence_id = $2 AND prospect->>'address' = ANY($3::text[]) AND state IN ('active', 'paused')`,
      [orgId, sequenceId, emails],
    )) as { id: string; address: string }[];
    const liveId = new Map(live.map((l) => [l.address, l.id]));
    const suppressed = await liveSuppressions(m, orgId, rows.flatMap((r) => [r.prospect.email, ...r.cc.map((c) => c.address)]));
    const results: BatchRowResult[] = [];
    const fresh: { id: string; row: ParsedBatchRow }[] = [];
    for (const row of rows) {
      const email = row.prospect.email;
      const refused = firstSuppressed(suppressed, email, row.cc, 'prospect.email');
      if (refused) {
        const { entry } = refused;
        results.push({ row: row.row, status: 'error', field: refused.field, message: suppressedMessage(entry), error: 'address_suppressed', address: entry.address, reason: entry.reason, since: entry.since });
        continue;
      }
      const existing = liveId.get(email);
      if (existing) {
        results.push({ row: row.row, status: 'duplicate', email, enrollmentId: existing, duplicateOfRow: null });
        continue;
      }
      const id = randomUUID();
      fresh.push({ id, row });
      results.push({ row: row.row, status: 'created', enrollmentId: id, email });
    }
    if (fresh.length === 0) return results;
    await m.query(
      `INSERT INTO sequencer.enrollment (id, org_id, sequence_id, mailbox_id, sender, prospect, cc, state, next_step_number, next_due_at, created_at, updated_at, owner_user_id, variables, time_zone)
       SELECT r.id, $1, $2, $3, $4, r.prospect, r.cc, 'active', 1, $5, $6, $6, $7, r.variables, r.time_zone
       FROM jsonb_to_recordset($8::jsonb) AS r(id uuid, prospect jsonb, cc jsonb, variables jsonb, time_zone text)`,
      [
        orgId,
        sequenceId,
        request.mailboxId,
        JSON.stringify(request.from),
        dueAt,
        now,
        ownerUserId,
        JSON.stringify(
          fresh.map(({ id, row }) => ({ id, prospect: { address: row.prospect.email, name: row.prospect.name }, cc: row.cc, variables: row.variables, time_zone: row.timeZone })),
        ),
      ],
    );
    await m.query(
      `INSERT INTO sequencer.enrollment_event (enrollment_id, org_id, transition, from_state, to_state, detail, occurred_at)
       SELECT id, $1, 'enrolled', NULL, 'active', '{}', $2 FROM unnest($3::uuid[]) AS id`,
      [orgId, now, fresh.map((f) => f.id)],
    );
    const away = (await m.query(`SELECT address, until, reply_id FROM sequencer.out_of_office WHERE org_id = $1 AND address = ANY($2::text[]) AND until > $3`, [
      orgId,
      emails.map((e) => e.toLowerCase()),
      now,
    ])) as KnownAway[];
    for (const { id, row } of fresh) {
      const known = away.find((a) => a.address === row.prospect.email.toLowerCase());
      if (known) await this.pauseKnownAway(m, orgId, id, row.prospect.email, known, now);
    }
    return results;
  }

  /** The delay of the sequence's step 1 (409 when it has none). */
  async firstStepDelay(orgId: string, sequenceId: string): Promise<number> {
    const sequence = await this.sequences.get(orgId, sequenceId);
    const first = sequence.steps.find((s) => s.stepNumber === 1);
    if (!first) throw new ConflictException({ error: 'sequence_has_no_steps' });
    return first.delaySeconds;
  }

  /** Enrolls one prospect inside the caller's transaction (409 already_enrolled while they are live in the sequence); returns the id. */
  async enrollWithin(
    m: EntityManager,
    orgId: string,
    sequenceId: string,
    firstDelaySeconds: number,
    request: EnrollRequest,
    ownerUserId: string | null,
    now: Date,
  ): Promise<string> {
    const start = request.startAt ? new Date(request.startAt) : now;
    const id = randomUUID();
    const active = (await m.query(
      `SELECT id FROM sequencer.enrollment WHERE org_id = $1 AND sequence_id = $2 AND prospect->>'address' = $3 AND state IN ('active', 'paused')`,
      [orgId, sequenceId, request.prospect.email],
    )) as { id: string }[];
    if (active.length > 0) throw new ConflictException({ error: 'already_enrolled', enrollmentId: active[0]!.id });
    const refused = firstSuppressed(await liveSuppressions(m, orgId, [request.prospect.email, ...request.cc.map((c) => c.address)]), request.prospect.email, request.cc, 'prospect.email');
    if (refused) {
      const { entry } = refused;
      throw new UnprocessableEntityException({ error: 'address_suppressed', message: suppressedMessage(entry), field: refused.field, address: entry.address, reason: entry.reason, since: entry.since });
    }
    await m.query(
      `INSERT INTO sequencer.enrollment (id, org_id, sequence_id, mailbox_id, sender, prospect, cc, state, next_step_number, next_due_at, created_at, updated_at, owner_user_id, variables, time_zone)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', 1, $8, $9, $9, $10, $11, $12)`,
      [
        id,
        orgId,
        sequenceId,
        request.mailboxId,
        JSON.stringify(request.from),
        JSON.stringify({ address: request.prospect.email, name: request.prospect.name }),
        JSON.stringify(request.cc),
        new Date(start.getTime() + firstDelaySeconds * 1000),
        now,
        ownerUserId,
        JSON.stringify(request.variables),
        request.timeZone,
      ],
    );
    await m.query(
      `INSERT INTO sequencer.enrollment_event (enrollment_id, org_id, transition, from_state, to_state, detail, occurred_at)
       VALUES ($1, $2, 'enrolled', NULL, 'active', '{}', $3)`,
      [id, orgId, now],
    );
    // A prospect known to be out of office starts paused: their auto-responder may not answer again.
    const [away] = (await m.query(`SELECT address, until, reply_id FROM sequencer.out_of_office WHERE org_id = $1 AND address = lower($2) AND until > $3`, [
      orgId,
      request.prospect.email,
      now,
    ])) as KnownAway[];
    if (away) await this.pauseKnownAway(m, orgId, id, request.prospect.email, away, now);
    return id;
  }

  /** A new enrollment of a prospect known to be out of office starts paused until they are back. */
  private async pauseKnownAway(m: EntityManager, orgId: string, id: string, email: string, away: KnownAway, now: Date): Promise<void> {
    const row = await this.store.lock(m, id);
    if (!row) return;
    await this.store.transition(m, row, { kind: 'pause', until: away.until, at: now }, now, { reason: 'out_of_office', replyId: away.reply_id, known: true });
    await m.query(
      `INSERT INTO sequencer.reply_effect (reply_id, enrollment_id, org_id, kind, relation, from_address, effect, why, occurred_at)
       VALUES ($1, $2, $3, 'auto_reply', 'prospect', $4, 'paused', $5, $6)`,
      [
        away.reply_id,
        id,
        orgId,
        email,
        `the prospect was already out of office when enrolled (an earlier auto-reply): paused until ${away.until.toISOString()}; step 1 then waits its full delay`,
        now,
      ],
    );
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
      variables: (e.variables as Record<string, string> | null) ?? {},
      timeZone: (e.time_zone as string | null) ?? null,
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
    const lastPause = [...history].reverse().find((h) => h.transition === 'pause');
    const latest = history.at(-1);
    const explanation = explainEnrollment({
      claimsAfterStop,
      pausedByHand: (lastPause?.detail as { reason?: string } | null)?.reason === 'manual',
      waitingBecause: latest?.transition === 'step-deferred' ? waitingReason(latest.detail as Record<string, unknown>) : null,
      pausedBecause: String((lastPause?.detail as { reason?: string } | null)?.reason).startsWith('template_') ? ((lastPause?.detail as { message?: string }).message ?? null) : null,
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
    if (result.changed) await this.store.cancelPendingHandOvers(m, enrollmentId);
    return result;
  }

  /**
   * Pauses by hand, until `until` or (null) until resumed: nothing is handed over meanwhile, a hand-over
   * the sender has not claimed is cancelled (a claimed one may still go out, as with any pause). A
   * pause never shortens a longer one; 409 once the enrollment has ended.
   */
  async pauseManually(orgId: string, enrollmentId: string, until: Date | null): Promise<EnrollmentView> {
    await this.runtime.transaction(async (m) => {
      const row = await this.lockLive(m, orgId, enrollmentId, 'paused');
      const now = this.clock.now();
      if (until !== null && until.getTime() <= now.getTime()) throw new BadRequestException({ error: 'invalid_request', issues: [{ path: 'until', message: 'must be in the future' }] });
      const result = await this.store.transition(m, row, { kind: 'pause', until, at: now }, now, { reason: 'manual', until: until?.toISOString() ?? null });
      if (result.changed) await this.store.cancelPendingHandOvers(m, enrollmentId);
    });
    return this.get(orgId, enrollmentId);
  }

  /**
   * Resumes a paused enrollment now, whatever paused it (by hand, out-of-office, the company rule):
   * the step that was due is scheduled its full delay from now, as after any pause. Resuming an
   * active enrollment changes nothing; 409 once it has ended.
   */
  async resumeManually(orgId: string, enrollmentId: string): Promise<EnrollmentView> {
    await this.runtime.transaction(async (m) => {
      const row = await this.lockLive(m, orgId, enrollmentId, 'resumed');
      if (row.state !== 'paused') return;
      const now = this.clock.now();
      await this.store.transition(m, row, await this.store.resumeCommand(m, row, now), now, { reason: 'manual', pausedUntil: row.paused_until?.toISOString() ?? null });
    });
    return this.get(orgId, enrollmentId);
  }

  private async lockLive(m: EntityManager, orgId: string, enrollmentId: string, what: string) {
    const row = await this.store.lock(m, enrollmentId);
    if (!row || row.org_id !== orgId) throw new NotFoundException({ error: 'enrollment_not_found' });
    if (isTerminal(row.state)) throw new ConflictException({ error: 'enrollment_ended', message: `The enrollment is ${row.state} and cannot be ${what}.`, state: row.state });
    return row;
  }

  async stopManually(orgId: string, enrollmentId: string): Promise<EnrollmentView> {
    const result = await this.runtime.transaction((m) => this.stopWithin(m, orgId, enrollmentId, 'manual', null, this.clock.now()));
    if (!result) throw new NotFoundException({ error: 'enrollment_not_found' });
    return this.get(orgId, enrollmentId);
  }
}
