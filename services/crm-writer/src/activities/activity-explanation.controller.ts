import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Patch, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { CLOCK, type Clock } from '@telltale/db';
import { CurrentCaller, Members, parseRequest, seesWholeOrganisation, ServiceRuntime, type Caller } from '@telltale/runtime';
import type { MatchDecision } from './activity-matcher';
import { ActivityStore } from './activity-store';
import { crmSettingsInput, readCrmSettings, writeCrmSettings, type CrmSettings } from './crm-settings';
import { CRM_WRITER_SETTINGS, type CrmWriterSettings } from './crm-writer-settings';

export const ActivityExplanationQuery = z.object({ sentEmailId: z.uuid() }).strict();

export interface ActivityExplanation {
  activityKey: string;
  kind: 'email_sent' | 'reply';
  /** pending: waiting to be written; written; unmatched: parked until a Contact or Lead exists; dead: needs a replay. */
  state: 'pending' | 'written' | 'unmatched' | 'dead';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: { code: string; message: string } | null;
  taskId: string | null;
  writtenAt: string | null;
  /** What it matched and why, or why it is unmatched; null before the first matching. */
  match: MatchDecision | null;
}

interface Row {
  activity_key: string;
  kind: 'email_sent' | 'reply';
  state: ActivityExplanation['state'];
  attempts: number;
  next_attempt_at: Date;
  last_error_code: string | null;
  last_error: string | null;
  task_id: string | null;
  written_at: Date | null;
  match: MatchDecision | null;
  rep_email: string | null;
}

/**
 * What crm-writer did with a sent email and its replies in Salesforce, and why (issue 14,
 * "every decision explained"); the organisation's CRM settings; re-matching and replay on demand
 * (taken by the scheduler's next pass).
 */
@Controller('v1/salesforce')
export class ActivityExplanationController {
  private readonly store = new ActivityStore();

  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(CRM_WRITER_SETTINGS) private readonly writer: CrmWriterSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Due at once: the scheduler's next pass takes them without waiting for a batch window. */
  private dueNow(): Date {
    return new Date(this.clock.now().getTime() - this.writer.batchWindowMs);
  }

  /** A rep sees the activities of their own emails; managers, admins and API keys the organisation's. */
  @Get('activities')
  @Members('emails')
  async explain(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<{ sentEmailId: string; activities: ActivityExplanation[] }> {
    const { sentEmailId } = parseRequest(ActivityExplanationQuery, query);
    const rows = (await this.runtime.transaction((m) =>
      m.query(
        `SELECT a.activity_key, a.kind, a.state, a.attempts, a.next_attempt_at, a.last_error_code, a.last_error, a.task_id, a.written_at, a.match,
           lower(s.payload->'from'->>'address') AS rep_email
         FROM crm_writer.crm_activity a
         LEFT JOIN crm_writer.crm_activity s ON s.kind = 'email_sent' AND s.sent_email_id = a.sent_email_id
         WHERE a.org_id = $1 AND a.sent_email_id = $2 ORDER BY a.kind = 'reply', a.occurred_at, a.activity_key`,
        [caller.orgId, sentEmailId],
      ),
    )) as Row[];
    const mine = caller.kind === 'api_key' || seesWholeOrganisation(caller) ? rows : rows.filter((r) => r.rep_email !== null && r.rep_email === caller.email?.toLowerCase());
    if (mine.length === 0) throw new NotFoundException({ error: 'not_found', message: 'No Salesforce activity is known for this email.' });
    return {
      sentEmailId,
      activities: mine.map((r) => ({
        activityKey: r.activity_key,
        kind: r.kind,
        state: r.state,
        attempts: r.attempts,
        nextAttemptAt: r.state === 'written' || r.state === 'dead' ? null : r.next_attempt_at.toISOString(),
        lastError: r.last_error_code ? { code: r.last_error_code, message: r.last_error ?? '' } : null,
        taskId: r.task_id,
        writtenAt: r.written_at?.toISOString() ?? null,
        match: r.match,
      })),
    };
  }

  @Get('settings')
  @Members('organization')
  settings(@CurrentCaller() caller: Caller): Promise<CrmSettings> {
    return this.runtime.transaction((m) => readCrmSettings(m, caller.orgId));
  }

  @Patch('settings')
  @Members('organization', 'admin')
  updateSettings(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<CrmSettings> {
    const input = parseRequest(crmSettingsInput, body ?? {});
    return this.runtime.transaction((m) => writeCrmSettings(m, caller.orgId, input, this.clock.now()));
  }

  /** Parked activities are matched again now (a Contact or Lead was just added). */
  @Post('activities/rematch')
  @Members('organization', 'admin')
  @HttpCode(202)
  async rematch(@CurrentCaller() caller: Caller): Promise<{ rematching: number }> {
    const rematching = await this.runtime.transaction((m) => this.store.rematchNow(m, caller.orgId, this.dueNow()));
    return { rematching };
  }

  /** Dead-lettered activities are tried again (after the cause was fixed, e.g. a field's security). */
  @Post('activities/replay')
  @Members('organization', 'admin')
  @HttpCode(202)
  async replay(@CurrentCaller() caller: Caller): Promise<{ replayed: string[] }> {
    const replayed = await this.runtime.transaction((m) => this.store.replayDead(m, { orgId: caller.orgId }, this.dueNow()));
    return { replayed };
  }
}
