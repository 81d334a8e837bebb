import type { ConnectionOptions } from 'node:tls';

import { ImapFlow, type ExistsEvent, type FetchMessageObject } from 'imapflow';

import type { ImapCursorStore } from './imap-cursor';
import { mapImapError } from './imap-error-mapper';
import { replyFolders } from './imap-folder-selection';
import { folderHasNewMail, planFolderSync, uidPages, UidPageProgress, type FolderState } from './imap-sync-plan';
import type { InboundMessage, UnreadableMessage } from './inbound-message';
import { DEFAULT_MAX_RAW_BYTES, readInboundMessage, type ParseInboundOptions } from './inbound-message-parser';
import { MailProviderError } from './mail-provider-error';
import { silentMailLogger, type MailLogger } from './mail-logger';
import { DEFAULT_RECONNECT_BACKOFF, reconnectDelayMs, type ReconnectBackoff } from './reconnect-backoff';

/** Where a connection to a mail server goes: an address, with the server's name for TLS (SNI and the certificate check). */
export interface MailServerAddress {
  host: string;
  servername?: string;
}

export interface ImapMailboxFollowerOptions {
  host: string;
  port: number;
  secure: boolean;
  /**
   * Asked before every connection for where to connect for `host` (the caller resolves the name and
   * checks the addresses, so a name that starts resolving elsewhere is checked again; what it throws
   * fails that connection like a network error). Default: `host` itself, resolved by the socket.
   */
  connectAddress?: (host: string) => Promise<MailServerAddress>;
  auth: { user: string; pass: string };
  /**
   * Folders to follow; the first is watched with IDLE, the others are checked every pollIntervalMs.
   * 'all': INBOX (with IDLE) and every folder a reply can land in (imap-folder-selection: not Sent,
   * Drafts, Trash, Junk), listed again at every poll so a folder created later is followed too.
   * Default ['INBOX'].
   */
  folders?: string[] | 'all';
  cursorStore: ImapCursorStore;
  /**
   * Called once per message, in the order the server answers FETCH in: UID order on every server we
   * know (a server answering otherwise cannot make the cursor skip a message). Must be idempotent:
   * a crash re-delivers the message in flight.
   */
  onMessage: (message: InboundMessage) => Promise<void>;
  /**
   * Called instead of onMessage for a message that cannot be read at all (not a message, a parser
   * failure): it must record it durably, after which the cursor moves past it. Without it such a
   * message is logged and passed over.
   */
  onUnreadable?: (message: UnreadableMessage) => Promise<void>;
  /** Told about every provider error, e.g. to mark the mailbox connection as needing re-authentication. */
  onError?: (error: MailProviderError) => void;
  logger?: MailLogger;
  reconnectBackoff?: ReconnectBackoff;
  /** How often folders other than the first are checked (and the first re-checked in case a push was lost). Default 60 s. */
  pollIntervalMs?: number;
  /** On first run (or after UIDVALIDITY changed), also read mail received in the last N days. Default: only new mail. */
  initialWindowDays?: number;
  /**
   * A folder first followed after the mailbox's first sync (created later, or added to the list) is
   * read back over this many days, so mail a rule filed there before is not missed. Default 30.
   */
  newFolderWindowDays?: number;
  /** Called each time a connection caught up with every folder (the first and after every reconnect). */
  onFollowing?: () => void;
  /**
   * UIDs asked for per UID FETCH command. Messages are streamed one at a time with backpressure, so
   * memory holds about one message source whatever the page size; a page bounds how long one
   * command runs and what stop() drains. Fewer, larger commands matter on servers that pay a cost
   * per FETCH proportional to the folder (GreenMail 2.x: quadratic in the folder size). Default 1000.
   */
  pageSize?: number;
  /** IDLE is re-issued this often; RFC 2177 §3 asks for less than 29 minutes. Default 10 min. */
  idleRestartMs?: number;
  connectionTimeoutMs?: number;
  /** How long stop() waits for an in-flight handler and a polite LOGOUT before closing the socket. Default 10 s. */
  stopGraceMs?: number;
  tls?: ConnectionOptions;
  parseOptions?: ParseInboundOptions;
  clock?: () => Date;
  random?: () => number;
}

