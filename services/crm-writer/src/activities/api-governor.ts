import type { EntityManager } from 'typeorm';
import type { ApiUsage } from '../salesforce/salesforce-activity.gateway';

/**
 * Keeps crm-writer's Salesforce API use under its share of the organisation's daily allocation
 * (rolling 24 hours, "API Request Limits and Allocations"), and out of the way once the org is
 * close to the wall:
 *  - our own calls are counted per hour in `api_calls`; a batch starts only while our last 24 hours
 *    plus the batch stay under `apiShare × limit`;
 *  - the org's whole usage is what the last response's `Sforce-Limit-Info` said; a batch starts
 *    only while it leaves `reserveShare` of the allocation to everyone else;
 *  - REQUEST_LIMIT_EXCEEDED pauses the organisation for the mapped retry time.
 * A refused batch waits (`retryAt`): it is not an error and nothing is dead-lettered.
 */

export interface GovernorSettings {
  /** How long to wait before trying again once over budget (the window frees up hour by hour). */
  backoffMs: number;
  /** Calls a batch may make at most (Contact, Lead, Opportunity and User queries, Lead create, two upserts). */
  callsPerBatch: number;
  /** Share of the allocation left to the organisation's other integrations, never used by us. */
  reserveShare: number;
}

export const DEFAULT_GOVERNOR_SETTINGS: GovernorSettings = { backoffMs: 15 * 60 * 1000, callsPerBatch: 8, reserveShare: 0.02 };

export type GovernorAnswer = { allowed: true } | { allowed: false; retryAt: Date; reason: string };

const HOUR_MS = 60 * 60 * 1000;

const hourOf = (at: Date) => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);

export class ApiGovernor {
  constructor(private readonly settings: GovernorSettings = DEFAULT_GOVERNOR_SETTINGS) {}

  async check(m: EntityManager, orgId: string, share: number, now: Date): Promise<GovernorAnswer> {
    const [budget] = (await m.query(`SELECT org_used, org_limit, observed_at, paused_until, pause_reason FROM crm_writer.api_budget WHERE org_id = $1`, [orgId])) as Array<{
      observed_at: Date | null;
      org_used: number | null;
      org_limit: number | null;
      paused_until: Date | null;
      pause_reason: string | null;
    }>;
    if (budget?.paused_until && budget.paused_until > now) {
      return { allowed: false, retryAt: budget.paused_until, reason: budget.pause_reason ?? 'paused' };
    }
    if (!budget || budget.org_limit === null || budget.org_used === null) return { allowed: true };
    const ours = await this.ourCalls(m, orgId, now);
    const planned = this.settings.callsPerBatch;
    const ourCap = Math.floor(share * budget.org_limit);
    if (ours + planned > ourCap) {
      return this.pause(m, orgId, now, `our share of the daily API allocation is spent (${ours} of ${ourCap} calls in 24 hours)`);
    }
    // An old observation is not trusted: the window has moved since; one batch finds out (its
    // responses carry the new usage).
    const fresh = budget.observed_at !== null && budget.observed_at.getTime() > now.getTime() - this.settings.backoffMs;
    const reserve = Math.ceil(budget.org_limit * this.settings.reserveShare);
    if (fresh && budget.org_used + planned + reserve > budget.org_limit) {
      return this.pause(m, orgId, now, `the organisation is near its daily API allocation (${budget.org_used} of ${budget.org_limit})`);
    }
    return { allowed: true };
  }

  /** After every call: count it, remember what Salesforce said of the org's usage. */
  async record(m: EntityManager, orgId: string, usage: ApiUsage | null, now: Date): Promise<void> {
    await m.query(
      `INSERT INTO crm_writer.api_calls (org_id, hour, calls) VALUES ($1, $2, 1) ON CONFLICT (org_id, hour) DO UPDATE SET calls = api_calls.calls + 1`,
      [orgId, hourOf(now)],
    );
    if (usage) {
      await m.query(
        `INSERT INTO crm_writer.api_budget (org_id, org_used, org_limit, observed_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id) DO UPDATE SET org_used = $2, org_limit = $3, observed_at = $4`,
        [orgId, usage.used, usage.limit, now],
      );
    }
  }

  /** Salesforce refused a call for the limit: no call for this organisation before `retryAt`. */
  async rateLimited(m: EntityManager, orgId: string, retryAt: Date, reason: string): Promise<void> {
    await m.query(
      `INSERT INTO crm_writer.api_budget (org_id, paused_until, pause_reason) VALUES ($1, $2, $3)
       ON CONFLICT (org_id) DO UPDATE SET paused_until = $2, pause_reason = $3`,
      [orgId, retryAt, reason],
    );
  }

  async ourCalls(m: EntityManager, orgId: string, now: Date): Promise<number> {
    const [row] = (await m.query(`SELECT COALESCE(SUM(calls), 0)::int AS calls FROM crm_writer.api_calls WHERE org_id = $1 AND hour > $2`, [
      orgId,
      new Date(hourOf(now).getTime() - 24 * HOUR_MS),
    ])) as Array<{ calls: number }>;
    return row?.calls ?? 0;
  }

  private async pause(m: EntityManager, orgId: string, now: Date, reason: string): Promise<GovernorAnswer> {
    const retryAt = new Date(now.getTime() + this.settings.backoffMs);
    await this.rateLimited(m, orgId, retryAt, reason);
    return { allowed: false, retryAt, reason };
  }
}
