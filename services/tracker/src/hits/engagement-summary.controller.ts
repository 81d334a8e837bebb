import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { CurrentCaller, Members, type Caller } from '@telltale/runtime';
import { EngagementSummaryQueries } from './engagement-summary.queries';

export interface EngagementSummary {
  sentEmailId: string;
  humanOpens: number;
  firstHumanOpenAt: string | null;
  humanClicks: number;
  clicksPerLink: { linkIndex: number; url: string | null; humanClicks: number; machineClicks: number }[];
  machineHits: number;
  ownHits: number;
}

/** Per-email counters, derived at read time from the append-only engagement rows. */
@Controller('v1/emails')
@Members('engagement')
export class EngagementSummaryController {
  constructor(private readonly queries: EngagementSummaryQueries) {}

  @Get(':sentEmailId/engagement')
  async summary(@CurrentCaller() caller: Caller, @Param('sentEmailId', new ParseUUIDPipe()) id: string): Promise<EngagementSummary> {
    const orgId = caller.orgId;
    const sentEmailId = id.toLowerCase();
    const totals = await this.queries.totals(orgId, sentEmailId);
    const links = await this.queries.clicksPerLink(orgId, sentEmailId);
    return {
      sentEmailId,
      humanOpens: totals?.human_opens ?? 0,
      firstHumanOpenAt: totals?.first_human_open_at ? totals.first_human_open_at.toISOString() : null,
      humanClicks: totals?.human_clicks ?? 0,
      clicksPerLink: links.map((l) => ({ linkIndex: l.link_index, url: l.url, humanClicks: l.human_clicks, machineClicks: l.machine_clicks })),
      machineHits: totals?.machine_hits ?? 0,
      ownHits: totals?.own_hits ?? 0,
    };
  }
}
