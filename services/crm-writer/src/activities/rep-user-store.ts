import type { ServiceRuntime } from '@telltale/runtime';
import type { RepUserCache } from './activity-matcher';

/** Reps' Salesforce Users as last looked up (crm_writer.rep_user), so a batch rarely asks again. */
export class RepUserStore implements RepUserCache {
  constructor(private readonly runtime: ServiceRuntime) {}

  async get(orgId: string, emails: string[], freshAfter: Date): Promise<Map<string, string | null>> {
    const rows = (await this.runtime.transaction((m) =>
      m.query(`SELECT email, user_id FROM crm_writer.rep_user WHERE org_id = $1 AND email = ANY($2) AND checked_at > $3`, [orgId, emails, freshAfter]),
    )) as Array<{ email: string; user_id: string | null }>;
    return new Map(rows.map((r) => [r.email, r.user_id]));
  }

  async put(orgId: string, found: Map<string, string | null>): Promise<void> {
    const now = this.runtime.clock.now();
    await this.runtime.transaction(async (m) => {
      for (const [email, userId] of found) {
        await m.query(
          `INSERT INTO crm_writer.rep_user (org_id, email, user_id, checked_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (org_id, email) DO UPDATE SET user_id = $3, checked_at = $4`,
          [orgId, email, userId, now],
        );
      }
    });
  }
}
