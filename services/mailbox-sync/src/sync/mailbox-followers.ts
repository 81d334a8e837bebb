import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DEFAULT_RECONNECT_BACKOFF, ImapMailboxFollower, MailProviderError, type MailServerAddress } from '@telltale/mail';
import { mailProviderErrors, ServiceRuntime } from '@telltale/runtime';
import type { MailboxRow, MailboxState } from '../mailboxes/mailbox-record';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { MailHostPolicy, MailHostRefused } from '../mailboxes/mailbox-host-policy';
import { INBOUND_LIMITS, type InboundLimits } from './inbound-limits';
import { PostgresImapCursorStore } from './postgres-imap-cursor.store';
import { RecordInboundMessageUseCase } from './record-inbound-message.use-case';

/** How often folders other than the inbox are checked for new mail. */
export const FOLDER_POLL_MS = Symbol('FOLDER_POLL_MS');

/** Codes after which the follower gives up (the user has to reconnect): never `degraded`. */
const GIVES_UP = new Set(['AUTH_REVOKED', 'INSUFFICIENT_PERMISSIONS']);

/**
 * Keeps one IMAP follower per connected mailbox: IDLE on the inbox, periodic checks of the other
 * folders (every folder a reply can land in by default), cursor in Postgres. A revoked login moves
 * the mailbox to `needs_reconnect` (and says so through the API and an event) instead of failing
 * silently; a server that cannot be reached makes it `degraded` until a connection catches up
 * again (`connected`), both with an event.
 */
@Injectable()
export class MailboxFollowers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly followers = new Map<string, ImapMailboxFollower>();
  /** Per mailbox, the state changes its follower asked for, applied one after the other in the order asked. */
  private readonly stateChanges = new Map<string, Promise<void>>();

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly mailboxes: MailboxesService,
    private readonly recordMessage: RecordInboundMessageUseCase,
    @Inject(FOLDER_POLL_MS) private readonly folderPollMs: number,
    @Inject(INBOUND_LIMITS) private readonly limits: InboundLimits,
    private readonly hosts: MailHostPolicy,
  ) {
    this.providerErrors = mailProviderErrors(runtime.metrics);
  }

  private readonly providerErrors: ReturnType<typeof mailProviderErrors>;

  async onApplicationBootstrap(): Promise<void> {
    for (const row of await this.mailboxes.followable()) this.follow(row);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.followers.values()].map((f) => f.stop()));
    this.followers.clear();
  }

  /** Stops following (IDLE ended, connection closed); resolves once the follower stopped. */
  async unfollow(mailboxId: string): Promise<void> {
    const follower = this.followers.get(mailboxId);
    if (!follower) return;
    this.followers.delete(mailboxId);
    await follower.stop();
  }

  isFollowing(mailboxId: string): boolean {
    return this.followers.has(mailboxId);
  }

  /**
   * Starts following; resolves when the first catch-up finished (or the mailbox failed). A server
   * whose host is no longer allowed (MailHostPolicy: an address stored before the policy, or a name
   * now resolving to a private address) is not connected to: the mailbox needs reconnecting.
   */
  async follow(row: MailboxRow): Promise<void> {
    if (this.followers.has(row.id) || row.provider !== 'imap' || !row.imap_host || !row.imap_port) return;
    const refused = await this.hosts.resolve(row.imap_host).then(
      () => null,
      // A name that does not resolve now is retried by the follower like a server that is down.
      (err: unknown) => (err instanceof MailHostRefused && err.problem === 'not_allowed' ? err : null),
    );
    if (refused) {
      this.runtime.logger.warn({ mailbox_id: row.id, org_id: row.org_id }, 'imap server not allowed; mailbox needs reconnecting');
      await this.mailboxes.transition(row.id, 'needs_reconnect', `The IMAP server is not allowed: ${refused.message}.`);
      return;
    }
    return this.start(row, row.imap_host, row.imap_port);
  }

  private start(row: MailboxRow, host: string, port: number): Promise<void> {
    const log = this.runtime.logger.child({ component: 'imap-follower', mailbox_id: row.id, org_id: row.org_id });
    const follower = new ImapMailboxFollower({
      host,
      // Every connection goes to an address checked then (DNS rebinding), never to the name.
      connectAddress: (name) => this.connectAddress(name),
      port,
      secure: row.imap_secure ?? true,
      auth: { user: row.username ?? row.email_address, pass: this.mailboxes.password(row) },
      folders: row.folders,
      reconnectBackoff: DEFAULT_RECONNECT_BACKOFF,
      cursorStore: new PostgresImapCursorStore(this.runtime.dataSource, row.id),
      onMessage: async (message) => {
        await this.recordMessage.execute(row, message);
      },
      onUnreadable: async (message) => {
        await this.recordMessage.recordUnreadable(row, message);
      },
      onError: (error: MailProviderError) => {
        this.providerErrors.inc({ provider: error.provider, code: error.code, operation: 'sync' });
        log.warn({ code: error.code }, 'mailbox sync error');
        // Retried with backoff meanwhile. A login the server refuses (the password changed since) stops
        // the follower, also long after its first catch-up: the user has to reconnect the mailbox.
        if (!GIVES_UP.has(error.code)) void this.changeState(row.id, 'degraded', `The IMAP server cannot be reached: ${error.message}`, error.code);
        else {
          if (this.followers.get(row.id) === follower) this.followers.delete(row.id);
          void this.changeState(row.id, 'needs_reconnect', error.message, error.code);
        }
      },
      onFollowing: () => void this.changeState(row.id, 'connected', null, null),
      logger: log,
      pollIntervalMs: this.folderPollMs,
      parseOptions: this.limits,
    });
    if (this.followers.has(row.id)) return Promise.resolve();
    this.followers.set(row.id, follower);
    return follower.start().then(
      () => this.stateChanges.get(row.id),
      async (err: unknown) => {
        this.followers.delete(row.id);
        const reason = err instanceof Error ? err.message : String(err);
        log.warn({ err: reason }, 'mailbox cannot be followed');
        await this.changeState(row.id, 'needs_reconnect', reason, err instanceof MailProviderError ? err.code : null);
      },
    );
  }

  /** Queues a state change behind the mailbox's earlier ones (the follower's callbacks do not wait). */
  private changeState(id: string, to: MailboxState, reason: string | null, code: string | null): Promise<void> {
    const previous = this.stateChanges.get(id) ?? Promise.resolve();
    const next = previous
      .then(() => this.mailboxes.transition(id, to, reason, code))
      .catch((err: unknown) => this.runtime.logger.error({ mailbox_id: id, err }, `mailbox state change to ${to} failed`));
    this.stateChanges.set(id, next);
    void next.finally(() => {
      if (this.stateChanges.get(id) === next) this.stateChanges.delete(id);
    });
    return next;
  }

  private async connectAddress(host: string): Promise<MailServerAddress> {
    try {
      return await this.hosts.resolve(host);
    } catch (err) {
      if (err instanceof MailHostRefused) throw new MailProviderError(err.message, { code: err.problem === 'not_allowed' ? 'PERMANENT' : 'TEMPORARY', provider: 'imap', providerStatus: err.problem });
      throw err;
    }
  }
}
