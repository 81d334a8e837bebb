import { decideProviderErrorAction, isMailProviderError, MailProviderError, type InboundMessage, type MailboxChangeSource, type ReconnectBackoff, type UnreadableMessage } from '@telltale/mail';

export interface CursorFollowerLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface CursorMailboxFollowerOptions {
  source: MailboxChangeSource;
  loadCursor: () => Promise<string | null>;
  saveCursor: (cursor: string | null) => Promise<void>;
  /** Records one message (deduplicated downstream by provider id); must be durable before it resolves. */
  record: (message: InboundMessage) => Promise<void>;
  /** Records a message that could not be read (durably, once), so the cursor can move past it. */
  recordUnreadable: (message: UnreadableMessage) => Promise<void>;
  /** The grant is gone: the owner moves the mailbox to needs_reconnect. The follower stops itself. */
  onReconnectNeeded: (reason: string) => Promise<void>;
  /** Any other failure worth showing on the connection (a message that can never be read, say). */
  onError?: (error: MailProviderError) => void;
  /** Every failed sync attempt, whatever is decided about it (for the provider-error metric). */
  onFailure?: (error: MailProviderError) => void;
  pollIntervalMs: number;
  backoff: ReconnectBackoff;
  logger: CursorFollowerLogger;
  random?: () => number;
}

/**
 * Follows one mailbox through a MailboxChangeSource: drains pages from the persisted cursor,
 * records every message before saving the cursor (so a restart mid-sync misses nothing and the
 * downstream dedupe absorbs repeats), and lets the shared error policy decide retry, resync or
 * reconnect. Runs are serialized and triggers coalesce, so duplicate or out-of-order push
 * notifications cost at most one extra (empty) history call. Polling is the fallback.
 */
export class CursorMailboxFollower {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private readonly random: () => number;

  constructor(private readonly options: CursorMailboxFollowerOptions) {
    this.random = options.random ?? Math.random;
  }

  /** Runs the first sync; resolves when it finished, failed over to retry, or needed a reconnect. */
  start(): Promise<void> {
    return this.trigger();
  }

  /** Ask for a sync now (push notification, poll tick). Returns when the run that covers this call ends. */
  trigger(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.clearTimer();
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await this.running;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private async loop(): Promise<void> {
    let delayMs = this.options.pollIntervalMs;
    do {
      this.again = false;
      delayMs = await this.runOnce();
    } while (this.again && !this.stopped);
    this.schedule(delayMs);
  }

  /** One drain; returns how long to wait before the next poll. */
  private async runOnce(): Promise<number> {
    let resyncs = 0;
    for (;;) {
      try {
        await this.drain();
        this.failures = 0;
        return this.options.pollIntervalMs;
      } catch (err) {
        const error = isMailProviderError(err) ? err : new MailProviderError(err instanceof Error ? err.message : String(err), { code: 'TEMPORARY', provider: this.options.source.provider, cause: err });
        this.failures += 1;
        this.options.onFailure?.(error);
        const decision = decideProviderErrorAction(error, { operation: 'sync', attempt: this.failures, backoff: this.options.backoff, random: this.random });
        this.options.logger.warn({ code: error.code, provider_status: error.providerStatus, action: decision.action }, 'mailbox sync failed');
        switch (decision.action) {
          case 'resync':
            // A full resync right away, once; a second expiry in the same run waits like any failure.
            await this.options.saveCursor(null);
            resyncs += 1;
            if (resyncs <= 1) continue;
            return this.options.backoff.maxMs;
          case 'reconnect':
            this.stopped = true;
            await this.options.onReconnectNeeded(decision.reason);
            return this.options.pollIntervalMs;
          case 'retry':
            return decision.delayMs;
          case 'dead-letter':
            this.options.onError?.(error);
            return Math.max(this.options.pollIntervalMs, this.options.backoff.maxMs);
        }
      }
    }
  }

  private async drain(): Promise<void> {
    let cursor = await this.options.loadCursor();
    for (let page = 0; !this.stopped; page += 1) {
      const result = await this.options.source.changesSince(cursor);
      for (const message of result.messages) await this.options.record(message);
      for (const message of result.unreadable ?? []) await this.options.recordUnreadable(message);
      await this.options.saveCursor(result.cursor);
      cursor = result.cursor;
      if (!result.hasMore) return;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.clearTimer();
    this.timer = setTimeout(() => void this.trigger(), delayMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
