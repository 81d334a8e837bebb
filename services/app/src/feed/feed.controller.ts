import { BadRequestException, Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentCaller, Members, parseRequest, type Caller } from '@telltale/runtime';
import { FeedHub } from './feed-hub';
import { FeedHistoryQuery, FeedStreamQuery, feedFilterFor, sseFrame, toFeedItemView, type FeedItemView, type FeedRow } from './feed-query';
import { FeedStore } from './feed.store';

/** At most this many rows replayed on (re)connect; further behind (or after an unknown id), the stream says `reset` and sends the newest. */
export const FEED_REPLAY_LIMIT = 500;
/** The EventSource's reconnect delay (`retry:`). */
const RETRY_MS = 2_000;
/** A stream ends after this long and the browser reconnects (Last-Event-ID): its session is checked again. */
const STREAM_MAX_MS = 15 * 60_000;
/** A client this far behind (bytes not yet taken by the socket) is dropped; it resumes with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 1 << 20;

/**
 * The live feed (issue 13): the history (`GET /api/v1/feed`, newest first, cursor pages) and the
 * stream (`GET /api/v1/feed/stream`, Server-Sent Events, resumable with Last-Event-ID). A rep sees
 * the items of their own mailboxes; managers, admins and API keys the organisation's.
 */
@Controller('api/v1/feed')
export class FeedController {
  constructor(
    private readonly store: FeedStore,
    private readonly hub: FeedHub,
  ) {}

  @Get()
  @Members('engagement')
  async history(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<{ items: FeedItemView[]; nextCursor: string | null }> {
    const q = parseRequest(FeedHistoryQuery, query);
    const rows = await this.store.page(feedFilterFor(caller, q), q.cursor ?? null, q.limit + 1);
    const items = rows.slice(0, q.limit).map(toFeedItemView);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
  }

  @Get('stream')
  @Members('engagement')
  async stream(@CurrentCaller() caller: Caller, @Query() query: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const q = parseRequest(FeedStreamQuery, query);
    const header = req.headers['last-event-id'];
    if (header !== undefined && (typeof header !== 'string' || !/^\d{1,18}$/.test(header.trim()))) {
      throw new BadRequestException({ error: 'invalid_request', issues: [{ path: 'Last-Event-ID', message: 'must be a feed item id (digits)' }] });
    }
    const after = header?.trim() || q.after || null;
    const filter = feedFilterFor(caller, q);

    // Subscribed before the replay is read: rows committed meanwhile wait here, then those not replayed are sent.
    let sentUpTo = BigInt(after ?? this.hub.position);
    let live = false;
    const waiting: FeedRow[] = [];
    let out = '';
    const send = (row: FeedRow, frame = sseFrame(row)): void => {
      if (BigInt(row.id) <= sentUpTo) return;
      sentUpTo = BigInt(row.id);
      out += frame;
    };
    const flush = (): void => {
      if (!out || closed) return;
      res.write(out);
      out = '';
      if (res.writableLength > MAX_BUFFERED_BYTES) close();
    };
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearTimeout(lifetime);
      res.end();
    };
    const unsubscribe = this.hub.subscribe({
      filter,
      deliver: (row, frame) => (live ? send(row, frame) : waiting.push(row)),
      flush: () => {
        if (live) flush();
      },
      heartbeat: () => {
        if (live) res.write(': heartbeat\n\n');
      },
      close,
    });
    const lifetime = setTimeout(close, STREAM_MAX_MS);
    // The browser may leave while the replay is read.
    res.on('close', close);
    let replay: FeedRow[] = [];
    let reset: 'too_far_behind' | 'unknown_id' | null = null;
    try {
      if (after) {
        const [rows, newest] = await Promise.all([this.store.after(filter, after, FEED_REPLAY_LIMIT + 1), this.store.lastId()]);
        replay = rows;
        // Further behind than the replay goes, or an id this feed never had (a restored database): start again from the newest.
        if (replay.length > FEED_REPLAY_LIMIT || BigInt(after) > BigInt(newest)) {
          reset = replay.length > FEED_REPLAY_LIMIT ? 'too_far_behind' : 'unknown_id';
          replay = await this.store.latest(filter, FEED_REPLAY_LIMIT);
          sentUpTo = 0n;
        }
      }
    } catch (err) {
      res.off('close', close);
      unsubscribe();
      clearTimeout(lifetime);
      throw err;
    }
    if (closed) return;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies (nginx) must pass events on at once.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    res.write(`retry: ${RETRY_MS}\n\n`);
    if (reset) res.write(`event: reset\ndata: ${JSON.stringify({ reason: reset, replayed: replay.length })}\n\n`);
    for (const row of replay) send(row);
    for (const row of waiting) send(row);
    waiting.length = 0;
    flush();
    live = true;
  }
}