export type ImapFollowerState = 'stopped' | 'connecting' | 'following' | 'waiting-to-reconnect' | 'failed';

/** The handler threw: not a provider problem, but the message must be delivered again. */
class MessageHandlerError extends Error {
  constructor(readonly folder: string, readonly uid: number, cause: unknown) {
    super(`onMessage failed for uid ${uid} in ${folder}`, { cause });
    this.name = 'MessageHandlerError';
  }
}

/**
 * Follows one IMAP mailbox: reads every message that arrives in the configured folders exactly once
 * per cursor (at least once across crashes), in UID order, without marking anything as read.
 *
 * One connection: the first folder is selected read-only (EXAMINE) and watched with IDLE (RFC 2177);
 * an EXISTS push triggers a fetch of UIDs above the cursor. Other folders are checked with STATUS on
 * a timer and only selected when UIDNEXT moved. The cursor is saved after each handled message.
 */
export class ImapMailboxFollower {
  private readonly followAll: boolean;
  /** The folders followed now: the configured list, or what the last LIST found ('all'). */
  private folders: string[];
  private readonly primaryFolder: string;
  /** Folders the mailbox's very first sync started with (read from now on only); null until known. */
  private firstSyncFolders: Set<string> | null = null;
  /** UIDNEXT/UIDVALIDITY per folder from the LIST just made (LIST-STATUS, RFC 5819), used by the check that follows it. */
  private listedStatus = new Map<string, FolderState>();
  private readonly logger: MailLogger;
  private readonly backoff: ReconnectBackoff;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly maxRawBytes: number;
  private readonly clock: () => Date;
  private readonly random: () => number;

  private currentState: ImapFollowerState = 'stopped';
  private running = false;
  private loop: Promise<void> | null = null;
  private client: ImapFlow | null = null;
  private wakeUp: (() => void) | null = null;
  /** The server's spelling of each folder once selected (imapflow normalises "inbox" to "INBOX"). */
  private readonly selectedPaths = new Map<string, string>();
  private primarySyncRequested = false;
  private pollDue = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private backoffTimer: { timer: NodeJS.Timeout; resolve: () => void } | null = null;

  constructor(private readonly options: ImapMailboxFollowerOptions) {
    this.followAll = options.folders === 'all';
    this.folders = options.folders === undefined || options.folders === 'all' || options.folders.length === 0 ? ['INBOX'] : [...new Set(options.folders)];
    this.primaryFolder = this.folders[0] ?? 'INBOX';
    this.logger = options.logger ?? silentMailLogger;
    this.backoff = options.reconnectBackoff ?? DEFAULT_RECONNECT_BACKOFF;
    this.pollIntervalMs = options.pollIntervalMs ?? 60_000;
    this.pageSize = Math.max(1, options.pageSize ?? 1_000);
    this.maxRawBytes = options.parseOptions?.maxRawBytes ?? DEFAULT_MAX_RAW_BYTES;
    this.clock = options.clock ?? ((): Date => new Date());
    this.random = options.random ?? Math.random;
  }

  get state(): ImapFollowerState {
    return this.currentState;
  }

