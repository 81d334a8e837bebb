import { Body, Controller, Get, Inject, NotFoundException, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { CLOCK, type Clock } from '@telltale/db';
import { CurrentCaller, Members, parseRequest, ServiceRuntime, type Caller } from '@telltale/runtime';
import { instantOfWallTime, TimeZoneName, wallClock } from './send-window';

/** The most steps a cap allows a mailbox per day (the providers' own daily limits are lower). */
export const MAX_DAILY_CAP = 10_000;

/** `PUT /v1/mailbox-caps/:mailboxId`: `dailyCap` null removes the cap; the day runs in `timeZone` (default UTC). */
export const MailboxCapRequest = z
  .object({
    dailyCap: z.int().min(1).max(MAX_DAILY_CAP).nullable(),
    timeZone: TimeZoneName.default('UTC'),
  })
  .strict();

export interface MailboxCapView {
  mailboxId: string;
  dailyCap: number | null;
  timeZone: string | null;
  /** Steps handed to the sender from this mailbox since the cap's day began. */
  usedToday: number;
}

interface CapRow {
  daily_cap: number;
  time_zone: string;
}

/** The instant the local day of `at` began, and the next day's start, in `timeZone`. */
export function dayBounds(at: Date, timeZone: string): { start: Date; next: Date } {
  const w = wallClock(at.getTime(), timeZone);
  const tomorrow = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
  return {
    start: new Date(instantOfWallTime(w.year, w.month, w.day, 0, timeZone)),
    next: new Date(instantOfWallTime(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth() + 1, tomorrow.getUTCDate(), 0, timeZone)),
  };
}

async function usedSince(m: EntityManager, mailboxId: string, since: Date): Promise<number> {
  const [{ n }] = (await m.query(
    `SELECT count(*)::int AS n FROM sequencer.step_dispatch d JOIN sequencer.enrollment e ON e.id = d.enrollment_id
     WHERE e.mailbox_id = $1 AND d.requested_at >= $2 AND d.status <> 'cancelled'`,
    [mailboxId, since],
  )) as [{ n: number }];
  return n;
}

/**
 * Whether one more step may leave `mailboxId` at `now` under its daily cap: null when it may (or there
 * is no cap), else when the next day begins. Locks the cap row, so concurrent passes count in turn;
 * the hand-overs of the caller's transaction count.
 */
export async function capFullUntil(m: EntityManager, mailboxId: string, now: Date): Promise<{ until: Date; cap: number; timeZone: string } | null> {
  const [cap] = (await m.query(`SELECT daily_cap, time_zone FROM sequencer.mailbox_cap WHERE mailbox_id = $1 FOR UPDATE`, [mailboxId])) as CapRow[];
  if (!cap) return null;
  const { start, next } = dayBounds(now, cap.time_zone);
  return (await usedSince(m, mailboxId, start)) >= cap.daily_cap ? { until: next, cap: cap.daily_cap, timeZone: cap.time_zone } : null;
}

/** Admins and managers set a mailbox's daily cap; every member may read it. */
@Controller('v1/mailbox-caps')
export class MailboxCapsController {
  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':mailboxId')
  @Members('sequences')
  get(@CurrentCaller() caller: Caller, @Param('mailboxId', new ParseUUIDPipe()) mailboxId: string): Promise<MailboxCapView> {
    return this.runtime.transaction((m) => this.view(m, caller.orgId, mailboxId));
  }

  @Put(':mailboxId')
  @Members('sequences', 'admin', 'manager')
  async set(@CurrentCaller() caller: Caller, @Param('mailboxId', new ParseUUIDPipe()) mailboxId: string, @Body() body: unknown): Promise<MailboxCapView> {
    const request = parseRequest(MailboxCapRequest, body);
    return this.runtime.transaction(async (m) => {
      await this.view(m, caller.orgId, mailboxId);
      if (request.dailyCap === null) {
        await m.query(`DELETE FROM sequencer.mailbox_cap WHERE mailbox_id = $1 AND org_id = $2`, [mailboxId, caller.orgId]);
      } else {
        await m.query(
          `INSERT INTO sequencer.mailbox_cap (mailbox_id, org_id, daily_cap, time_zone, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (mailbox_id) DO UPDATE SET daily_cap = EXCLUDED.daily_cap, time_zone = EXCLUDED.time_zone, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
          [mailboxId, caller.orgId, request.dailyCap, request.timeZone, this.clock.now(), caller.userId],
        );
      }
      return this.view(m, caller.orgId, mailboxId);
    });
  }

  /** 404 for a mailbox the sequencer does not know in the caller's organisation. */
  private async view(m: EntityManager, orgId: string, mailboxId: string): Promise<MailboxCapView> {
    const [mailbox] = (await m.query(`SELECT id FROM sequencer.mailbox WHERE id = $1 AND org_id = $2`, [mailboxId, orgId])) as unknown[];
    if (!mailbox) throw new NotFoundException({ error: 'mailbox_not_found' });
    const [cap] = (await m.query(`SELECT daily_cap, time_zone FROM sequencer.mailbox_cap WHERE mailbox_id = $1`, [mailboxId])) as CapRow[];
    const timeZone = cap?.time_zone ?? 'UTC';
    return { mailboxId, dailyCap: cap?.daily_cap ?? null, timeZone: cap ? timeZone : null, usedToday: await usedSince(m, mailboxId, dayBounds(this.clock.now(), timeZone).start) };
  }
}
