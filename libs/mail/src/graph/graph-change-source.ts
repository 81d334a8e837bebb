import { GraphError, ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';

import type { InboundMessage, UnreadableMessage } from '../inbound-message';
import { DEFAULT_MAX_RAW_BYTES, readInboundMessage, type InboundLimits, type InboundReadResult } from '../inbound-message-parser';
import { readAtMost, type ByteStream } from '../read-at-most';
import { MailProviderError } from '../mail-provider-error';
import { MessageFetchFailures } from '../message-fetch-failures';
import type { MailboxChangePage, MailboxChangeSource } from '../mailbox-change-source';
import { GRAPH_ORIGIN, IMMUTABLE_ID_PREFERENCE } from './graph-client';
import { decodeGraphCursor, type GraphCursor } from './graph-cursor';
import { mapGraphError } from './graph-error-mapper';

export interface GraphChangeSourceOptions {
  client: Client;
  /** The same origin the client was built with (GRAPH_ORIGIN in production). */
  origin?: string;
  initialWindowDays?: number;
  pageSize?: number;
  maxTextBytes?: number;
  /** Size, parts and nesting limits; only the first maxRawBytes of a message's MIME are read, and a larger message is read for its header fields only. */
  limits?: InboundLimits;
  now?: () => Date;
  /** Walk the folder tree again at the start of a round when the last walk is older than this (default 5 min). */
  rediscoverFoldersMs?: number;
}

/** Exchange Online throttles above 4 concurrent requests per app per mailbox. */
const MAX_CONCURRENT_FETCHES = 4;

/** Folders whose new items are never inbound mail. */
const SKIPPED_WELL_KNOWN = ['sentitems', 'drafts', 'deleteditems', 'outbox'];

const deltaResponse = z.looseObject({
  value: z.array(z.looseObject({ id: z.string(), conversationId: z.string().nullish(), receivedDateTime: z.string().nullish(), '@removed': z.unknown().optional() })),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});
const folderList = z.looseObject({
  value: z.array(z.looseObject({ id: z.string(), displayName: z.string(), childFolderCount: z.number().int().nonnegative().optional() })),
  '@odata.nextLink': z.string().optional(),
});
/** Bounds the walk through nested folders (Outlook rules often file into Inbox/Customers/…). */
const MAX_FOLDERS = 500;
const DEFAULT_REDISCOVER_MS = 5 * 60_000;
const is404 = (err: MailProviderError): boolean => err.providerStatus?.startsWith('404') ?? false;

/**
 * Microsoft Graph sync by delta query per mail folder (https://learn.microsoft.com/graph/delta-query-messages):
 * every folder but Sent/Drafts/Deleted/Outbox, so replies an Outlook rule files elsewhere count.
 * The first round is limited to the recent window with `$filter=receivedDateTime ge`; later rounds
 * follow each folder's deltaLink. 410 Gone maps to CURSOR_EXPIRED (full resync).
 *
 * Folders change under a cursor (a new Outlook rule files into a new "Customers/Acme"), so a round
 * that starts more than `rediscoverFoldersMs` after the last walk walks the tree again (a few GETs):
 * a new folder starts its own round over the same recent window (a reply a rule filed there just
 * before we looked counts, an old archive does not flood), a moved or renamed one keeps its delta
 * link under its new path, one no longer found (deleted, so under Deleted Items) drops out. A folder
 * whose delta answers 404, or 410 when the folder itself is gone, drops out too instead of turning
 * into a full resync of the mailbox. Graph's folder delta (`/me/mailFolders/delta`) is not used: it
 * reports top-level folders only, so child folders would need a delta link per parent anyway.
 */
export class GraphChangeSource implements MailboxChangeSource {
  readonly provider = 'graph' as const;
  private readonly windowDays: number;
  private readonly pageSize: number;
  private readonly now: () => Date;
  private readonly origin: string;
  private readonly rediscoverMs: number;
  private readonly failures = new MessageFetchFailures();

  constructor(private readonly options: GraphChangeSourceOptions) {
    this.origin = (options.origin ?? GRAPH_ORIGIN).replace(/\/$/, '');
    this.windowDays = options.initialWindowDays ?? 30;
    this.pageSize = options.pageSize ?? 50;
    this.now = options.now ?? (() => new Date());
    this.rediscoverMs = options.rediscoverFoldersMs ?? DEFAULT_REDISCOVER_MS;
  }

  async changesSince(cursorText: string | null): Promise<MailboxChangePage> {
    try {
      let cursor: GraphCursor;
      if (cursorText === null) cursor = await this.initialCursor();
      else {
        const decoded = decodeGraphCursor(cursorText);
        if (!decoded) throw new MailProviderError('Microsoft Graph: unreadable sync cursor', { code: 'CURSOR_EXPIRED', provider: 'graph', providerStatus: 'bad-cursor' });
        cursor = decoded;
      }
      // Finish folders that are mid-round first; otherwise start a new round on every folder,
      // after walking the folder tree again when the last walk is old (never mid-round).
      const paging = Object.entries(cursor.folders).filter(([, f]) => f.paging);
      if (paging.length === 0 && this.discoveryDue(cursor)) cursor = await this.rediscover(cursor);
      const work = paging.length > 0 ? paging : Object.entries(cursor.folders);
      const messages: InboundMessage[] = [];
      const unreadable: UnreadableMessage[] = [];
      for (const [folderId, folder] of work) {
        let body: unknown;
        try {
          // Immutable ids: a message filed into another folder is reported there under the id it had.
          body = await this.options.client.api(folder.link).header('Prefer', `odata.maxpagesize=${this.pageSize}, ${IMMUTABLE_ID_PREFERENCE}`).get();
        } catch (err) {
          const mapped = mapGraphError(err, this.now());
          if (!(await this.folderGone(folderId, mapped))) throw mapped;
          // Deleted since the last walk: drop it, not the whole mailbox's sync state.
          delete cursor.folders[folderId];
          continue;
        }
        const page = deltaResponse.parse(body);
        const items = page.value.filter((item) => item['@removed'] === undefined);
        const fetched: (InboundReadResult | null)[] = new Array(items.length);
        let next = 0;
        // A few $value fetches in flight at once, bounded (Graph allows 4 concurrent requests per mailbox per app).
        const worker = async (): Promise<void> => {
          while (next < items.length) {
            const index = next++;
            const item = items[index]!;
            fetched[index] = await this.fetchMime(item.id, item.conversationId ?? null, folder.name, item.receivedDateTime ?? null);
          }
        };
        await Promise.all(Array.from({ length: Math.min(MAX_CONCURRENT_FETCHES, items.length) }, worker));
        for (const read of fetched) {
          if (read?.message !== undefined) messages.push(read.message);
          else if (read?.unreadable !== undefined) unreadable.push(read.unreadable);
        }
        const nextLink = page['@odata.nextLink'];
        const delta = page['@odata.deltaLink'];
        if (nextLink) cursor.folders[folderId] = { ...folder, link: nextLink, paging: true };
        else if (delta) cursor.folders[folderId] = { ...folder, link: delta, paging: false };
        else throw new MailProviderError('Microsoft Graph: delta page without nextLink or deltaLink', { code: 'TEMPORARY', provider: 'graph' });
      }
      return { messages, unreadable, cursor: JSON.stringify(cursor), hasMore: Object.values(cursor.folders).some((f) => f.paging) };
    } catch (err) {
      throw mapGraphError(err, this.now());
    }
  }

  private async initialCursor(): Promise<GraphCursor> {
    const discoveredAt = this.now();
    const { found } = await this.discoverFolders();
    const folders: GraphCursor['folders'] = {};
    for (const [id, name] of found) folders[id] = { name, link: this.firstDeltaLink(id, discoveredAt), paging: true };
    return { v: 1, folders, discoveredAt: discoveredAt.toISOString() };
  }

  private discoveryDue(cursor: GraphCursor): boolean {
    const at = cursor.discoveredAt === undefined ? Number.NaN : Date.parse(cursor.discoveredAt);
    // No time (a cursor from before rediscovery existed), an unreadable one, or a clock set back: walk now.
    return Number.isNaN(at) || Math.abs(this.now().getTime() - at) >= this.rediscoverMs;
  }

  /** Merges a fresh walk into the cursor; only called between rounds, so every folder holds a deltaLink. */
  private async rediscover(cursor: GraphCursor): Promise<GraphCursor> {
    const discoveredAt = this.now();
    const { found, complete } = await this.discoverFolders();
    const folders: GraphCursor['folders'] = {};
    for (const [id, folder] of Object.entries(cursor.folders)) {
      const name = found.get(id);
      if (name !== undefined) folders[id] = { ...folder, name };
      // A folder past the walk's bound may still be there; keep it (its delta drops it if it is gone).
      else if (!complete) folders[id] = folder;
    }
    for (const [id, name] of found) {
      if (folders[id] || Object.keys(folders).length >= MAX_FOLDERS) continue;
      folders[id] = { name, link: this.firstDeltaLink(id, discoveredAt), paging: true };
    }
    return { v: 1, folders, discoveredAt: discoveredAt.toISOString() };
  }

  /** A folder's first delta round, over the same recent window as the mailbox's first sync. */
  private firstDeltaLink(folderId: string, now: Date): string {
    const since = new Date(now.getTime() - this.windowDays * 86_400_000).toISOString();
    return `${this.origin}/v1.0/me/mailFolders/${encodeURIComponent(folderId)}/messages/delta?$select=id,conversationId,receivedDateTime&$filter=receivedDateTime+ge+${since}`;
  }

  /** 404 on its delta, or 410 while the folder itself is gone: the folder was deleted, the mailbox's sync state is fine. */
  private async folderGone(folderId: string, err: MailProviderError): Promise<boolean> {
    if (is404(err)) return true;
    if (err.code !== 'CURSOR_EXPIRED') return false;
    return this.options.client
      .api(`/me/mailFolders/${encodeURIComponent(folderId)}`)
      .select('id')
      .get()
      .then(
        () => false,
        (lookupErr: unknown) => {
          const mapped = mapGraphError(lookupErr, this.now());
          if (is404(mapped)) return true;
          throw mapped;
        },
      );
  }

  /** Every folder but the skipped well-known ones (and what is under them), by path; `complete` unless MAX_FOLDERS cut the walk short. */
  private async discoverFolders(): Promise<{ found: Map<string, string>; complete: boolean }> {
    const skipped = new Set<string>();
    for (const name of SKIPPED_WELL_KNOWN) {
      // A mailbox without one of these folders (no Outbox, say) answers 404; anything else is a real failure.
      const folder: unknown = await this.options.client
        .api(`/me/mailFolders/${name}`)
        .select('id')
        .get()
        .catch((err: unknown) => {
          const mapped = mapGraphError(err, this.now());
          if (is404(mapped)) return undefined;
          throw mapped;
        });
      const id = z.looseObject({ id: z.string() }).safeParse(folder);
      if (id.success) skipped.add(id.data.id);
    }
    const found = new Map<string, string>();
    // mailFolders lists the top level only; walk childFolders breadth-first, naming children by path.
    const queue: { link: string; prefix: string }[] = [{ link: '/me/mailFolders?$top=100', prefix: '' }];
    while (queue.length > 0 && found.size < MAX_FOLDERS) {
      const { link, prefix } = queue.shift()!;
      let next: string | undefined = link;
      while (next) {
        let body: unknown;
        try {
          body = await this.options.client.api(next).get();
        } catch (err) {
          const mapped = mapGraphError(err, this.now());
          // A parent deleted between listing it and listing its children: nothing under it to follow.
          if (prefix !== '' && is404(mapped)) break;
          throw mapped;
        }
        const page = folderList.parse(body);
        for (const f of page.value) {
          if (skipped.has(f.id)) continue;
          const name = `${prefix}${f.displayName}`;
          found.set(f.id, name);
          if ((f.childFolderCount ?? 0) > 0) queue.push({ link: `/me/mailFolders/${encodeURIComponent(f.id)}/childFolders?$top=100`, prefix: `${name}/` });
        }
        next = page['@odata.nextLink'];
      }
    }
    return { found, complete: queue.length === 0 };
  }

  /**
   * GET /me/messages/{id}/$value, streamed and cut at maxRawBytes: a 40 MB message is never held
   * whole; its first bytes still carry every header field.
   */
  private async fetchMime(id: string, conversationId: string | null, folder: string, receivedDateTime: string | null): Promise<InboundReadResult | null> {
    const maxRawBytes = this.options.limits?.maxRawBytes ?? DEFAULT_MAX_RAW_BYTES;
    let raw: { bytes: Buffer; complete: boolean };
    try {
      const response = (await this.options.client.api(`/me/messages/${encodeURIComponent(id)}/$value`).header('Prefer', IMMUTABLE_ID_PREFERENCE).responseType(ResponseType.RAW).get()) as Response;
      if (!response.ok) throw await graphErrorOf(response);
      raw = response.body === null ? { bytes: Buffer.alloc(0), complete: true } : await readAtMost(response.body as unknown as ByteStream, maxRawBytes);
    } catch (err) {
      const mapped = mapGraphError(err, this.now());
      // Deleted or moved between the delta page and the fetch: the next delta round reports it again where it went.
      if (is404(mapped)) return null;
      const reason = this.failures.giveUp(id, mapped);
      if (reason !== null) return { unreadable: { providerMessageId: id, folder, reason } };
      throw mapped;
    }
    this.failures.succeeded(id);
    const receivedAt = receivedDateTime ? new Date(receivedDateTime) : undefined;
    return readInboundMessage(
      raw.bytes,
      {
        providerMessageId: id,
        providerThreadId: conversationId,
        folder,
        ...(receivedAt && !Number.isNaN(receivedAt.getTime()) ? { receivedAt } : {}),
        ...(raw.complete ? {} : { sizeBytes: maxRawBytes + 1 }),
      },
      { ...this.options.limits, ...(this.options.maxTextBytes !== undefined ? { maxTextBytes: this.options.maxTextBytes } : {}), maxRawBytes, now: this.now },
    );
  }
}

/** A raw response is not turned into an error by the client; build the GraphError it would have thrown (its error body, status, headers). */
async function graphErrorOf(response: Response): Promise<GraphError> {
  const body = response.body === null ? '' : (await readAtMost(response.body as unknown as ByteStream, 64 * 1024)).bytes.toString('utf8');
  const error = new GraphError(response.status, `Microsoft Graph answered ${response.status}`);
  error.body = body;
  error.headers = response.headers;
  return error;
}
