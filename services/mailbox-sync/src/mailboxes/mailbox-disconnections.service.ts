import { Inject, Injectable } from '@nestjs/common';
import { isMailProviderError, mapGmailError, mapGraphError } from '@telltale/mail';
import { ServiceRuntime } from '@telltale/runtime';
import { GmailFollowers } from '../gmail/gmail-followers';
import { GOOGLE_OAUTH, type GoogleOAuthProvider } from '../gmail/gmail-settings';
import { GraphFollowers } from '../graph/graph-followers';
import { OAuthAccessTokens } from '../oauth/oauth-access-tokens';
import { MailboxFollowers } from '../sync/mailbox-followers';
import type { MailboxView } from './mailbox-record';
import { MailboxesService } from './mailboxes.service';

/** Each clean-up call at the provider gets this long; the disconnect itself is already done. */
const PROVIDER_CALL_TIMEOUT_MS = 10_000;

/**
 * A user disconnects a mailbox. The row is the truth and changes first, in one transaction with its
 * event: state `disconnected`, credentials wiped. Then the follower stops (IMAP IDLE closed, Gmail /
 * Graph polling and push renewal ended) and, best-effort, the provider is told: Gmail users.stop,
 * Graph subscription deleted, Google refresh token revoked. Microsoft has no revocation endpoint for a
 * delegated refresh token, so it is simply forgotten. A provider failure is logged (code only, never a
 * token) and never fails the disconnect; pushes that still arrive match no follower and are ignored.
 */
@Injectable()
export class MailboxDisconnections {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly mailboxes: MailboxesService,
    private readonly tokens: OAuthAccessTokens,
    private readonly imapFollowers: MailboxFollowers,
    private readonly gmailFollowers: GmailFollowers,
    private readonly graphFollowers: GraphFollowers,
    @Inject(GOOGLE_OAUTH) private readonly google: GoogleOAuthProvider,
  ) {}

  /** Idempotent: an already disconnected mailbox is answered as it is, with no side effect. */
  async disconnect(orgId: string, id: string): Promise<MailboxView> {
    const before = await this.mailboxes.getRow(orgId, id);
    if (before.state === 'disconnected') return this.mailboxes.view(before);
    // The push must be cancelled with a valid access token, so one is taken while the grant is still stored
    // (usually the follower's cached one).
    const accessToken = before.provider === 'imap' ? null : await this.bestEffort(before.id, before.provider, 'access token', () => this.tokens.current(before).then((t) => t.accessToken));
    const { row, released } = await this.mailboxes.disconnect(orgId, id);
    if (!released) return this.mailboxes.view(row);
    this.tokens.forget(row.id);
    if (row.provider === 'imap') await this.imapFollowers.unfollow(row.id);
    if (row.provider === 'gmail') {
      await this.gmailFollowers.unfollow(row.id);
      if (accessToken) await this.bestEffort(row.id, 'gmail', 'users.stop', () => this.gmailFollowers.stopPush(accessToken));
      const google = this.google;
      if (released.secret && google) await this.bestEffort(row.id, 'gmail', 'token revocation', () => google.revoke(released.secret!, { timeoutMs: PROVIDER_CALL_TIMEOUT_MS }));
    }
    if (row.provider === 'graph') {
      await this.graphFollowers.unfollow(row.id);
      const subscriptionId = released.pushSubscriptionId;
      if (subscriptionId && accessToken) await this.bestEffort(row.id, 'graph', 'subscription delete', () => this.graphFollowers.deleteSubscription(subscriptionId, accessToken));
    }
    this.tokens.forget(row.id);
    this.runtime.logger.info({ mailbox_id: row.id, org_id: row.org_id, provider: row.provider }, 'mailbox disconnected');
    return this.mailboxes.view(row);
  }

  /** Runs one provider call with a deadline; a failure is logged with its code and swallowed. */
  private async bestEffort<T>(mailboxId: string, provider: string, step: string, call: () => Promise<T>): Promise<T | null> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${step} timed out`)), PROVIDER_CALL_TIMEOUT_MS);
    });
    try {
      return await Promise.race([call(), deadline]);
    } catch (err) {
      const code = isMailProviderError(err) ? err.code : provider === 'gmail' ? mapGmailError(err).code : provider === 'graph' ? mapGraphError(err).code : 'UNKNOWN';
      const status = isMailProviderError(err) ? err.providerStatus : undefined;
      this.runtime.logger.warn({ mailbox_id: mailboxId, provider, step, code, provider_status: status }, 'mailbox disconnect: provider clean-up failed; the mailbox is disconnected all the same');
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
