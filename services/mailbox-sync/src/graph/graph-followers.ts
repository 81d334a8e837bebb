import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createGraphClient, GraphChangeSource, mapGraphError } from '@telltale/mail';
import { ServiceRuntime } from '@telltale/runtime';
import type { MailboxRow } from '../mailboxes/mailbox-record';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { OAuthAccessTokens } from '../oauth/oauth-access-tokens';
import { CursorMailboxFollower } from '../sync/cursor-mailbox-follower';
import { INBOUND_LIMITS, type InboundLimits } from '../sync/inbound-limits';
import { ProviderFollowerFactory } from '../sync/provider-follower.factory';
import { GRAPH_SETTINGS, type GraphSettings } from './graph-settings';

/** Subscriptions on messages may last at most 10 070 minutes; we ask for 3 days and renew every 12 h. */
const SUBSCRIPTION_LIFETIME_MS = 3 * 86_400_000;
const RENEW_EVERY_MS = 12 * 3_600_000;

/**
 * One follower per connected Microsoft 365 mailbox: delta per folder from the stored cursor,
 * woken by change notifications (a `me/messages` subscription covers every folder) and by polling
 * as the fallback. A revoked grant moves the mailbox to needs_reconnect.
 */
@Injectable()
export class GraphFollowers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly followers = new Map<string, { row: MailboxRow; follower: CursorMailboxFollower; renewTimer: NodeJS.Timeout | undefined }>();

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly mailboxes: MailboxesService,
    private readonly followerFactory: ProviderFollowerFactory,
    private readonly tokens: OAuthAccessTokens,
    @Inject(GRAPH_SETTINGS) private readonly settings: GraphSettings,
    @Inject(INBOUND_LIMITS) private readonly limits: InboundLimits,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const row of await this.mailboxes.followableByProvider('graph')) void this.follow(row);
  }

  async onApplicationShutdown(): Promise<void> {
    const all = [...this.followers.values()];
    this.followers.clear();
    for (const entry of all) if (entry.renewTimer) clearInterval(entry.renewTimer);
    await Promise.all(all.map((entry) => entry.follower.stop()));
  }

  client(row: Pick<MailboxRow, 'id' | 'provider'>) {
    return createGraphClient({ tokens: this.tokens.forMailbox(row), origin: this.settings.origin, ...(this.settings.caPem ? { ca: this.settings.caPem } : {}) });
  }

  async follow(row: MailboxRow): Promise<void> {
    if (row.provider !== 'graph' || this.followers.has(row.id)) return;
    const { follower, log } = this.followerFactory.create({
      row,
      provider: 'graph',
      source: new GraphChangeSource({ client: this.client(row), origin: this.settings.origin, limits: this.limits, now: () => this.runtime.clock.now() }),
      pollIntervalMs: this.settings.pollMs,
      unfollow: () => void this.unfollow(row.id),
    });
    const entry = { row, follower, renewTimer: undefined as NodeJS.Timeout | undefined };
    this.followers.set(row.id, entry);
    await follower.start();
    if (follower.isStopped) return;
    await this.subscribe(row, log);
    if (this.settings.notificationUrl) {
      entry.renewTimer = setInterval(() => void this.subscribe(row, log), RENEW_EVERY_MS);
      entry.renewTimer.unref();
    }
    await this.mailboxes.transition(row.id, 'connected', null);
  }

  trigger(mailboxId: string): Promise<void> {
    return this.followers.get(mailboxId)?.follower.trigger() ?? Promise.resolve();
  }

  /** A lifecycle notification asked for it: renew the subscription now, or recreate it when Graph removed it. */
  async resubscribe(mailboxId: string): Promise<void> {
    const entry = this.followers.get(mailboxId);
    if (!entry) return;
    await this.subscribe(entry.row, this.runtime.logger.child({ component: 'graph-follower', mailbox_id: mailboxId }));
  }

  /** Stops following (delta, polling, subscription renewal); resolves once a sync in flight has ended. */
  async unfollow(mailboxId: string): Promise<void> {
    const entry = this.followers.get(mailboxId);
    if (!entry) return;
    if (entry.renewTimer) clearInterval(entry.renewTimer);
    this.followers.delete(mailboxId);
    await entry.follower.stop();
  }

  /** DELETE /subscriptions/{id} (204): Graph stops sending change notifications for it. */
  async deleteSubscription(subscriptionId: string, accessToken: string): Promise<void> {
    const client = createGraphClient({ tokens: { accessToken: async () => accessToken }, origin: this.settings.origin, ...(this.settings.caPem ? { ca: this.settings.caPem } : {}) });
    await client.api(`/subscriptions/${encodeURIComponent(subscriptionId)}`).delete();
  }

  /** Creates the subscription, or renews it before expiry (PATCH expirationDateTime); recreates one that is gone. */
  private async subscribe(row: MailboxRow, log: { warn(fields: Record<string, unknown>, message: string): void }): Promise<void> {
    const notificationUrl = this.settings.notificationUrl;
    if (!notificationUrl) return;
    const client = this.client(row);
    const expirationDateTime = new Date(this.runtime.clock.now().getTime() + SUBSCRIPTION_LIFETIME_MS).toISOString();
    const [current] = (await this.runtime.dataSource.query(`SELECT push_subscription_id FROM mailbox_sync.mailbox WHERE id = $1`, [row.id])) as { push_subscription_id: string | null }[];
    try {
      if (current?.push_subscription_id) {
        try {
          await client.api(`/subscriptions/${current.push_subscription_id}`).patch({ expirationDateTime });
          await this.runtime.dataSource.query(`UPDATE mailbox_sync.mailbox SET push_expires_at = $2 WHERE id = $1`, [row.id, expirationDateTime]);
          return;
        } catch (err) {
          if (!mapGraphError(err).providerStatus?.startsWith('404')) throw err;
        }
      }
      const clientState = randomBytes(24).toString('base64url');
      const created = (await client.api('/subscriptions').post({ changeType: 'created', notificationUrl, lifecycleNotificationUrl: notificationUrl, resource: 'me/messages', expirationDateTime, clientState })) as { id?: string };
      if (!created.id) throw new Error('subscription answer without id');
      // Not on a mailbox disconnected meanwhile: its notifications then match no row and are ignored.
      await this.runtime.dataSource.query(`UPDATE mailbox_sync.mailbox SET push_subscription_id = $2, push_client_state = $3, push_expires_at = $4 WHERE id = $1 AND state <> 'disconnected'`, [row.id, created.id, clientState, expirationDateTime]);
    } catch (err) {
      log.warn({ code: mapGraphError(err).code }, 'graph subscription failed; polling only');
    }
  }
}
