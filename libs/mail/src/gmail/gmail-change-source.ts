import type { gmail_v1 } from '@googleapis/gmail';

import type { AccessTokenSource } from '../access-token-source';
import type { InboundMessage, UnreadableMessage } from '../inbound-message';
import { DEFAULT_MAX_RAW_BYTES, readInboundMessage, type InboundLimits, type InboundReadResult } from '../inbound-message-parser';
import { readAtMost, type ByteStream } from '../read-at-most';
import { MailProviderError } from '../mail-provider-error';
import { MessageFetchFailures } from '../message-fetch-failures';
import type { MailboxChangePage, MailboxChangeSource } from '../mailbox-change-source';
import { decodeGmailCursor, encodeGmailCursor, maxHistoryId } from './gmail-cursor';
import { mapGmailError, type GmailCallKind } from './gmail-error-mapper';

export interface GmailChangeSourceOptions {
  gmail: gmail_v1.Gmail;
  tokens: AccessTokenSource;
  /** Initial sync covers this many days back (Gmail search `newer_than:`). */
  initialWindowDays?: number;
  pageSize?: number;
  /** messages.get calls in flight at once; bounded so one big mailbox cannot exhaust the per-user quota. */
  fetchConcurrency?: number;
  maxTextBytes?: number;
  /** Size, parts and nesting limits; a message larger than maxRawBytes is read for its header fields only (format=metadata), never held whole. */
  limits?: InboundLimits;
  now?: () => Date;
}

type Fetched = { read: InboundReadResult | null; historyId: string | undefined };

/** The JSON answer of messages.get format=raw around a message of maxRawBytes: base64url is 4/3 of it, plus the other fields. */
function rawAnswerCap(maxRawBytes: number): number {
  return Math.ceil((maxRawBytes * 4) / 3) + 64 * 1024;
}

/** format=metadata gives every header field, unfolded; written back as a header section, the parser reads them like any message. */
function headerSectionOf(headers: readonly gmail_v1.Schema$MessagePartHeader[]): Buffer {
  const lines = headers.filter((h) => h.name && /^[!-9;-~]+$/.test(h.name)).map((h) => `${h.name}: ${(h.value ?? '').replace(/[\r\n]+/g, ' ')}\r\n`);
  return Buffer.from(`${lines.join('')}\r\n`, 'utf8');
}

function readMessages(fetched: readonly Fetched[]): { messages: InboundMessage[]; unreadable: UnreadableMessage[] } {
  const messages: InboundMessage[] = [];
  const unreadable: UnreadableMessage[] = [];
  for (const f of fetched) {
    if (f.read?.message !== undefined) messages.push(f.read.message);
    else if (f.read?.unreadable !== undefined) unreadable.push(f.read.unreadable);
  }
  return { messages, unreadable };
}

/** Our own sends and unsent drafts are not inbound mail. */
const SKIP_LABELS = new Set(['SENT', 'DRAFT']);
const SYSTEM_FOLDERS = ['INBOX', 'SPAM', 'TRASH'];

/** Gmail has labels, not folders: INBOX when it is there, otherwise the label a filter filed it under. */
export function gmailFolder(labelIds: readonly string[]): string {
  for (const system of SYSTEM_FOLDERS) if (labelIds.includes(system)) return system;
  return labelIds.find((l) => !l.startsWith('CATEGORY_') && l !== 'UNREAD' && l !== 'IMPORTANT' && l !== 'STARRED') ?? 'ALL_MAIL';
}

/**
 * Gmail sync per https://developers.google.com/gmail/api/guides/sync: a full sync of the recent
 * window through messages.list, then history.list from the stored historyId (messageAdded only,
 * every label, so replies a filter moved out of the inbox count).
 */
export class GmailChangeSource implements MailboxChangeSource {
  readonly provider = 'gmail' as const;
  private readonly windowDays: number;
  private readonly pageSize: number;
  private readonly concurrency: number;
  private readonly now: () => Date;
  private readonly failures = new MessageFetchFailures();

  constructor(private readonly options: GmailChangeSourceOptions) {
    this.windowDays = options.initialWindowDays ?? 30;
    this.pageSize = options.pageSize ?? 100;
    this.concurrency = options.fetchConcurrency ?? 8;
    this.now = options.now ?? (() => new Date());
  }

  async changesSince(cursorText: string | null): Promise<MailboxChangePage> {
    if (cursorText === null) return this.initialPage(undefined, undefined);
    const cursor = decodeGmailCursor(cursorText);
    if (!cursor) throw new MailProviderError('Gmail: unreadable sync cursor', { code: 'CURSOR_EXPIRED', provider: 'gmail', providerStatus: 'bad-cursor' });
    if (cursor.phase === 'initial') return this.initialPage(cursor.historyId, cursor.pageToken);
    return this.historyPage(cursor.historyId, cursor.pageToken);
  }

  /** gaxios retries are off on every call (retry: false): the shared policy decides, with the provider's Retry-After. */
  private async call<T>(kind: GmailCallKind, fn: (headers: Record<string, string>) => Promise<T>): Promise<T> {
    try {
      const token = await this.options.tokens.accessToken();
      return await fn({ Authorization: `Bearer ${token}` });
    } catch (err) {
      throw mapGmailError(err, kind, this.now());
    }
  }

