/**
 * `npm run bench:feed`: the live feed (issue 13) over 127.0.0.1. The app runs as its own process
 * (services/app/dist/src/main.js, as in a pod) against the PostgreSQL and Kafka bench.mjs starts;
 * this script produces email.sent.v1 events the way the sender's outbox relay does and reads
 * /api/v1/feed/stream (Server-Sent Events, API key) with plain node:http clients. Prints one JSON
 * object. Not a test: the figures depend on the machine (its load average is printed).
 *
 * 1. Latency: one stream, BENCH_RATE events/s (default 50) for BENCH_SECONDS (default 20): from the
 *    produce call to the event's arrival on the stream, p50/p99/max.
 * 2. Fan-out: BENCH_CONNECTIONS streams (default 1 000) on the one app process: the app's resident
 *    memory and V8 heap before and after they connect (per connection), then BENCH_FANOUT_RATE
 *    events/s (default 50) for BENCH_FANOUT_SECONDS (default 10): produce → arrival on every
 *    stream (p50/p99 of all deliveries, p50/p99 of the last stream to get each event), and whether
 *    every stream got every event exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { emailSentTopic, mailboxConnectionChangedTopic, type EmailSent } from '@telltale/contracts';
import { createKafka } from '@telltale/kafka';
import { IdentityTokenIssuer } from '@telltale/runtime';
import { createLogger } from '@telltale/telemetry';
import { createTestDatabase } from '@telltale/testing';
import { findFreePort } from '@telltale/testing/dist/src/infrastructure/free-port';
import { eventually, requiredEnv } from '../../src';
import { EventProducer } from '../../src/event-producer';

const REPO_ROOT = resolve(__dirname, '../../../../..');
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 1000);
const FANOUT_RATE = Number(process.env.BENCH_FANOUT_RATE ?? 50);
const FANOUT_SECONDS = Number(process.env.BENCH_FANOUT_SECONDS ?? 10);

const percentile = (sorted: number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const ms = (n: number): number => Math.round(n * 10) / 10;
function summary(values: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: ms(percentile(sorted, 50)), p99: ms(percentile(sorted, 99)), max: ms(sorted[sorted.length - 1] ?? NaN) };
}

/** Milliseconds on a clock shared by the main thread and the readers' worker. */
const now = (): number => performance.timeOrigin + performance.now();

/** A bare SSE reader: the number of each `bench-<n>` subject received and when. */
class BenchStream {
  readonly received = new Map<number, number>();
  duplicates = 0;
  private res: IncomingMessage | null = null;
  private buffer = '';

