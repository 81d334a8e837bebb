import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Client } from 'pg';
import { gauge, histogram, secondsSince, type Histogram } from '@telltale/metrics';
import { ServiceRuntime } from '@telltale/runtime';
import { feedMatches, sseFrame, type FeedFilter, type FeedRow } from './feed-query';
import { FEED_CHANNEL, FeedStore } from './feed.store';

/** One open stream: its filter, and where its rows go. */
export interface FeedSubscriber {
  filter: FeedFilter;
  /** `frame`: the row as one SSE event, serialised once for every stream it goes to. */
  deliver(row: FeedRow, frame: string): void;
  /** Writes what was delivered since the last flush (one write per stream per wake-up). */
  flush(): void;
  heartbeat(): void;
  close(): void;
}

export interface FeedHubSettings {
  /** Safety net beside LISTEN (a notification lost while the listener reconnects). */
  pollMs: number;
  heartbeatMs: number;
  /** A notification's read waits this long, so rows committed together go out in one write per stream. */
  coalesceMs: number;
}

export const FEED_HUB_SETTINGS = Symbol('FEED_HUB_SETTINGS');
/** Rows read per wake-up; more are read at once in the next round. */
const BATCH = 500;

/**
 * The fan-out of new feed rows to this process's open streams: one LISTEN connection and one query
 * per wake-up for all of them (not one per stream), whichever replica projected the row. Rows are
 * read in id order after the last one seen; FeedStore commits them in id order, so none is skipped.
 */
@Injectable()
export class FeedHub implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly byOrg = new Map<string, Set<FeedSubscriber>>();
  private lastId = '0';
  private listener: Client | null = null;
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private running = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private coalesceTimer: NodeJS.Timeout | null = null;
  private readonly fanoutSeconds: Histogram;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly store: FeedStore,
    @Inject(FEED_HUB_SETTINGS) private readonly settings: FeedHubSettings,
  ) {
    const hub = this;
    gauge(runtime.metrics, {
      name: 'telltale_app_feed_streams',
      help: 'Open live feed streams (GET /api/v1/feed/stream) on this process.',
      collect() {
        this.set(hub.connections);
      },
    });
    this.fanoutSeconds = histogram(runtime.metrics, {
      name: 'telltale_app_feed_fanout_seconds',
      help: 'From a wake-up (a feed row committed, or the poll) to its new rows written to every matching stream of this process: the read and the fan-out.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
  }

  get connections(): number {
    let n = 0;
    for (const set of this.byOrg.values()) n += set.size;
    return n;
  }

  /** The id every stream is past: a new stream replays up to here and is live from here on. */
  get position(): string {
    return this.lastId;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.running = true;
    this.lastId = await this.store.lastId();
    await this.listen().catch((err: unknown) => this.listenLater(err));
    this.pollTimer = setInterval(() => void this.wake(), this.settings.pollMs);
    this.heartbeatTimer = setInterval(() => this.heartbeats(), this.settings.heartbeatMs);
    this.pollTimer.unref();
    this.heartbeatTimer.unref();
  }

  /** Streams end before the HTTP server closes (it waits for open connections). */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    for (const timer of [this.pollTimer, this.heartbeatTimer, this.reconnectTimer, this.coalesceTimer]) if (timer) clearInterval(timer);
    for (const set of this.byOrg.values()) for (const s of set) s.close();
    this.byOrg.clear();
    await this.reading?.catch(() => undefined);
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }

  subscribe(s: FeedSubscriber): () => void {
    let set = this.byOrg.get(s.filter.orgId);
    if (!set) this.byOrg.set(s.filter.orgId, (set = new Set()));
    set.add(s);
    return () => {
      set.delete(s);
      if (set.size === 0 && this.byOrg.get(s.filter.orgId) === set) this.byOrg.delete(s.filter.orgId);
    };
  }

  /** Reads what is new and hands it to the matching streams; concurrent wake-ups share one read. */
  wake(): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.reading) {
      this.readAgain = true;
      return this.reading;
    }
    this.reading = this.drain()
      .catch((err: unknown) => this.runtime.logger.warn({ err: (err as Error).message }, 'feed: reading new items failed; the next wake-up retries'))
      .finally(() => {
        this.reading = null;
        if (this.readAgain) {
          this.readAgain = false;
          void this.wake();
        }
      });
    return this.reading;
  }

  private async drain(): Promise<void> {
    const started = performance.now();
    let total = 0;
    for (;;) {
      const rows = await this.store.allAfter(this.lastId, BATCH);
      const touched = new Set<FeedSubscriber>();
      for (const row of rows) {
        this.lastId = String(row.id);
        const set = this.byOrg.get(row.org_id);
        if (!set) continue;
        let frame: string | null = null;
        for (const s of set) {
          if (!feedMatches(s.filter, row)) continue;
          s.deliver(row, (frame ??= sseFrame(row)));
          touched.add(s);
        }
      }
      for (const s of touched) s.flush();
      total += rows.length;
      if (rows.length < BATCH || !this.running) break;
    }
    if (total > 0) this.fanoutSeconds.observe(secondsSince(started));
  }

  private wakeSoon(): void {
    if (this.coalesceTimer || !this.running) return;
    this.coalesceTimer = setTimeout(() => {
      this.coalesceTimer = null;
      void this.wake();
    }, this.settings.coalesceMs);
  }

  private heartbeats(): void {
    for (const set of this.byOrg.values()) for (const s of set) s.heartbeat();
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.runtime.options.databaseUrl, application_name: 'app-feed-listener' });
    client.on('notification', () => this.wakeSoon());
    client.on('error', (err) => this.listenLater(err));
    await client.connect();
    await client.query(`LISTEN ${FEED_CHANNEL}`);
    this.listener = client;
    // What committed while no one listened.
    void this.wake();
  }

  private listenLater(err: unknown): void {
    this.runtime.logger.warn({ err: (err as Error).message }, 'feed listener connection lost; polling until it is back');
    const old = this.listener;
    this.listener = null;
    void old?.end().catch(() => undefined);
    if (!this.running || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.running) this.listen().catch((e: unknown) => this.listenLater(e));
    }, 2_000);
    this.reconnectTimer.unref();
  }
}