  private async initialPage(historyId: string | undefined, pageToken: string | undefined): Promise<MailboxChangePage> {
    // `after:` takes epoch seconds (Gmail search operators); computed from our clock, not Gmail's "now".
    const after = Math.floor((this.now().getTime() - this.windowDays * 86_400_000) / 1_000);
    const list = await this.call('other', (headers) =>
      this.options.gmail.users.messages.list({ userId: 'me', q: `after:${after}`, maxResults: this.pageSize, ...(pageToken ? { pageToken } : {}) }, { headers, retry: false }),
    );
    const ids = (list.data.messages ?? []).map((m) => m.id).filter((id): id is string => !!id);
    const fetched = await this.fetchAll(ids);
    let start = historyId;
    // messages.list is newest first, so the first page holds the newest historyId; history.list from it misses nothing.
    for (const f of fetched) start = maxHistoryId(start, f.historyId);
    start ??= await this.profileHistoryId();
    const read = readMessages(fetched);
    const next = list.data.nextPageToken;
    if (next) return { ...read, cursor: encodeGmailCursor({ v: 1, phase: 'initial', historyId: start, pageToken: next }), hasMore: true };
    return { ...read, cursor: encodeGmailCursor({ v: 1, phase: 'history', historyId: start }), hasMore: false };
  }

  private async profileHistoryId(): Promise<string> {
    const profile = await this.call('other', (headers) => this.options.gmail.users.getProfile({ userId: 'me' }, { headers, retry: false }));
    if (!profile.data.historyId) throw new MailProviderError('Gmail: profile has no historyId', { code: 'TEMPORARY', provider: 'gmail' });
    return profile.data.historyId;
  }

  private async historyPage(startHistoryId: string, pageToken: string | undefined): Promise<MailboxChangePage> {
    const res = await this.call('history', (headers) =>
      this.options.gmail.users.history.list({ userId: 'me', startHistoryId, historyTypes: ['messageAdded'], maxResults: this.pageSize, ...(pageToken ? { pageToken } : {}) }, { headers, retry: false }),
    );
    const ids: string[] = [];
    for (const record of res.data.history ?? []) {
      for (const added of record.messagesAdded ?? []) {
        const id = added.message?.id;
        if (id && !ids.includes(id) && !(added.message?.labelIds ?? []).some((l) => SKIP_LABELS.has(l))) ids.push(id);
      }
    }
    const fetched = await this.fetchAll(ids);
    const read = readMessages(fetched);
    const next = res.data.nextPageToken;
    if (next) return { ...read, cursor: encodeGmailCursor({ v: 1, phase: 'history', historyId: startHistoryId, pageToken: next }), hasMore: true };
    const latest = maxHistoryId(startHistoryId, res.data.historyId) ?? startHistoryId;
    return { ...read, cursor: encodeGmailCursor({ v: 1, phase: 'history', historyId: latest }), hasMore: false };
  }

  private async fetchAll(ids: string[]): Promise<Fetched[]> {
    const out: Fetched[] = new Array(ids.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const index = next++;
        out[index] = await this.fetchOne(ids[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, ids.length) }, worker));
    return out;
  }

  /**
   * messages.get format=raw, read as a stream and given up past maxRawBytes: a 40 MB message is
   * never held whole. Such a message is fetched again as format=metadata (every header field) and
   * read for its header fields only.
   */
  private async fetchOne(id: string): Promise<Fetched> {
    const maxRawBytes = this.options.limits?.maxRawBytes ?? DEFAULT_MAX_RAW_BYTES;
    let data: gmail_v1.Schema$Message;
    let raw: Buffer;
    let sizeBytes: number | undefined;
    try {
      const answer = await this.call('other', async (headers) => {
        const res = await this.options.gmail.users.messages.get({ userId: 'me', id, format: 'raw' }, { headers, retry: false, responseType: 'stream' });
        return readAtMost(res.data as unknown as ByteStream, rawAnswerCap(maxRawBytes));
      });
      if (answer.complete) {
        data = JSON.parse(answer.bytes.toString('utf8')) as gmail_v1.Schema$Message;
        raw = Buffer.from(data.raw ?? '', 'base64url');
      } else {
        data = (await this.call('other', (headers) => this.options.gmail.users.messages.get({ userId: 'me', id, format: 'metadata' }, { headers, retry: false }))).data;
        raw = headerSectionOf(data.payload?.headers ?? []);
        sizeBytes = Math.max(data.sizeEstimate ?? 0, maxRawBytes + 1);
      }
    } catch (err) {
      // Deleted between the listing and the fetch: nothing to report.
      if (err instanceof MailProviderError && err.providerStatus?.startsWith('404')) return { read: null, historyId: undefined };
      const reason = err instanceof MailProviderError ? this.failures.giveUp(id, err) : null;
      // Gmail names no folder for a message it will not return.
      if (reason !== null) return { read: { unreadable: { providerMessageId: id, folder: '(unknown)', reason } }, historyId: undefined };
      throw err;
    }
    this.failures.succeeded(id);
    const labels = data.labelIds ?? [];
    if (raw.length === 0 || labels.some((l) => SKIP_LABELS.has(l))) return { read: null, historyId: data.historyId ?? undefined };
    const receivedAt = data.internalDate ? new Date(Number(data.internalDate)) : undefined;
    const read = await readInboundMessage(
      raw,
      { providerMessageId: id, providerThreadId: data.threadId ?? null, folder: gmailFolder(labels), ...(receivedAt ? { receivedAt } : {}), ...(sizeBytes === undefined ? {} : { sizeBytes }) },
      { ...this.options.limits, ...(this.options.maxTextBytes !== undefined ? { maxTextBytes: this.options.maxTextBytes } : {}), maxRawBytes, now: this.now },
    );
    return { read, historyId: data.historyId ?? undefined };
  }
}
