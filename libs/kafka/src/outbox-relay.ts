import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Kafka, Producer } from 'kafkajs';
import { backoffDelayMs, type Backoff } from '@telltale/contracts';
import { counter, gauge, type Counter, type Registry } from '@telltale/metrics';
import type { Logger } from '@telltale/telemetry';
import { publishEvents } from './event-publisher';

interface OutboxRow {
  seq: string;
  event_id: string;
  topic: string;
  message_key: string;
  payload: unknown;
  headers: Record<string, string>;
}

export interface OutboxRelayOptions {
  dataSource: DataSource;
  databaseUrl: string;
  schema: string;
  kafka: Kafka;
  logger: Logger;
  /** Safety-net poll; normal wake-ups come from LISTEN/NOTIFY at commit time. */
  pollIntervalMs?: number;
  batchSize?: number;
  /** The service's metrics registry: backlog and age of the oldest unpublished row, read at scrape time. */
  metrics?: Registry;
}

/** Between failed drains (Kafka or the database away). */
const RETRY_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000 };

/** Rows counted at most for the backlog gauge: a scrape stays one bounded index scan whatever piles up. */
export const OUTBOX_BACKLOG_COUNT_LIMIT = 100_000;

/**
 * Publishes outbox rows to Kafka in commit order, at least once. One relay at a time per schema
 * holds a transaction-scoped advisory lock, so several replicas never reorder a key's events.
 * When Kafka is unreachable rows simply stay in the outbox (durable across restarts) and the relay
 * retries with backoff.
 */
export class OutboxRelay {
  private producer: Producer | null = null;
  private listener: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private draining: Promise<void> | null = null;
  private wakeAgain = false;
  private failures = 0;
  private readonly log: Logger;
  private readonly published: Counter | null = null;
  private readonly publishFailures: Counter | null = null;
  /** The read under way: one serves both gauges of a scrape. */
  private reading: Promise<{ backlog: number; oldestAgeSeconds: number } | null> | null = null;

  constructor(private readonly options: OutboxRelayOptions) {
    this.log = options.logger.child({ component: 'outbox-relay' });
    const registry = options.metrics;
    if (!registry) return;
    this.published = counter(registry, { name: 'telltale_outbox_published_total', help: 'Outbox rows published to Kafka.' });
    this.publishFailures = counter(registry, { name: 'telltale_outbox_publish_failures_total', help: 'Outbox drains that failed (Kafka or the database unreachable); retried with backoff.' });
    const relay = this;
    gauge(registry, {
      name: 'telltale_outbox_backlog',
      help: `Outbox rows not yet published (counted up to ${OUTBOX_BACKLOG_COUNT_LIMIT}).`,
      async collect() {
        const reading = await relay.read();
        if (reading) this.set(reading.backlog);
        else this.reset();
      },
    });
    gauge(registry, {
      name: 'telltale_outbox_oldest_age_seconds',
      help: 'Age of the oldest unpublished outbox row (0 when the outbox is empty).',
      async collect() {
        const reading = await relay.read();
        if (reading) this.set(reading.oldestAgeSeconds);
        else this.reset();
      },
    });
  }

  /** Backlog and oldest age for a scrape; null (no sample) when the database cannot be read. */
  private read(): Promise<{ backlog: number; oldestAgeSeconds: number } | null> {
    if (this.reading) return this.reading;
    const schema = this.options.schema;
    this.reading = (
      this.options.dataSource.query(
        `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM "${schema}".outbox WHERE published_at IS NULL LIMIT ${OUTBOX_BACKLOG_COUNT_LIMIT}) pending) AS backlog,
                coalesce((SELECT extract(epoch FROM now() - created_at)::float8 FROM "${schema}".outbox WHERE published_at IS NULL ORDER BY seq LIMIT 1), 0) AS oldest`,
      ) as Promise<{ backlog: number; oldest: number }[]>
    ).then(
      ([row]) => ({ backlog: row!.backlog, oldestAgeSeconds: Math.max(0, row!.oldest) }),
      (err: unknown) => {
        this.log.debug({ err: (err as Error).message }, 'outbox metrics not read');
        return null;
      },
    ).finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  async start(): Promise<void> {
    this.running = true;
    this.producer = this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
    this.listener = new Client({ connectionString: this.options.databaseUrl, application_name: `${this.options.schema}-outbox-listener` });
    this.listener.on('notification', () => this.wake());
    this.listener.on('error', (err) => this.log.warn({ err: err.message }, 'outbox listener connection error; polling continues'));
    await this.listener.connect();
    await this.listener.query(`LISTEN "${this.options.schema}_outbox"`);
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.draining?.catch(() => undefined);
    await this.listener?.end().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    this.listener = null;
    this.producer = null;
  }

  /** Publishes everything pending now; resolves when the outbox was empty at some point. */
  wake(): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.draining) {
      this.wakeAgain = true;
      return this.draining;
    }
    this.draining = this.drain()
      .catch((err: unknown) => {
        this.failures += 1;
        this.publishFailures?.inc();
        this.log.warn({ err: (err as Error).message, failures: this.failures }, 'outbox publish failed; will retry');
      })
      .finally(() => {
        this.draining = null;
        if (this.wakeAgain && this.running) {
          this.wakeAgain = false;
          void this.wake();
        } else {
          this.schedule(this.failures > 0 ? backoffDelayMs(this.failures, RETRY_BACKOFF) : (this.options.pollIntervalMs ?? 1_000));
        }
      });
    return this.draining;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.wake(), ms);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const published = await this.publishBatch();
      if (published === 0) break;
    }
    this.failures = 0;
  }

  private async publishBatch(): Promise<number> {
    const producer = this.producer;
    if (!producer) return 0;
    const { schema, batchSize = 200 } = this.options;
    const published = await this.options.dataSource.transaction(async (manager) => {
      const [{ locked }] = (await manager.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [`telltale-outbox:${schema}`])) as { locked: boolean }[];
      if (!locked) return 0;
      const rows = (await manager.query(
        `SELECT seq, event_id, topic, message_key, payload, headers FROM "${schema}".outbox
         WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
        [batchSize],
      )) as OutboxRow[];
      if (rows.length === 0) return 0;
      await publishEvents(
        producer,
        rows.map((row) => ({ eventId: row.event_id, topic: row.topic, key: row.message_key, payload: row.payload, headers: row.headers })),
      );
      await manager.query(`UPDATE "${schema}".outbox SET published_at = now(), attempts = attempts + 1 WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
      return rows.length;
    });
    this.published?.inc(published);
    return published;
  }

  /** Rows not yet published (the backlog metric). */
  async backlog(): Promise<number> {
    const [{ count }] = (await this.options.dataSource.query(`SELECT count(*)::int AS count FROM "${this.options.schema}".outbox WHERE published_at IS NULL`)) as { count: number }[];
    return count;
  }
}