  static open(url: string, apiKey: string): Promise<BenchStream> {
    const s = new BenchStream();
    return new Promise((done, fail) => {
      const req = request(url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${apiKey}` }, agent: false }, (res) => {
        if (res.statusCode !== 200) return fail(new Error(`stream answered ${res.statusCode}`));
        s.res = res;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => s.take(chunk));
        done(s);
      });
      req.on('error', fail);
      req.end();
    });
  }

  private take(chunk: string): void {
    const at = now();
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const match = /"subject":"bench-(\d+)"/.exec(block);
      if (!match) continue;
      const n = Number(match[1]);
      if (this.received.has(n)) this.duplicates += 1;
      else this.received.set(n, at);
    }
  }

  close(): void {
    this.res?.destroy();
  }
}

/** CPU seconds (user + system) the process has used. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function memoryOf(pid: number): { rssBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssBytes: Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024 };
}

/** The app's own measure of a wake-up's read and fan-out (telltale_app_feed_fanout_seconds): count, mean and the buckets' p50/p99 bounds. */
async function serverFanout(metricsUrl: string): Promise<{ count: number; sumSeconds: number; buckets: [number, number][] }> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const buckets = [...text.matchAll(/^telltale_app_feed_fanout_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)].map((m) => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])] as [number, number]);
  const count = Number(/^telltale_app_feed_fanout_seconds_count (\S+)$/m.exec(text)?.[1] ?? 0);
  const sumSeconds = Number(/^telltale_app_feed_fanout_seconds_sum (\S+)$/m.exec(text)?.[1] ?? 0);
  return { count, sumSeconds, buckets };
}

function fanoutBetween(a: Awaited<ReturnType<typeof serverFanout>>, b: Awaited<ReturnType<typeof serverFanout>>): { wakeUps: number; meanMs: number; p50AtMostMs: number; p99AtMostMs: number } {
  const count = b.count - a.count;
  const bound = (p: number): number => {
    const target = (p / 100) * count;
    const hit = b.buckets.find(([le], i) => b.buckets[i]![1] - (a.buckets[i]?.[1] ?? 0) >= target && le >= 0);
    return hit ? hit[0] * 1000 : NaN;
  };
  return { wakeUps: count, meanMs: ms(((b.sumSeconds - a.sumSeconds) / Math.max(1, count)) * 1000), p50AtMostMs: bound(50), p99AtMostMs: bound(99) };
}

async function heapUsed(metricsUrl: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const match = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return match ? Number(match[1]) : NaN;
}

async function main(): Promise<void> {
  const brokers = requiredEnv('KAFKA_BROKERS');
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  const prefix = `bench-feed-${randomBytes(4).toString('hex')}.`;
  const orgId = randomUUID();
  const mailboxId = randomUUID();
  const apiKey = `ttk_${randomBytes(16).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const [port, metricsPort] = [await findFreePort(), await findFreePort()];
  const signing = await IdentityTokenIssuer.generate('telltale-app');
  const unreachable = 'http://127.0.0.1:9';
  let app: ChildProcess | null = null;
  let log = '';
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'bench-feed', logger: createLogger({ service: 'bench', level: 'error' }) });
  const producer = new EventProducer(kafka, prefix);
  const streams: BenchStream[] = [];
  let closeReaders = async (): Promise<void> => undefined;
  try {
    app = spawn(process.execPath, [resolve(REPO_ROOT, 'services/app/dist/src/main.js')], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        KAFKA_BROKERS: brokers,
        KAFKA_TOPIC_PREFIX: prefix,
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        LOG_LEVEL: 'warn',
        APP_PUBLIC_URL: `http://127.0.0.1:${port}`,
        IDENTITY_SIGNING_KEY: JSON.stringify(signing.privateJwk),
        IDENTITY_ISSUER: 'telltale-app',
        APP_ENCRYPTION_KEYS: `a1:${randomBytes(32).toString('base64')}`,
        OIDC_ALLOW_HTTP_ISSUERS: 'true',
        APP_BOOTSTRAP: JSON.stringify({
          orgId,
          name: 'Bench',
          admins: ['admin@telltale.test'],
          identityProvider: { issuer: unreachable, clientId: 'bench' },
          apiKey: { name: 'bench', key: apiKey, scopes: ['read'] },
        }),
        SEQUENCER_URL: unreachable,
        SENDER_URL: unreachable,
        TRACKER_URL: unreachable,
        MAILBOX_SYNC_URL: unreachable,
        REPLY_DETECTOR_URL: unreachable,
      },
    });
    app.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    app.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const url = `http://127.0.0.1:${port}`;
    await eventually('the app ready', async () => app!.exitCode === null && (await fetch(`${url}/health/ready`).then((r) => r.ok, () => false)), { timeoutMs: 120_000, intervalMs: 250 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${log}`);
    });
    // Ready answers before APP_BOOTSTRAP has made the API key.
    await eventually('the API key works', async () => (await fetch(`${url}/api/v1/feed`, { headers: { authorization: `Bearer ${apiKey}` } })).ok, { timeoutMs: 30_000 });
    await producer.start();
    await producer.produce(
      mailboxConnectionChangedTopic,
      { orgId, mailboxId, provider: 'imap', emailAddress: 'rep@bench.test', previousState: null, state: 'connected', reason: null, changedAt: new Date().toISOString(), ownerUserId: null },
      orgId,
    );
    let seq = 0;
    const producedAt = new Map<number, number>();
    const sent = (n: number): EmailSent => {
      const id = randomUUID();
      return {
        sentEmailId: id,
        sendRequestId: randomUUID(),
        orgId,
        mailboxId,
        enrollmentId: null,
        sequenceId: null,
        stepNumber: null,
        messageId: `<${id}@bench.test>`,
        providerMessageId: null,
        providerThreadId: null,
        from: { address: 'rep@bench.test', name: 'Rep' },
        to: [{ address: `p${n}@prospect.example`, name: `Prospect ${n}` }],
        cc: [],
        subject: `bench-${n}`,
        tracking: { opens: true, clicks: false, trackedLinks: 0 },
        sentAt: new Date().toISOString(),
      };
    };
    /** Produces `count` events at `rate`/s (each send awaited: acks from all replicas, as the relay does). */
    const produceAt = async (rate: number, seconds: number): Promise<number[]> => {
      const numbers: number[] = [];
      const start = performance.now();
      const total = Math.round(rate * seconds);
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await delay(wait);
        const n = ++seq;
        const payload = sent(n);
        producedAt.set(n, now());
        producer.produce(emailSentTopic, payload, orgId).catch((err: Error) => process.stderr.write(`produce failed: ${err.message}\n`));
        numbers.push(n);
      }
      return numbers;
    };

    // Warm-up: the consumer has joined and the first rows went through.
    const probe = await BenchStream.open(`${url}/api/v1/feed/stream`, apiKey);
    streams.push(probe);
    const warm = await produceAt(10, 1);
    await eventually('warm-up events streamed', () => warm.every((n) => probe.received.has(n)), { timeoutMs: 60_000 });

    // 1. One stream, RATE events/s.
    const measured = await produceAt(RATE, SECONDS);
    await eventually('every event streamed', () => measured.every((n) => probe.received.has(n)), { timeoutMs: 60_000 }).catch(() => undefined);
    const latency = measured.filter((n) => probe.received.has(n)).map((n) => probe.received.get(n)! - producedAt.get(n)!);
    const latencyResult = { rate: RATE, seconds: SECONDS, produced: measured.length, received: latency.length, duplicates: probe.duplicates, produceToStreamMs: summary(latency) };

    // 2. CONNECTIONS streams on the one process.
    await delay(1000);
    const before = { ...memoryOf(app.pid!), heapBytes: await heapUsed(`http://127.0.0.1:${metricsPort}`) };
    // The readers run in a worker thread: their event loop is not the producer's (each would delay the other's clock readings).
    const connectStart = performance.now();
    const readers = new Worker(__filename, { workerData: { url: `${url}/api/v1/feed/stream`, apiKey, count: CONNECTIONS } });
    const fromReaders = <T>(type: string): Promise<T> =>
      new Promise((done, fail) => {
        const onMessage = (m: { type: string }) => {
          if (m.type !== type) return;
          readers.off('message', onMessage);
          done(m as T);
        };
        readers.on('message', onMessage);
        readers.once('error', fail);
      });
    closeReaders = async () => {
      readers.postMessage({ type: 'close' });
      await readers.terminate();
    };
    await fromReaders('ready');
    const connectMs = performance.now() - connectStart;
    await delay(2000);
    const afterConnect = { ...memoryOf(app.pid!), heapBytes: await heapUsed(`http://127.0.0.1:${metricsPort}`) };
    const serverBefore = await serverFanout(`http://127.0.0.1:${metricsPort}`);
    const cpuBefore = cpuSecondsOf(app.pid!);
    const clientCpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const fanout = await produceAt(FANOUT_RATE, FANOUT_SECONDS);
    const collected = fromReaders<{ arrivals: number[][]; duplicates: number }>('result');
    readers.postMessage({ type: 'collect', numbers: fanout });
    const { arrivals, duplicates } = await collected;
    const deliveries: number[] = [];
    const lastStream: number[] = [];
    let missing = 0;
    fanout.forEach((n, i) => {
      let last = 0;
      for (const at of arrivals[i]!) {
        if (Number.isNaN(at)) {
          missing += 1;
          continue;
        }
        const d = at - producedAt.get(n)!;
        deliveries.push(d);
        last = Math.max(last, d);
      }
      lastStream.push(last);
    });
    const appCpuSeconds = cpuSecondsOf(app.pid!) - cpuBefore;
    const wallSeconds = (performance.now() - wallBefore) / 1000;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const serverSide = fanoutBetween(serverBefore, await serverFanout(`http://127.0.0.1:${metricsPort}`));
    const afterEvents = { ...memoryOf(app.pid!), heapBytes: await heapUsed(`http://127.0.0.1:${metricsPort}`) };
    // Where the time goes: occurred_at is the payload's sentAt (set when produced), created_at the projecting transaction's start.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const consumed = async (from: number, to: number) =>
      (
        await pg.query(
          `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
             FROM (SELECT extract(epoch FROM created_at - occurred_at) * 1000 AS ms FROM app.feed_item WHERE kind = 'sent' AND (detail->>'subject') ~ '^bench-' AND substring(detail->>'subject' FROM 7)::int BETWEEN $1 AND $2) t`,
          [from, to],
        )
      ).rows[0] as { p50: number; p99: number };
    const producedToProjected = { latencyPhase: await consumed(measured[0]!, measured[measured.length - 1]!), fanoutPhase: await consumed(fanout[0]!, fanout[fanout.length - 1]!) };
    await pg.end();
    const result = {
      /** Produce → the projecting transaction's start (Kafka, the consumer and its queue), from the database. */
      producedToProjectedMs: producedToProjected,
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
      latency: latencyResult,
      fanout: {
        connections: CONNECTIONS,
        connectSeconds: ms(connectMs / 1000),
        memory: {
          rssBeforeMiB: ms(before.rssBytes / 2 ** 20),
          rssAfterConnectMiB: ms(afterConnect.rssBytes / 2 ** 20),
          rssAfterEventsMiB: ms(afterEvents.rssBytes / 2 ** 20),
          rssPerConnectionKiB: ms((afterConnect.rssBytes - before.rssBytes) / CONNECTIONS / 1024),
          heapPerConnectionKiB: ms((afterConnect.heapBytes - before.heapBytes) / CONNECTIONS / 1024),
        },
        rate: FANOUT_RATE,
        events: fanout.length,
        deliveries: deliveries.length,
        missing,
        /** The app's CPU use while producing and until the last delivery (1 = one core). */
        appCpuCores: ms(appCpuSeconds / wallSeconds),
        /** This script's CPU (the producer and the 1 000 readers' worker), same period: arrival times include its own delays. */
        readerCpuCores: ms((clientCpu.user + clientCpu.system) / 1e6 / wallSeconds),
        /** In the app: a wake-up's read and its writes to every stream (telltale_app_feed_fanout_seconds; p50/p99 as bucket bounds). */
        appReadAndFanout: serverSide,
        duplicates,
        produceToEachStreamMs: summary(deliveries),
        produceToLastStreamMs: summary(lastStream),
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const s of streams) s.close();
    await closeReaders().catch(() => undefined);
    await producer.stop().catch(() => undefined);
    if (app && app.exitCode === null) {
      app.kill('SIGTERM');
      await new Promise((done) => app!.once('exit', done));
    }
    await db.drop();
  }
}

/** The worker: opens `count` streams, and on `collect` answers when each event reached each stream (NaN: never, within 60 s). */
async function readersWorker(options: { url: string; apiKey: string; count: number }): Promise<void> {
  const streams: BenchStream[] = [];
  for (let i = 0; i < options.count; i += 50) {
    streams.push(...(await Promise.all(Array.from({ length: Math.min(50, options.count - i) }, () => BenchStream.open(options.url, options.apiKey)))));
  }
  parentPort!.on('message', (m: { type: string; numbers?: number[] }) => {
    if (m.type === 'close') {
      for (const s of streams) s.close();
      return;
    }
    const numbers = m.numbers!;
    void eventually('every stream got every event', () => numbers.every((n) => streams.every((s) => s.received.has(n))), { timeoutMs: 60_000 })
      .catch(() => undefined)
      .then(() => {
        const arrivals = numbers.map((n) => streams.map((s) => s.received.get(n) ?? NaN));
        parentPort!.postMessage({ type: 'result', arrivals, duplicates: streams.reduce((sum, s) => sum + s.duplicates, 0) });
      });
  });
  parentPort!.postMessage({ type: 'ready' });
}

if (isMainThread) {
  main().catch((err: unknown) => {
    process.stderr.write(`feed bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
} else {
  readersWorker(workerData as { url: string; apiKey: string; count: number }).catch((err: unknown) => {
    process.stderr.write(`feed bench readers failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
