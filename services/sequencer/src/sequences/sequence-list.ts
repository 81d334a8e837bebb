import { z } from 'zod';
import { Uuid } from '@telltale/contracts';
import { CursorTimestamp, PageLimit, cursorParam, likePattern, ownsOrOversees, SqlWhere, toPage, type Caller, type Page } from '@telltale/runtime';
import type { DataSource } from 'typeorm';
import type { ColleagueReplyRule } from './colleague-reply-rule';

const SORTS = ['newest', 'name'] as const;

/**
 * `GET /v1/sequences`: newest first (`sort=newest`, the default) or by name (`sort=name`, A→Z),
 * optionally only names containing `q`. A cursor holds the sort key of the last row seen, so it is
 * only good for the sort it came from (a cursor of the other sort is a 400).
 */
export const ListSequencesParams = z
  .object({
    sort: z.enum(SORTS).default('newest'),
    q: z.string().trim().min(1).max(200).optional(),
    /** `nextCursor` of the previous page (of the same sort). */
    cursor: z.string().max(1000).optional(),
    limit: PageLimit,
  })
  .strict();

export const ListSequencesQuery = ListSequencesParams.transform((query, ctx) => {
  if (query.cursor === undefined) return { ...query, after: null };
  const schema = query.sort === 'newest' ? cursorParam(z.literal('newest'), CursorTimestamp, Uuid) : cursorParam(z.literal('name'), z.string().max(1000), Uuid);
  const parsed = schema.safeParse(query.cursor);
  if (parsed.success && parsed.data) return { ...query, after: parsed.data.slice(1) as [string, string] };
  ctx.addIssue({ code: 'custom', path: ['cursor'], message: `must be a nextCursor from a previous page sorted by ${query.sort}` });
  return z.NEVER;
});
export type ListSequencesQuery = z.output<typeof ListSequencesQuery>;

export interface SequenceSummary {
  id: string;
  ownerUserId: string | null;
  name: string;
  tracking: { opens: boolean; clicks: boolean };
  onColleagueReply: ColleagueReplyRule;
  stepCount: number;
  /** How many of its enrollments are in each state. */
  enrollments: { active: number; paused: number; stopped: number; completed: number; failed: number };
  createdAt: string;
}

interface Row {
  id: string;
  owner_user_id: string | null;
  name: string;
  track_opens: boolean;
  track_clicks: boolean;
  on_colleague_reply: ColleagueReplyRule;
  created_at: Date;
  created_key: string;
  step_count: number;
  active: number;
  paused: number;
  stopped: number;
  completed: number;
  failed: number;
}

/** A rep lists the sequences they made; managers, admins and API keys the organisation's. */
export async function listSequences(ds: DataSource, caller: Caller, query: ListSequencesQuery): Promise<Page<SequenceSummary>> {
  const where = new SqlWhere().add('s.org_id = $?', caller.orgId);
  // ownsOrOversees(caller, null): whether the caller sees what no one in particular owns, i.e. everything.
  if (!ownsOrOversees(caller, null)) where.add('s.owner_user_id = $?', caller.userId);
  if (query.q) where.add('s.name ILIKE $?', likePattern(query.q));
  const byName = query.sort === 'name';
  if (query.after) where.add(byName ? '(s.name, s.id) > ($?::text, $?::uuid)' : '(s.created_at, s.id) < ($?::timestamptz, $?::uuid)', ...query.after);
  const rows = (await ds.query(
    `SELECT s.id, s.owner_user_id, s.name, s.track_opens, s.track_clicks, s.on_colleague_reply, s.created_at, s.created_at::text AS created_key,
            (SELECT count(*)::int FROM sequencer.sequence_step st WHERE st.sequence_id = s.id) AS step_count,
            coalesce(c.active, 0) AS active, coalesce(c.paused, 0) AS paused, coalesce(c.stopped, 0) AS stopped,
            coalesce(c.completed, 0) AS completed, coalesce(c.failed, 0) AS failed
     FROM sequencer.sequence s
     LEFT JOIN LATERAL (
       SELECT count(*) FILTER (WHERE e.state = 'active')::int AS active, count(*) FILTER (WHERE e.state = 'paused')::int AS paused,
              count(*) FILTER (WHERE e.state = 'stopped')::int AS stopped, count(*) FILTER (WHERE e.state = 'completed')::int AS completed,
              count(*) FILTER (WHERE e.state = 'failed')::int AS failed
       FROM sequencer.enrollment e WHERE e.org_id = s.org_id AND e.sequence_id = s.id
     ) c ON true
     WHERE ${where.sql}
     ORDER BY ${byName ? 's.name ASC, s.id ASC' : 's.created_at DESC, s.id DESC'}
     LIMIT ${where.param(query.limit + 1)}`,
    where.params,
  )) as Row[];
  return toPage(
    rows,
    query.limit,
    (r) => (byName ? ['name', r.name, r.id] : ['newest', r.created_key, r.id]),
    (r) => ({
      id: r.id,
      ownerUserId: r.owner_user_id,
      name: r.name,
      tracking: { opens: r.track_opens, clicks: r.track_clicks },
      onColleagueReply: r.on_colleague_reply,
      stepCount: r.step_count,
      enrollments: { active: r.active, paused: r.paused, stopped: r.stopped, completed: r.completed, failed: r.failed },
      createdAt: r.created_at.toISOString(),
    }),
  );
}