  /**
   * Starts following. Resolves once the first connection has caught up with every folder; connection
   * failures before that are retried with backoff. Rejects only when the mailbox cannot be followed
   * at all (credentials revoked, permission missing); resolves without catching up if stop() comes first.
   */
  start(): Promise<void> {
    if (this.loop !== null) return Promise.reject(new Error('ImapMailboxFollower already started'));
    this.running = true;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const caughtUp = (): void => {
        if (!settled) {
          settled = true;
          resolve();
        }
      };
      const failed = (error: Error): void => {
        if (!settled) {
          settled = true;
          reject(error);
        }
      };
      const loop: Promise<void> = this.run(caughtUp, failed).finally(() => {
        caughtUp();
        // A follower that failed for good can be started again once the user fixed the mailbox.
        if (this.loop === loop) this.loop = null;
      });
      this.loop = loop;
    });
  }

  /** Stops following: lets an in-flight handler finish, logs out, clears every timer and socket. */
  async stop(): Promise<void> {
    this.running = false;
    this.clearPollTimer();
    this.wake();
    if (this.backoffTimer !== null) {
      clearTimeout(this.backoffTimer.timer);
      this.backoffTimer.resolve();
      this.backoffTimer = null;
    }
    const loop = this.loop;
    if (loop === null) return;
    const graceMs = this.options.stopGraceMs ?? 10_000;
    let graceTimer: NodeJS.Timeout | undefined;
    const finishedInTime = await Promise.race([
      loop.then(() => true),
      new Promise<boolean>((resolve) => {
        graceTimer = setTimeout(() => resolve(false), graceMs);
      }),
    ]);
    clearTimeout(graceTimer);
    if (!finishedInTime) this.client?.close();
    await loop;
  }

  private async run(caughtUp: () => void, failed: (error: Error) => void): Promise<void> {
    let attempt = 0;
    while (this.running) {
      this.currentState = 'connecting';
      let retryAfterMs: number | undefined;
      try {
        await this.session(() => {
          attempt = 0;
          caughtUp();
        });
      } catch (error) {
        if (!this.running) break;
        if (error instanceof MessageHandlerError) {
          this.logger.error({ folder: error.folder, uid: error.uid, err: error.cause }, 'imap follower: handler failed, message will be delivered again');
        } else {
          const mapped = mapImapError(error);
          this.logger.warn(
            { host: this.options.host, code: mapped.code, providerStatus: mapped.providerStatus, reason: mapped.message },
            'imap follower: session failed',
          );
          this.options.onError?.(mapped);
          // Reconnecting cannot fix these; the user has to reconnect the mailbox.
          if (mapped.code === 'AUTH_REVOKED' || mapped.code === 'INSUFFICIENT_PERMISSIONS') {
            this.currentState = 'failed';
            this.running = false;
            failed(mapped);
            return;
          }
          retryAfterMs = mapped.retryAfterMs;
        }
      }
      if (!this.running) break;
      attempt += 1;
      const waitMs = reconnectDelayMs(attempt, this.backoff, this.random, retryAfterMs);
      this.currentState = 'waiting-to-reconnect';
      this.logger.info({ host: this.options.host, attempt, waitMs }, 'imap follower: reconnecting after backoff');
      await this.sleep(waitMs);
    }
    this.currentState = 'stopped';
  }

  private async session(caughtUp: () => void): Promise<void> {
    const target: MailServerAddress = this.options.connectAddress ? await this.options.connectAddress(this.options.host) : { host: this.options.host };
    const client = new ImapFlow({
      host: target.host,
      ...(target.servername === undefined ? {} : { servername: target.servername }),
      port: this.options.port,
      secure: this.options.secure,
      auth: { user: this.options.auth.user, pass: this.options.auth.pass },
      logger: false,
      // We decide when to IDLE: right after each catch-up, so new mail is seen within seconds.
      disableAutoIdle: true,
      maxIdleTime: this.options.idleRestartMs ?? 10 * 60_000,
      ...(this.options.connectionTimeoutMs === undefined ? {} : { connectionTimeout: this.options.connectionTimeoutMs }),
      ...(this.options.tls === undefined ? {} : { tls: this.options.tls }),
    });
    this.client = client;
    let connectionError: unknown = null;
    let closed = false;
    const closedSignal = new Promise<void>((resolve) => {
      client.once('close', () => {
        closed = true;
        resolve();
        this.wake();
      });
    });
    client.on('error', (error: Error) => {
      connectionError = error;
    });
    client.on('exists', (event: ExistsEvent) => {
      if (event.path === this.selectedPaths.get(this.primaryFolder) && event.count > event.prevCount) {
        this.primarySyncRequested = true;
        this.wake();
      }
    });

    try {
      await client.connect();
      await this.listFolders(client);
      if (this.firstSyncFolders === null) {
        // No cursor on the inbox: the mailbox's first sync, which reads from now on (or initialWindowDays).
        const firstSync = (await this.options.cursorStore.load(this.primaryFolder)) === null;
        this.firstSyncFolders = new Set(firstSync ? this.folders : []);
      }
      this.logger.info({ host: this.options.host, folders: this.folders }, 'imap follower: connected');
      await this.openReadOnly(client, this.primaryFolder);
      await this.syncSelectedFolder(client, this.primaryFolder);
      await this.checkOtherFolders(client);
      this.currentState = 'following';
      caughtUp();
      this.options.onFollowing?.();
      this.startPollTimer();

      while (this.running && !closed) {
        if (this.pollDue) {
          this.pollDue = false;
          this.primarySyncRequested = false;
          await this.listFolders(client);
          await this.checkOtherFolders(client);
          await this.syncSelectedFolder(client, this.primaryFolder);
          continue;
        }
        if (this.primarySyncRequested) {
          this.primarySyncRequested = false;
          await this.syncSelectedFolder(client, this.primaryFolder);
          continue;
        }
        // IDLE until a push, the poll timer or stop() wakes us; the next command ends IDLE (RFC 2177 DONE).
        const wakeSignal = new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        client.idle().catch((error: unknown) => {
          connectionError = error;
          this.wake();
        });
        await Promise.race([wakeSignal, closedSignal]);
        this.wakeUp = null;
      }
      if (this.running) {
        throw connectionError ?? new MailProviderError(`IMAP connection closed${client.byeReason === undefined ? '' : `: ${client.byeReason}`}`, { code: 'TEMPORARY', provider: 'imap' });
      }
    } finally {
      this.clearPollTimer();
      this.wakeUp = null;
      this.client = null;
      await this.closeClient(client, closed);
    }
  }

  private async openReadOnly(client: ImapFlow, folder: string): Promise<void> {
    // EXAMINE, not SELECT: following a mailbox must never change flags the rep sees (RFC 3501 §6.3.2).
    const mailbox = await client.mailboxOpen(folder, { readOnly: true });
    this.selectedPaths.set(folder, mailbox.path);
  }

  private async currentFolderState(client: ImapFlow, folder: string): Promise<FolderState> {
    const mailbox = client.mailbox;
    // Reading a folder other than the one selected would file its UIDs under the wrong cursor.
    if (mailbox === false || mailbox.path !== this.selectedPaths.get(folder)) {
      throw new MailProviderError(`folder ${folder} is not the selected one`, { code: 'TEMPORARY', provider: 'imap' });
    }
    let uidNext = mailbox.uidNext;
    if (!Number.isInteger(uidNext) || uidNext < 1) {
      // UIDNEXT is required by RFC 3501 §6.3.1 but some servers omit it: derive it from the highest UID.
      const newest = mailbox.exists > 0 ? await client.fetchOne('*', { uid: true }) : false;
      uidNext = newest === false ? 1 : newest.uid + 1;
    }
    return { uidValidity: mailbox.uidValidity.toString(), uidNext };
  }

  private async syncSelectedFolder(client: ImapFlow, folder: string): Promise<void> {
    const state = await this.currentFolderState(client, folder);
    const stored = await this.options.cursorStore.load(folder);
    const plan = planFolderSync({ stored, folder: state, initialWindowDays: this.windowDays(folder), now: this.clock() });

    if (plan.kind === 'resume') {
      const found = await client.search({ uid: `${plan.cursor.lastUid + 1}:*` }, { uid: true });
      // "n:*" also matches the highest UID when n is above it (RFC 3501 §6.4.8), hence the filter.
      const uids = (Array.isArray(found) ? found : []).filter((uid) => uid > plan.cursor.lastUid).sort((a, b) => a - b);
      await this.deliver(client, folder, plan.cursor.uidValidity, uids);
      return;
    }

    if (plan.reason === 'uidvalidity-changed') {
      this.logger.warn(
        { folder, previousUidValidity: stored?.uidValidity, uidValidity: plan.cursor.uidValidity },
        'imap follower: UIDVALIDITY changed, cursor reset (RFC 3501 §2.3.1.1)',
      );
    } else {
      this.logger.info({ folder, uidValidity: plan.cursor.uidValidity, windowSince: plan.windowSince }, 'imap follower: no cursor, starting fresh');
    }
    if (plan.windowSince !== null) {
      const found = await client.search({ since: plan.windowSince }, { uid: true });
      const uids = (Array.isArray(found) ? found : []).filter((uid) => uid <= plan.cursor.lastUid).sort((a, b) => a - b);
      const finished = await this.deliver(client, folder, plan.cursor.uidValidity, uids);
      if (!finished) return;
    }
    // Older mail outside the window is skipped on purpose; the cursor moves past it.
    const latest = await this.options.cursorStore.load(folder);
    if (latest === null || latest.uidValidity !== plan.cursor.uidValidity || latest.lastUid < plan.cursor.lastUid) {
      await this.options.cursorStore.save(folder, plan.cursor);
    }
  }

  /**
   * Delivers the given UIDs page by page, each page one UID FETCH of compact UID ranges streamed
   * message by message (imapflow parses the next response only when asked for it). The cursor is
   * saved after each handled message. Returns false when stopped part-way.
   */
  private async deliver(client: ImapFlow, folder: string, uidValidity: string, uids: number[]): Promise<boolean> {
    for (const page of uidPages(uids, this.pageSize)) {
      if (!this.running) return false;
      const progress = new UidPageProgress(page.uids);
      // A partial fetch (RFC 3501 §6.4.5 BODY[]<0.n>) stops at maxRawBytes on the server's side; RFC822.SIZE tells us when it did.
      const query = { uid: true, size: true, source: { start: 0, maxLength: this.maxRawBytes }, internalDate: true, threadId: true };
      for await (const message of client.fetch(page.set, query, { uid: true })) {
        if (!this.running) return false;
        if (!progress.expects(message.uid)) continue;
        await this.handleOne(folder, uidValidity, message);
        await this.advanceCursor(folder, uidValidity, progress.handled(message.uid));
      }
      await this.advanceCursor(folder, uidValidity, progress.finish());
    }
    return true;
  }

  private async advanceCursor(folder: string, uidValidity: string, lastUid: number | null): Promise<void> {
    if (lastUid !== null) await this.options.cursorStore.save(folder, { uidValidity, lastUid });
  }

  private async handleOne(folder: string, uidValidity: string, message: FetchMessageObject): Promise<void> {
    if (message.source === undefined) {
      this.logger.warn({ folder, uid: message.uid }, 'imap follower: server returned no source, skipping');
      return;
    }
    const internalDate = message.internalDate === undefined ? undefined : new Date(message.internalDate);
    // RFC 8474 EMAILID is stable across folders; otherwise (folder, UIDVALIDITY, UID) names the message (RFC 3501 §2.3.1.1).
    const providerMessageId = message.emailId ?? `imap:${uidValidity}:${message.uid}:${folder}`;
    const read = await readInboundMessage(
      message.source,
      {
        providerMessageId,
        providerThreadId: message.threadId ?? null,
        folder,
        ...(message.size === undefined ? {} : { sizeBytes: message.size }),
        ...(internalDate === undefined || Number.isNaN(internalDate.getTime()) ? {} : { receivedAt: internalDate }),
      },
      this.options.parseOptions,
    );
    if (read.unreadable !== undefined) {
      this.logger.warn({ folder, uid: message.uid, reason: read.unreadable.reason }, 'imap follower: unreadable message, recorded and passed over');
      try {
        await this.options.onUnreadable?.(read.unreadable);
      } catch (error) {
        throw new MessageHandlerError(folder, message.uid, error);
      }
      return;
    }
    const inbound = read.message;
    try {
      await this.options.onMessage(inbound);
    } catch (error) {
      throw new MessageHandlerError(folder, message.uid, error);
    }
  }

  private async checkOtherFolders(client: ImapFlow): Promise<void> {
    let leftPrimary = false;
    const listed = this.listedStatus;
    this.listedStatus = new Map();
    for (const folder of this.folders.slice(1)) {
      if (!this.running) break;
      const status = listed.get(folder) ?? (await this.folderStatus(client, folder));
      if (status === false) {
        this.logger.warn({ folder }, 'imap follower: STATUS refused, folder skipped this round');
        continue;
      }
      const stored = await this.options.cursorStore.load(folder);
      // Without both values STATUS tells us nothing; select the folder and look.
      if (status !== null) {
        const state = status;
        if (!folderHasNewMail(stored, state)) continue;
        if (stored === null && this.windowDays(folder) === undefined) {
          // Nothing to read yet: remember where "new" starts without selecting the folder.
          this.logger.info({ folder, uidValidity: state.uidValidity }, 'imap follower: no cursor, starting fresh');
          await this.options.cursorStore.save(folder, { uidValidity: state.uidValidity, lastUid: Math.max(0, state.uidNext - 1) });
          continue;
        }
      }
      await this.openReadOnly(client, folder);
      leftPrimary = true;
      await this.syncSelectedFolder(client, folder);
    }
    if (leftPrimary) await this.openReadOnly(client, this.primaryFolder);
  }

  /** STATUS UIDNEXT UIDVALIDITY of a folder not selected; null when the server left either out, false when it refused. */
  private async folderStatus(client: ImapFlow, folder: string): Promise<FolderState | null | false> {
    const status = await client.status(folder, { uidNext: true, uidValidity: true });
    if (status === false) return false;
    return status.uidNext !== undefined && status.uidValidity !== undefined ? { uidValidity: status.uidValidity.toString(), uidNext: status.uidNext } : null;
  }

  /** 'all': the folders a reply can land in, as the server lists them now (one LIST). */
  private async listFolders(client: ImapFlow): Promise<void> {
    if (!this.followAll) return;
    // With LIST-STATUS one command answers what every folder's STATUS would (one round trip per poll,
    // not one per folder); without it imapflow would STATUS every listed folder, Trash and Junk too.
    const withStatus = client.capabilities.has('LIST-STATUS');
    const listed = await client.list(withStatus ? { listOnly: true, statusQuery: { uidNext: true, uidValidity: true } } : { listOnly: true });
    this.listedStatus.clear();
    for (const entry of listed) {
      const status = entry.status;
      if (status?.uidNext !== undefined && status.uidValidity !== undefined) this.listedStatus.set(entry.path, { uidNext: status.uidNext, uidValidity: status.uidValidity.toString() });
    }
    const folders = replyFolders(listed);
    const added = folders.filter((folder) => !this.folders.includes(folder));
    if (added.length > 0 || folders.length !== this.folders.length) this.logger.info({ folders, added }, 'imap follower: folders listed');
    this.folders = folders;
  }

  /** How far back a folder without a cursor is read: the initial window, or for a folder new since the first sync, newFolderWindowDays. */
  private windowDays(folder: string): number | undefined {
    if (this.options.initialWindowDays !== undefined) return this.options.initialWindowDays;
    if (folder === this.primaryFolder || this.firstSyncFolders === null || this.firstSyncFolders.has(folder)) return undefined;
    return this.options.newFolderWindowDays ?? 30;
  }

  private startPollTimer(): void {
    this.clearPollTimer();
    this.pollTimer = setInterval(() => {
      this.pollDue = true;
      this.wake();
    }, this.pollIntervalMs);
  }

  private clearPollTimer(): void {
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = null;
    wakeUp?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.backoffTimer = null;
        resolve();
      }, ms);
      this.backoffTimer = { timer, resolve };
    });
  }

  private async closeClient(client: ImapFlow, alreadyClosed: boolean): Promise<void> {
    if (alreadyClosed || client.isClosed) return;
    if (client.usable) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.logout().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 5_000);
        }),
      ]);
      clearTimeout(timer);
    }
    client.close();
  }
}
