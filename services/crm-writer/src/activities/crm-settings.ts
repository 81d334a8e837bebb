import type { EntityManager } from 'typeorm';
import { z } from 'zod';

/** Per-organisation choices for what crm-writer writes (docs/crm-writer.md, "Settings"). */
export interface CrmSettings {
  /** No Contact or Lead: `park` (wait, re-match) or `create_lead`. */
  unmatchedPolicy: 'park' | 'create_lead';
  /** WhatId: the Account's most recently modified open Opportunity instead of the Account. */
  linkOpenOpportunity: boolean;
  /** Our share of the organisation's daily API allocation (0 < share ≤ 1). */
  apiShare: number;
}

export const DEFAULT_CRM_SETTINGS: CrmSettings = { unmatchedPolicy: 'park', linkOpenOpportunity: false, apiShare: 0.5 };

export const crmSettingsInput = z
  .object({
    unmatchedPolicy: z.enum(['park', 'create_lead']),
    linkOpenOpportunity: z.boolean(),
    apiShare: z.number().gt(0).max(1),
  })
  .partial()
  .strict();
export type CrmSettingsInput = z.infer<typeof crmSettingsInput>;

interface SettingsRow {
  unmatched_policy: 'park' | 'create_lead';
  link_open_opportunity: boolean;
  api_share: string;
}

export async function readCrmSettings(m: EntityManager, orgId: string): Promise<CrmSettings> {
  const [row] = (await m.query(`SELECT unmatched_policy, link_open_opportunity, api_share FROM crm_writer.crm_settings WHERE org_id = $1`, [orgId])) as SettingsRow[];
  if (!row) return DEFAULT_CRM_SETTINGS;
  return { unmatchedPolicy: row.unmatched_policy, linkOpenOpportunity: row.link_open_opportunity, apiShare: Number(row.api_share) };
}

export async function writeCrmSettings(m: EntityManager, orgId: string, input: CrmSettingsInput, now: Date): Promise<CrmSettings> {
  const next = { ...(await readCrmSettings(m, orgId)), ...input };
  await m.query(
    `INSERT INTO crm_writer.crm_settings (org_id, unmatched_policy, link_open_opportunity, api_share, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (org_id) DO UPDATE SET unmatched_policy = $2, link_open_opportunity = $3, api_share = $4, updated_at = $5`,
    [orgId, next.unmatchedPolicy, next.linkOpenOpportunity, next.apiShare, now],
  );
  return next;
}
