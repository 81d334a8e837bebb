import { z } from 'zod';
import { Uuid } from '@telltale/contracts';
import { CursorTimestamp, PageLimit, cursorParam, likePattern, newestFirstPage, ownsOrOversees, SqlWhere, type Caller, type NewestFirstRow, type Page } from '@telltale/runtime';
import type { DataSource } from 'typeorm';
import { EnrollmentState } from './enrollment-state';

/** `GET /v1/enrollments`: newest first, optionally of one sequence, in one state, or matching `q` (prospect address or name). */
export const ListEnrollmentsQuery = z
  .object({
    sequenceId: Uuid.optional(),
    state: z.enum(Object.values(EnrollmentState) as [EnrollmentState, ...EnrollmentState[]]).optional(),
    q: z.string().trim().min(1).max(200).optional(),
    cursor: cursorParam(CursorTimestamp, Uuid),
    limit: PageLimit,
  })
  .strict();
export type ListEnrollmentsQuery = z.output<typeof ListEnrollmentsQuery>;

export interface EnrollmentSummary {
  id: string;
  ownerUserId: string | null;
  sequenceId: string;
  sequenceName: string;
  mailboxId: string;
  prospect: { address: string; name: string | null };
  cc: { address: string; name: string | null }[];
  state: EnrollmentState;
  nextStepNumber: number;
  stepCount: number;
  nextDueAt: string | null;
  pausedUntil: string | null;
  stopReason: string | null;
  endedAt: string | null;
  createdAt: string;
}

interface Row extends NewestFirstRow {
  id: string;
  owner_user_id: string | null;
  sequence_id: string;
  sequence_name: string;
  mailbox_id: string;
  prospect: EnrollmentSummary['prospect'];
  cc: EnrollmentSummary['cc'];
  state: EnrollmentState;
  next_step_number: number;
  step_count: number;
  next_due_at: Date | null;
  paused_until: Date | null;
  stop_reason: string | null;
  ended_at: Date | null;
  created_at: Date;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** A rep lists the prospects they enrolled; managers, admins and API keys the organisation's. */
export async function listEnrollments(ds: DataSource, caller: Caller, query: ListEnrollmentsQuery): Promise<Page<EnrollmentSummary>> {
  const where = new SqlWhere().add('e.org_id = $?', caller.orgId);
  // ownsOrOversees(caller, null): whether the caller sees what no one in particular owns, i.e. everything.
  if (!ownsOrOversees(caller, null)) where.add('e.owner_user_id = $?', caller.userId);
  if (query.sequenceId) where.add('e.sequence_id = $?', query.sequenceId);
  if (query.state) where.add('e.state = $?', query.state);
  if (query.q) where.add(`(e.prospect->>'address' ILIKE $? OR e.prospect->>'name' ILIKE $?)`, likePattern(query.q), likePattern(query.q));
  return newestFirstPage(
    ds,
    `SELECT e.id, e.owner_user_id, e.sequence_id, s.name AS sequence_name, e.mailbox_id, e.prospect, e.cc, e.state, e.next_step_number,
            (SELECT count(*)::int FROM sequencer.sequence_step st WHERE st.sequence_id = e.sequence_id) AS step_count,
            e.next_due_at, e.paused_until, e.stop_reason, e.ended_at, e.created_at, e.created_at::text AS created_key
     FROM sequencer.enrollment e JOIN sequencer.sequence s ON s.id = e.sequence_id`,
    'e',
    where,
    query,
    (r: Row) => ({
      id: r.id,
      ownerUserId: r.owner_user_id,
      sequenceId: r.sequence_id,
      sequenceName: r.sequence_name,
      mailboxId: r.mailbox_id,
      prospect: r.prospect,
      cc: r.cc,
      state: r.state,
      nextStepNumber: r.next_step_number,
      stepCount: r.step_count,
      nextDueAt: iso(r.next_due_at),
      pausedUntil: iso(r.paused_until),
      stopReason: r.stop_reason,
      endedAt: iso(r.ended_at),
      createdAt: r.created_at.toISOString(),
    }),
  );
}
