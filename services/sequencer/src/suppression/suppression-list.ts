import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { EmailAddress, SuppressionReason, Uuid, suppressionChangedTopic, type SuppressionSource } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { CursorTimestamp, PageLimit, cursorParam, likePattern, newestFirstPage, ServiceRuntime, SqlWhere, type Page } from '@telltale/runtime';
import { EnrollmentsService } from '../enrollments/enrollments.service';
import type { SuppressionRow } from './suppression-store';

/** `GET /v1/suppressions`: newest first; live entries unless `state` says otherwise; `q` matches the address. */
export const ListSuppressionsQuery = z
  .object({
    state: z.enum(['live', 'lifted', 'all']).default('live'),
    reason: SuppressionReason.optional(),
    q: z.string().trim().min(1).max(320).optional(),
    cursor: cursorParam(CursorTimestamp, Uuid),
    limit: PageLimit,
  })
  .strict();
export type ListSuppressionsQuery = z.output<typeof ListSuppressionsQuery>;

/** `POST /v1/suppressions`: an address added by hand, with an optional note (why). */
export const AddSuppressionRequest = z.object({ address: EmailAddress, note: z.string().trim().max(500).nullable().default(null) }).strict();
export type AddSuppressionRequest = z.output<typeof AddSuppressionRequest>;

/** `POST /v1/suppressions/:id/lift`: why the entry is lifted (kept with it). */
export const LiftSuppressionRequest = z.object({ reason: z.string().trim().min(1).max(500) }).strict();

export interface SuppressionView {
  id: string;
  address: string;
  reason: SuppressionReason;
  source: SuppressionSource;
  /** Who added it by hand (null otherwise, or an API key). */
  createdBy: string | null;
  since: string;
  liftedAt: string | null;
  liftedBy: string | null;
  liftReason: string | null;
}

/** Which stop reason an enrollment gets when its prospect is suppressed. */
export const STOP_REASON_OF_SUPPRESSION: Record<SuppressionReason, string> = { hard_bounce: 'bounced', unsubscribed: 'unsubscribed', complaint: 'unsubscribed', manual: 'manual' };

export function toSuppressionView(r: SuppressionRow): SuppressionView {
  return {
    id: r.id,
    address: r.address,
    reason: r.reason,
    source: { kind: r.source_kind, id: r.source_id, detail: r.source_detail },
    createdBy: r.created_by,
    since: r.created_at.toISOString(),
    liftedAt: r.lifted_at?.toISOString() ?? null,
    liftedBy: r.lifted_by,
    liftReason: r.lift_reason,
  };
}

/**
 * The organisation-wide suppression list (issue 15), owned by the sequencer. Every change is
 * announced as suppression.changed.v1 through the outbox in the transaction that makes it; adding an
 * address stops the organisation's live enrollments of that prospect. Entries are per organisation
 * and never read across organisations.
 */
@Injectable()
export class SuppressionList {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly enrollments: EnrollmentsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Suppresses the address inside the caller's transaction. An address already suppressed keeps its
   * first entry (returned with `added` false); nothing is announced twice.
   */
  async addWithin(
    m: EntityManager,
    orgId: string,
    address: string,
    reason: SuppressionReason,
    source: SuppressionSource,
    at: Date,
    createdBy: string | null = null,
  ): Promise<{ added: boolean; entry: SuppressionRow }> {
    const lower = address.toLowerCase();
    const inserted = (await m.query(
      `INSERT INTO sequencer.suppression (id, org_id, address, reason, source_kind, source_id, source_detail, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (org_id, address) WHERE lifted_at IS NULL DO NOTHING RETURNING *`,
      [randomUUID(), orgId, lower, reason, source.kind, source.id, source.detail, createdBy, at],
    )) as SuppressionRow[];
    const entry = inserted[0];
    if (!entry) {
      const [existing] = (await m.query(`SELECT * FROM sequencer.suppression WHERE org_id = $1 AND address = $2 AND lifted_at IS NULL`, [orgId, lower])) as SuppressionRow[];
      return { added: false, entry: existing! };
    }
    await this.announce(m, entry, 'added', at);
    // The prospect's live enrollments stop now; a send already claimed is refused by the sender.
    const live = (await m.query(
      `SELECT id FROM sequencer.enrollment WHERE org_id = $1 AND lower(prospect->>'address') = $2 AND state IN ('active', 'paused') ORDER BY id`,
      [orgId, lower],
    )) as { id: string }[];
    for (const { id } of live) await this.enrollments.stopWithin(m, orgId, id, STOP_REASON_OF_SUPPRESSION[reason], entry.id, at);
    return { added: true, entry };
  }

