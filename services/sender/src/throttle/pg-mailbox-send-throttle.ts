import type { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_SEND_LIMITS, decideSend, type MailProvider, type SendWindow, type ThrottleDecision } from '@telltale/mail';

interface ThrottleRow {
  recent_sends: Date[];
  paused_until: Date | null;
}

/**
 * Per-mailbox send pacing shared by all sender replicas through `sender.mailbox_send_throttle`, so
 * the provider limits hold for the mailbox whatever the replica count, a Retry-After one replica saw
 * holds the others back, and a restart keeps the day's count.
 *
 * Each decision runs in its own short transaction, apart from the caller's (which stays open through
 * the provider call): the mailbox's row is locked with SELECT … FOR UPDATE, `decideSend` (the same
 * decision as the in-memory throttle) runs on what it holds, and a taken slot is written back before
 * the lock is released, so two replicas racing for the last slot are serialised and one is refused.
 * Times come from the caller's clock, never from the database's.
 */
export class PgMailboxSendThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly limits: Record<MailProvider, SendWindow[]> = DEFAULT_SEND_LIMITS,
  ) {}

  /** Takes a slot now, or says how long until one frees up. */
  tryAcquire(mailboxId: string, provider: MailProvider, now: Date): Promise<ThrottleDecision> {
    return this.dataSource.transaction(async (m) => {
      let row = await this.lockRow(m, mailboxId);
      if (!row) {
        // First send from this mailbox: a concurrent first send waits on this insert, then locks the row.
        await m.query(`INSERT INTO sender.mailbox_send_throttle (mailbox_id) VALUES ($1) ON CONFLICT (mailbox_id) DO NOTHING`, [mailboxId]);
        row = await this.lockRow(m, mailboxId);
        if (!row) throw new Error(`mailbox_send_throttle row for ${mailboxId} vanished`);
      }
      const { decision, sends } = decideSend(
        { sends: row.recent_sends.map((d) => d.getTime()), pausedUntil: row.paused_until?.getTime() ?? null },
        this.limits[provider],
        now,
      );
      if (decision.ok) {
        await m.query(`UPDATE sender.mailbox_send_throttle SET recent_sends = $2::timestamptz[] WHERE mailbox_id = $1`, [
          mailboxId,
          sends.map((t) => new Date(t).toISOString()),
        ]);
      }
      return decision;
    });
  }

  /** The provider answered RATE_LIMITED: no send from this mailbox, on any replica, before now + retryAfterMs. */
  async pause(mailboxId: string, now: Date, retryAfterMs: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO sender.mailbox_send_throttle AS t (mailbox_id, paused_until) VALUES ($1, $2)
       ON CONFLICT (mailbox_id) DO UPDATE SET paused_until = GREATEST(t.paused_until, EXCLUDED.paused_until)`,
      [mailboxId, new Date(now.getTime() + retryAfterMs).toISOString()],
    );
  }

  private async lockRow(m: EntityManager, mailboxId: string): Promise<ThrottleRow | undefined> {
    const rows = (await m.query(`SELECT recent_sends, paused_until FROM sender.mailbox_send_throttle WHERE mailbox_id = $1 FOR UPDATE`, [mailboxId])) as ThrottleRow[];
    return rows[0];
  }
}
