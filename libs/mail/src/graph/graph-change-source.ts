import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';

import type { InboundMessage } from '../inbound-message';
import { parseInboundMessage } from '../inbound-message-parser';
import { MailProviderError } from '../mail-provider-error';
import type { MailboxChangePage, MailboxChangeSource } from '../mailbox-change-source';
import { GRAPH_ORIGIN } from './graph-client';
import { decodeGraphCursor, type GraphCursor } from './graph-cursor';
import { mapGraphError } from './graph-error-mapper';

export interface GraphChangeSourceOptions {
  client: Client;
  /** The same origin the client was built with (GRAPH_ORIGIN in production). */
  origin?: string;
  initialWindowDays?: number;
  pageSize?: number;
  maxTextBytes?: number;
  now?: () => Date;
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

/**
 * Microsoft Graph sync by delta query per mail folder (https://learn.microsoft.com/graph/delta-query-messages):
 * every folder but Sent/Drafts/Deleted/Outbox, so replies an Outlook rule files elsewhere count.
 * The first round is limited to the recent window with `$filter=receivedDateTime ge`; later rounds
 * follow each folder's deltaLink. 410 Gone maps to CURSOR_EXPIRED (full resync).
 */
export class GraphChangeSource implements MailboxChangeSource {
  readonly provider = 'graph' as const;
  private readonly windowDays: number;
  private readonly pageSize: number;
  private readonly now: () => Date;
  private readonly origin: string;

  constructor(private readonly options: GraphChangeSourceOptions) {
    this.origin = (options.origin ?? GRAPH_ORIGIN).replace(/\/$/, '');
    this.windowDays = options.initialWindowDays ?? 30;
    this.pageSize = options.pageSize ?? 50;
    this.now = options.now ?? (() => new Date());
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
      // Finish folders that are mid-round first; otherwise start a new round on every folder.
      const paging = Object.entries(cursor.folders).filter(([, f]) => f.paging);
      const work = paging.length > 0 ? paging : Object.entries(cursor.folders);
      const messages: InboundMessage[] = [];
      for (const [folderId, folder] of work) {
        const page = deltaResponse.parse(await this.options.client.api(folder.link).header('Prefer', `odata.maxpagesize=${this.pageSize}`).get());
        const items = page.value.filter((item) => item['@removed'] === undefined);
        const fetched: (InboundMessage | null)[] = new Array(items.length);
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
        for (const message of fetched) if (message) messages.push(message);
        const nextLink = page['@odata.nextLink'];
        const delta = page['@odata.deltaLink'];
        if (nextLink) cursor.folders[folderId] = { ...folder, link: nextLink, paging: true };
        else if (delta) cursor.folders[folderId] = { ...folder, link: delta, paging: false };
        else throw new MailProviderError('Microsoft Graph: delta page without nextLink or deltaLink', { code: 'TEMPORARY', provider: 'graph' });
      }
      return { messages, cursor: JSON.stringify(cursor), hasMore: Object.values(cursor.folders).some((f) => f.paging) };
    } catch (err) {
      throw mapGraphError(err, this.now());
    }
  }

  private async initialCursor(): Promise<GraphCursor> {
    const skipped = new Set<string>();
    for (const name of SKIPPED_WELL_KNOWN) {
      // A mailbox without one of these folders (no Outbox, say) answers 404; anything else is a real failure.
      const folder: unknown = await this.options.client
        .api(`/me/mailFolders/${name}`)
        .select('id')
        .get()
        .catch((err: unknown) => {
          const mapped = mapGraphError(err, this.now());
          if (mapped.providerStatus?.startsWith('404')) return undefined;
          throw mapped;
        });
      const id = z.looseObject({ id: z.string() }).safeParse(folder);
      if (id.success) skipped.add(id.data.id);
    }
    const since = new Date(this.now().getTime() - this.windowDays * 86_400_000).toISOString();
    const folders: GraphCursor['folders'] = {};
    // mailFolders lists the top level only; walk childFolders breadth-first, naming children by path.
    const queue: { link: string; prefix: string }[] = [{ link: '/me/mailFolders?$top=100', prefix: '' }];
    while (queue.length > 0 && Object.keys(folders).length < MAX_FOLDERS) {
      const { link, prefix } = queue.shift()!;
      let next: string | undefined = link;
      while (next) {
        const page = folderList.parse(await this.options.client.api(next).get());
        for (const f of page.value) {
          if (skipped.has(f.id)) continue;
          const name = `${prefix}${f.displayName}`;
          const delta = `${this.origin}/v1.0/me/mailFolders/${encodeURIComponent(f.id)}/messages/delta?$select=id,conversationId,receivedDateTime&$filter=receivedDateTime+ge+${since}`;
          folders[f.id] = { name, link: delta, paging: true };
          if ((f.childFolderCount ?? 0) > 0) queue.push({ link: `/me/mailFolders/${encodeURIComponent(f.id)}/childFolders?$top=100`, prefix: `${name}/` });
        }
        next = page['@odata.nextLink'];
      }
    }
    return { v: 1, folders };
  }

  private async fetchMime(id: string, conversationId: string | null, folder: string, receivedDateTime: string | null): Promise<InboundMessage | null> {
    let raw: ArrayBuffer;
    try {
      raw = (await this.options.client.api(`/me/messages/${encodeURIComponent(id)}/$value`).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer;
    } catch (err) {
      const mapped = mapGraphError(err, this.now());
      // Deleted or moved between the delta page and the fetch: the next delta round reports it again where it went.
      if (mapped.providerStatus?.startsWith('404')) return null;
      throw mapped;
    }
    const receivedAt = receivedDateTime ? new Date(receivedDateTime) : undefined;
    return parseInboundMessage(
      Buffer.from(raw),
      { providerMessageId: id, providerThreadId: conversationId, folder, ...(receivedAt && !Number.isNaN(receivedAt.getTime()) ? { receivedAt } : {}) },
      { ...(this.options.maxTextBytes !== undefined ? { maxTextBytes: this.options.maxTextBytes } : {}), now: this.now },
    );
  }
}
