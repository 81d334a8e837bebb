import { Injectable } from '@nestjs/common';
import { ServiceRuntime } from '@telltale/runtime';

export interface EngagementTotalsRow {
  sent_email_id: string;
  human_opens: number;
  first_human_open_at: Date | null;
  human_clicks: number;
  machine_hits: number;
  own_hits: number;
}

export interface LinkClicksRow {
  sent_email_id: string;
  link_index: number;
  url: string | null;
  human_clicks: number;
  machine_clicks: number;
}

/** Reads of the append-only engagement rows, per email and organisation; controllers run no SQL themselves. */
@Injectable()
export class EngagementSummaryQueries {
  constructor(private readonly runtime: ServiceRuntime) {}

  /** The counters of each of `sentEmailIds` that has any (one row per email). */
  totals(orgId: string, sentEmailIds: readonly string[]): Promise<EngagementTotalsRow[]> {
    return this.runtime.dataSource.query(
      `SELECT sent_email_id, human_opens::int, first_human_open_at, human_clicks::int, machine_hits::int, own_hits::int
       FROM tracker.email_engagement_summary WHERE org_id = $1 AND sent_email_id = ANY($2::uuid[])`,
      [orgId, sentEmailIds],
    ) as Promise<EngagementTotalsRow[]>;
  }

  clicksPerLink(orgId: string, sentEmailIds: readonly string[]): Promise<LinkClicksRow[]> {
    return this.runtime.dataSource.query(
      `SELECT sent_email_id, link_index, min(url) AS url,
              count(*) FILTER (WHERE label = 'human')::int AS human_clicks,
              count(*) FILTER (WHERE label IN ('privacy_prefetch', 'security_scanner', 'link_preview', 'mail_proxy'))::int AS machine_clicks
       FROM tracker.engagement WHERE org_id = $1 AND sent_email_id = ANY($2::uuid[]) AND type = 'clicked'
       GROUP BY sent_email_id, link_index ORDER BY sent_email_id, link_index`,
      [orgId, sentEmailIds],
    ) as Promise<LinkClicksRow[]>;
  }
}
