import { Injectable } from '@nestjs/common';
import { ServiceRuntime } from '@telltale/runtime';

export interface EngagementTotalsRow {
  human_opens: number;
  first_human_open_at: Date | null;
  human_clicks: number;
  machine_hits: number;
  own_hits: number;
}

export interface LinkClicksRow {
  link_index: number;
  url: string | null;
  human_clicks: number;
  machine_clicks: number;
}

/** Reads of the append-only engagement rows, per email and organisation; controllers run no SQL themselves. */
@Injectable()
export class EngagementSummaryQueries {
  constructor(private readonly runtime: ServiceRuntime) {}

  async totals(orgId: string, sentEmailId: string): Promise<EngagementTotalsRow | null> {
    const [row] = (await this.runtime.dataSource.query(
      `SELECT human_opens::int, first_human_open_at, human_clicks::int, machine_hits::int, own_hits::int
       FROM tracker.email_engagement_summary WHERE org_id = $1 AND sent_email_id = $2`,
      [orgId, sentEmailId],
    )) as EngagementTotalsRow[];
    return row ?? null;
  }

  clicksPerLink(orgId: string, sentEmailId: string): Promise<LinkClicksRow[]> {
    return this.runtime.dataSource.query(
      `SELECT link_index, min(url) AS url,
              count(*) FILTER (WHERE label = 'human')::int AS human_clicks,
              count(*) FILTER (WHERE label IN ('privacy_prefetch', 'security_scanner', 'link_preview', 'mail_proxy'))::int AS machine_clicks
       FROM tracker.engagement WHERE org_id = $1 AND sent_email_id = $2 AND type = 'clicked'
       GROUP BY link_index ORDER BY link_index`,
      [orgId, sentEmailId],
    ) as Promise<LinkClicksRow[]>;
  }
}
