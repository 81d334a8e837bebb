import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { z } from 'zod';
import { UUID_PATTERN } from '@telltale/contracts';
import { CurrentCaller, Members, parseRequest, type Caller } from '@telltale/runtime';
import { EngagementSummaryQueries, type EngagementTotalsRow, type LinkClicksRow } from './engagement-summary.queries';

export interface EngagementSummary {
  sentEmailId: string;
  humanOpens: number;
  firstHumanOpenAt: string | null;
  humanClicks: number;
  clicksPerLink: { linkIndex: number; url: string | null; humanClicks: number; machineClicks: number }[];
  machineHits: number;
  ownHits: number;
}

export const MAX_ENGAGEMENT_IDS = 100;

/** `?ids=<id>,<id>,…`: 1 to 100 sent email ids (repeats count once). */
export const ManyEngagementQuery = z
  .object({
    ids: z
      .string()
      .max(MAX_ENGAGEMENT_IDS * 37)
      .transform((text) => [...new Set(text.split(',').map((id) => id.trim().toLowerCase()))])
      .pipe(z.array(z.string().regex(UUID_PATTERN, 'must be comma-separated sent email ids')).min(1).max(MAX_ENGAGEMENT_IDS, `at most ${MAX_ENGAGEMENT_IDS} ids`)),
  })
  .strict();

/** Per-email counters, derived at read time from the append-only engagement rows. */
@Controller('v1/emails')
@Members('engagement')
export class EngagementSummaryController {
  constructor(private readonly queries: EngagementSummaryQueries) {}

  /** The summary of many emails at once, for list views: `{ items }` in the order asked, zeros for an email with no engagement (or another organisation's). */
  @Get('engagement')
  async many(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<{ items: EngagementSummary[] }> {
    const { ids } = parseRequest(ManyEngagementQuery, query);
    return { items: await this.summaries(caller.orgId, ids) };
  }

  @Get(':sentEmailId/engagement')
  async summary(@CurrentCaller() caller: Caller, @Param('sentEmailId', new ParseUUIDPipe()) id: string): Promise<EngagementSummary> {
    const [summary] = await this.summaries(caller.orgId, [id.toLowerCase()]);
    return summary!;
  }

  private async summaries(orgId: string, ids: readonly string[]): Promise<EngagementSummary[]> {
    const totals = new Map<string, EngagementTotalsRow>((await this.queries.totals(orgId, ids)).map((t) => [t.sent_email_id, t]));
    const links = new Map<string, LinkClicksRow[]>();
    for (const l of await this.queries.clicksPerLink(orgId, ids)) links.set(l.sent_email_id, [...(links.get(l.sent_email_id) ?? []), l]);
    return ids.map((sentEmailId) => {
      const t = totals.get(sentEmailId);
      return {
        sentEmailId,
        humanOpens: t?.human_opens ?? 0,
        firstHumanOpenAt: t?.first_human_open_at ? t.first_human_open_at.toISOString() : null,
        humanClicks: t?.human_clicks ?? 0,
        clicksPerLink: (links.get(sentEmailId) ?? []).map((l) => ({ linkIndex: l.link_index, url: l.url, humanClicks: l.human_clicks, machineClicks: l.machine_clicks })),
        machineHits: t?.machine_hits ?? 0,
        ownHits: t?.own_hits ?? 0,
      };
    });
  }
}