  /** By hand (409 already_suppressed with the live entry). */
  async addManually(orgId: string, request: AddSuppressionRequest, userId: string | null): Promise<SuppressionView> {
    const source: SuppressionSource = { kind: 'person', id: userId, detail: request.note };
    const { added, entry } = await this.runtime.transaction((m) => this.addWithin(m, orgId, request.address, 'manual', source, this.clock.now(), userId));
    if (!added) throw new ConflictException({ error: 'already_suppressed', message: `${entry.address} is already on the suppression list (${entry.reason}).`, suppression: toSuppressionView(entry) });
    return toSuppressionView(entry);
  }

  /** Lifts a live entry (404 for another organisation's id, 409 already_lifted); the address may be enrolled again. */
  async lift(orgId: string, id: string, reason: string, userId: string | null): Promise<SuppressionView> {
    return this.runtime.transaction(async (m) => {
      const [row] = (await m.query(`SELECT * FROM sequencer.suppression WHERE id = $1 AND org_id = $2 FOR UPDATE`, [id, orgId])) as SuppressionRow[];
      if (!row) throw new NotFoundException({ error: 'suppression_not_found' });
      if (row.lifted_at) throw new ConflictException({ error: 'already_lifted', message: `This entry was lifted at ${row.lifted_at.toISOString()}.` });
      const now = this.clock.now();
      // An UPDATE answers [rows, count].
      const [rows] = (await m.query(`UPDATE sequencer.suppression SET lifted_at = $2, lifted_by = $3, lift_reason = $4 WHERE id = $1 RETURNING *`, [id, now, userId, reason])) as [
        SuppressionRow[],
        number,
      ];
      const updated = rows[0]!;
      await this.announce(m, updated, 'lifted', now);
      return toSuppressionView(updated);
    });
  }

  async list(orgId: string, query: ListSuppressionsQuery): Promise<Page<SuppressionView>> {
    const where = new SqlWhere().add('s.org_id = $?', orgId);
    if (query.state === 'live') where.add('s.lifted_at IS NULL');
    if (query.state === 'lifted') where.add('s.lifted_at IS NOT NULL');
    if (query.reason) where.add('s.reason = $?', query.reason);
    if (query.q) where.add('s.address ILIKE $?', likePattern(query.q.toLowerCase()));
    return newestFirstPage(this.runtime.dataSource, `SELECT s.*, s.created_at::text AS created_key FROM sequencer.suppression s`, 's', where, query, (r: SuppressionRow & { created_key: string }) =>
      toSuppressionView(r),
    );
  }

  private async announce(m: EntityManager, r: SuppressionRow, change: 'added' | 'lifted', at: Date): Promise<void> {
    await this.runtime.outbox.enqueue(
      m,
      suppressionChangedTopic,
      {
        suppressionId: r.id,
        orgId: r.org_id,
        address: r.address,
        change,
        reason: r.reason,
        source: { kind: r.source_kind, id: r.source_id, detail: r.source_detail },
        since: r.created_at.toISOString(),
        liftReason: r.lift_reason,
        liftedBy: r.lifted_by,
        occurredAt: at.toISOString(),
      },
      { orgId: r.org_id, occurredAt: at },
    );
  }
}
