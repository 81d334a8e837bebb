import { Injectable } from '@nestjs/common';
import { DEFAULT_RECONNECT_BACKOFF, type MailboxChangeSource } from '@telltale/mail';
import { mailProviderErrors, ServiceRuntime } from '@telltale/runtime';
import type { Logger } from '@telltale/telemetry';
import type { MailboxRow } from '../mailboxes/mailbox-record';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { OAuthAccessTokens } from '../oauth/oauth-access-tokens';
import { CursorMailboxFollower } from './cursor-mailbox-follower';
import { RecordInboundMessageUseCase } from './record-inbound-message.use-case';

/**
 * The wiring every OAuth mailbox follower shares, whatever its provider: cursor on the connection row,
 * one event per new message, and a revoked grant → forget the token, stop following, needs_reconnect.
 */
@Injectable()
export class ProviderFollowerFactory {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly mailboxes: MailboxesService,
    private readonly recordMessage: RecordInboundMessageUseCase,
    private readonly tokens: OAuthAccessTokens,
  ) {
    this.providerErrors = mailProviderErrors(runtime.metrics);
  }

  private readonly providerErrors: ReturnType<typeof mailProviderErrors>;

  create(options: { row: MailboxRow; provider: 'gmail' | 'graph'; source: MailboxChangeSource; pollIntervalMs: number; unfollow: () => void }): {
    follower: CursorMailboxFollower;
    log: Logger;
  } {
    const { row, provider } = options;
    const log = this.runtime.logger.child({ component: `${provider}-follower`, mailbox_id: row.id, org_id: row.org_id });
    const follower = new CursorMailboxFollower({
      source: options.source,
      loadCursor: () => this.mailboxes.loadCursor(row.id),
      saveCursor: (cursor) => this.mailboxes.saveCursor(row.id, cursor),
      record: async (message) => {
        await this.recordMessage.execute(row, message);
      },
      recordUnreadable: async (message) => {
        await this.recordMessage.recordUnreadable(row, message);
      },
      onReconnectNeeded: async (reason) => {
        options.unfollow();
        this.tokens.forget(row.id);
        await this.mailboxes.transition(row.id, 'needs_reconnect', reason);
      },
      onError: (error) => log.warn({ code: error.code, provider_status: error.providerStatus }, `${provider} message skipped`),
      onFailure: (error) => this.providerErrors.inc({ provider: error.provider, code: error.code, operation: 'sync' }),
      pollIntervalMs: options.pollIntervalMs,
      backoff: DEFAULT_RECONNECT_BACKOFF,
      logger: log,
    });
    return { follower, log };
  }
}
