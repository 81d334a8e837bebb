import { BadRequestException } from '@nestjs/common';
import { Instant, Uuid } from '@telltale/contracts';
import { seesWholeOrganisation, type Caller } from '@telltale/runtime';
import { z } from 'zod';
import { FEED_KINDS, isCorrection, type FeedKind, type Person } from './feed-projection';

/** One feed item as the API returns it (history and stream alike). `id` is the SSE event id. */
export interface FeedItemView {
  id: string;
  kind: FeedKind;
  occurredAt: string;
  orgId: string;
  ownerUserId: string | null;
  sequenceId: string | null;
  enrollmentId: string | null;
  sentEmailId: string | null;
  mailboxId: string | null;
  person: Person | null;
  company: string | null;
  machine: boolean;
  machineReasons: string[];
  detail: Record<string, unknown>;
  summary: string;
}

export interface FeedRow {
  id: string;
  kind: FeedKind;
  occurred_at: Date;
  org_id: string;
  owner_user_id: string | null;
  sequence_id: string | null;
  enrollment_id: string | null;
  sent_email_id: string | null;
  mailbox_id: string | null;
  person_address: string | null;
  person_name: string | null;
  company: string | null;
  machine: boolean;
  machine_reasons: string[];
  detail: Record<string, unknown>;
  summary: string;
}

export const toFeedItemView = (r: FeedRow): FeedItemView => ({
  id: String(r.id),
  kind: r.kind,
  occurredAt: r.occurred_at.toISOString(),
  orgId: r.org_id,
  ownerUserId: r.owner_user_id,
  sequenceId: r.sequence_id,
  enrollmentId: r.enrollment_id,
  sentEmailId: r.sent_email_id,
  mailboxId: r.mailbox_id,
  person: r.person_address ? { address: r.person_address, name: r.person_name } : null,
  company: r.company,
  machine: r.machine,
  machineReasons: r.machine_reasons,
  detail: r.detail,
  summary: r.summary,
});

/** A row as one Server-Sent Event: its id (what Last-Event-ID returns), `event: feed`, the item as JSON. */
export const sseFrame = (row: FeedRow): string => `id: ${row.id}\nevent: feed\ndata: ${JSON.stringify(toFeedItemView(row))}\n\n`;

const FeedId = z.string().regex(/^\d{1,18}$/, 'must be a feed item id (digits)');
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item).max(FEED_KINDS.length * 2));
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The filters both GET /api/v1/feed and its stream take (query string). */
export const FeedFilterQuery = z.object({
  kinds: list(z.enum(FEED_KINDS)).optional(),
  includeMachine: bool.optional(),
  sequenceId: Uuid.optional(),
  ownerUserId: Uuid.optional(),
  since: Instant.optional(),
  until: Instant.optional(),
  company: z.string().trim().toLowerCase().min(1).max(253).optional(),
});

export const FeedHistoryQuery = FeedFilterQuery.extend({
  /** The page after this one: the last item id of the previous page (`nextCursor`). */
  cursor: FeedId.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
}).strict();

export const FeedStreamQuery = FeedFilterQuery.extend({
  /** Resume after this id, like the Last-Event-ID header (which wins when both are sent). */
  after: FeedId.optional(),
}).strict();

export type FeedFilterInput = z.output<typeof FeedFilterQuery>;

/** The filters with who is asking: a rep's owner is always themselves. */
export interface FeedFilter {
  orgId: string;
  /** Only this rep's items (a signed-in rep). */
  selfUserId: string | null;
  ownerUserId: string | null;
  kinds: ReadonlySet<FeedKind> | null;
  includeMachine: boolean;
  sequenceId: string | null;
  since: Date | null;
  until: Date | null;
  company: string | null;
}

export function feedFilterFor(caller: Caller, input: FeedFilterInput): FeedFilter {
  if (input.since && input.until && input.since > input.until) throw new BadRequestException({ error: 'invalid_request', issues: [{ path: 'until', message: 'must not be before since' }] });
  const rep = caller.kind === 'user' && !seesWholeOrganisation(caller);
  return {
    orgId: caller.orgId,
    selfUserId: rep ? caller.userId : null,
    ownerUserId: input.ownerUserId?.toLowerCase() ?? null,
    kinds: input.kinds?.length ? new Set(input.kinds) : null,
    includeMachine: input.includeMachine ?? false,
    sequenceId: input.sequenceId?.toLowerCase() ?? null,
    since: input.since ? new Date(input.since) : null,
    until: input.until ? new Date(input.until) : null,
    company: input.company ?? null,
  };
}

/** The filter as SQL conditions on app.feed_item `f` (parameters appended to `params`). */
export function feedWhere(filter: FeedFilter, params: unknown[]): string {
  const p = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = [`f.org_id = ${p(filter.orgId)}`];
  if (filter.selfUserId) conditions.push(`f.owner_user_id = ${p(filter.selfUserId)}`);
  if (filter.ownerUserId) conditions.push(`f.owner_user_id = ${p(filter.ownerUserId)}`);
  if (filter.kinds) conditions.push(`f.kind = ANY(${p([...filter.kinds])})`);
  if (!filter.includeMachine) conditions.push(`NOT f.machine`);
  if (filter.sequenceId) conditions.push(`f.sequence_id = ${p(filter.sequenceId)}`);
  if (filter.since) conditions.push(`f.occurred_at >= ${p(filter.since)}`);
  if (filter.until) conditions.push(`f.occurred_at <= ${p(filter.until)}`);
  if (filter.company) conditions.push(`f.company = ${p(filter.company)}`);
  return conditions.join(' AND ');
}

/** The same filter on a row, for the stream's fan-out (no query per connection). */
export function feedMatches(filter: FeedFilter, row: FeedRow): boolean {
  if (row.org_id !== filter.orgId) return false;
  if (filter.selfUserId && row.owner_user_id !== filter.selfUserId) return false;
  if (filter.ownerUserId && row.owner_user_id !== filter.ownerUserId) return false;
  if (filter.kinds && !filter.kinds.has(row.kind)) return false;
  if (!filter.includeMachine && row.machine && !isCorrection(row.detail)) return false;
  if (filter.sequenceId && row.sequence_id !== filter.sequenceId) return false;
  if (filter.since && row.occurred_at < filter.since) return false;
  if (filter.until && row.occurred_at > filter.until) return false;
  if (filter.company && row.company !== filter.company) return false;
  return true;
}
