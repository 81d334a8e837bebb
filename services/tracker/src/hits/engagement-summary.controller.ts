import { Controller, Get, Headers, Param, ParseUUIDPipe } from '@nestjs/common';
import { ServiceRuntime, requireOrgId } from '@telltale/runtime';

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
export class EngagementSummaryController {
  constructor(private readonly runtime: ServiceRuntime) {}

  @Get(':sentEmailId/engagement')
  async summary(@Headers('x-org-id') org: string | undefined, @Param('sentEmailId', new ParseUUIDPipe()) id: string): Promise<EngagementSummary> {
    const orgId = requireOrgId(org);
    const sentEmailId = id.toLowerCase();
    const [totals] = (await this.runtime.dataSource.query(
      `SELECT human_opens::int, first_human_open_at, human_clicks::int, machine_hits::int, own_hits::int
       FROM tracker.email_engagement_summary WHERE org_id = $1 AND sent_email_id = $2`,
      [orgId, sentEmailId],
    )) as { human_opens: number; first_human_open_at: Date | null; human_clicks: number; machine_hits: number; own_hits: number }[];
    const links = (await this.runtime.dataSource.query(
      `SELECT link_index, min(url) AS url,
              count(*) FILTER (WHERE label = 'human')::int AS human_clicks,
              count(*) FILTER (WHERE label IN ('privacy_prefetch', 'security_scanner', 'link_preview', 'mail_proxy'))::int AS machine_clicks
       FROM tracker.engagement WHERE org_id = $1 AND sent_email_id = $2 AND type = 'clicked'
       GROUP BY link_index ORDER BY link_index`,
      [orgId, sentEmailId],
    )) as { link_index: number; url: string | null; human_clicks: number; machine_clicks: number }[];
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
