import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { gmail as gmailApi, type gmail_v1 } from '@googleapis/gmail';
import { GmailChangeSource, mapGmailError } from '@telltale/mail';
import { ServiceRuntime } from '@telltale/runtime';
import type { MailboxRow } from '../mailboxes/mailbox-record';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { CursorMailboxFollower } from '../sync/cursor-mailbox-follower';
import { INBOUND_LIMITS, type InboundLimits } from '../sync/inbound-limits';
import { ProviderFollowerFactory } from '../sync/provider-follower.factory';
import { OAuthAccessTokens } from '../oauth/oauth-access-tokens';
import { GMAIL_SETTINGS, type GmailSettings } from './gmail-settings';

/** Gmail asks for users.watch to be renewed at least every 7 days; once a day is its recommendation. */
const WATCH_RENEW_MS = 24 * 3_600_000;

/**
 * One follower per connected Gmail mailbox: history.list from the stored historyId, triggered by
 * Pub/Sub pushes (users.watch) and by polling as the fallback. A revoked grant moves the mailbox to
 * needs_reconnect (event + API), which also stops its sends.
 */
@Injectable()
export class GmailFollowers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly followers = new Map<string, { follower: CursorMailboxFollower; watchTimer: NodeJS.Timeout | undefined }>();
  readonly gmail: gmail_v1.Gmail;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly mailboxes: MailboxesService,
    private readonly followerFactory: ProviderFollowerFactory,
    private readonly tokens: OAuthAccessTokens,
    @Inject(GMAIL_SETTINGS) private readonly settings: GmailSettings,
    @Inject(INBOUND_LIMITS) private readonly limits: InboundLimits,
  ) {
    this.gmail = gmailApi({ version: 'v1', rootUrl: settings.apiRootUrl });
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const row of await this.mailboxes.followableByProvider('gmail')) void this.follow(row);
  }

  async onApplicationShutdown(): Promise<void> {
    const all = [...this.followers.values()];
    this.followers.clear();
    for (const entry of all) if (entry.watchTimer) clearInterval(entry.watchTimer);
    await Promise.all(all.map((entry) => entry.follower.stop()));
  }

  /** Starts following; resolves after the first sync (or the failure that stopped it). */
  async follow(row: MailboxRow): Promise<void> {
    if (row.provider !== 'gmail' || this.followers.has(row.id)) return;
    const tokens = this.tokens.forMailbox(row);
    const { follower, log } = this.followerFactory.create({
      row,
      provider: 'gmail',
      source: new GmailChangeSource({ gmail: this.gmail, tokens, limits: this.limits, now: () => this.runtime.clock.now() }),
      pollIntervalMs: this.settings.pollMs,
      unfollow: () => void this.unfollow(row.id),
    });
    const entry = { follower, watchTimer: undefined as NodeJS.Timeout | undefined };
    this.followers.set(row.id, entry);
    await this.watch(row, log);
    if (this.settings.pubsubTopic) {
      entry.watchTimer = setInterval(() => void this.watch(row, log), WATCH_RENEW_MS);
      entry.watchTimer.unref();
    }
    await follower.start();
    if (!follower.isStopped) await this.mailboxes.transition(row.id, 'connected', null);
  }

  /** A push (or anything else) says there may be news: sync now. Unknown mailboxes are ignored. */
  trigger(mailboxId: string): Promise<void> {
    return this.followers.get(mailboxId)?.follower.trigger() ?? Promise.resolve();
  }

  isFollowing(mailboxId: string): boolean {
    return this.followers.has(mailboxId);
  }

  /** Stops following (sync, polling, watch renewal); resolves once a sync in flight has ended. */
  async unfollow(mailboxId: string): Promise<void> {
    const entry = this.followers.get(mailboxId);
    if (!entry) return;
    if (entry.watchTimer) clearInterval(entry.watchTimer);
    this.followers.delete(mailboxId);
    await entry.follower.stop();
  }

  /** users.stop: Gmail stops publishing this mailbox's changes to Pub/Sub (204, empty body). */
  async stopPush(accessToken: string): Promise<void> {
    await this.gmail.users.stop({ userId: 'me' }, { headers: { Authorization: `Bearer ${accessToken}` }, retry: false, timeout: 10_000 });
  }

  /** users.watch on every label, so replies filed out of the inbox by filters push too. */
  private async watch(row: MailboxRow, log: { warn(fields: Record<string, unknown>, message: string): void }): Promise<void> {
    const topicName = this.settings.pubsubTopic;
    if (!topicName) return;
    try {
      const token = await this.tokens.forMailbox(row).accessToken();
      const res = await this.gmail.users.watch({ userId: 'me', requestBody: { topicName } }, { headers: { Authorization: `Bearer ${token}` }, retry: false });
      const expires = res.data.expiration ? new Date(Number(res.data.expiration)) : null;
      await this.runtime.dataSource.query(`UPDATE mailbox_sync.mailbox SET push_expires_at = $2 WHERE id = $1`, [row.id, expires]);
    } catch (err) {
      // Polling still covers the mailbox; the sync loop will surface a revoked grant.
      log.warn({ code: mapGmailError(err).code }, 'gmail watch failed; polling only');
    }
  }
}
