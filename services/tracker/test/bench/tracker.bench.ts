/**
 * `npm run bench:tracker`: the open pixel under load over 127.0.0.1, against a static baseline
 * (the bare Node `http` module serving the same GIF with the same headers), measured one after the
 * other in alternating rounds of the same run with the same load generator. Prints one JSON object.
 * Not a test: the figures depend on the machine. BENCH_SECONDS (default 10, per server),
 * BENCH_ROUNDS (default 5), BENCH_CONNECTIONS (default 32) and BENCH_TRACKER_TOPOLOGY (below:
 * `split`, `single`, or unset for both, one after the other, printed as `{ split, single }`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import { trackingEngagementTopic } from '@telltale/contracts';
import { createKafka } from '@telltale/kafka';
import { createLogger } from '@telltale/telemetry';
import { createTestDatabase } from '@telltale/testing';
import { findFreePort } from '@telltale/testing/dist/src/infrastructure/free-port';
import { generateSigningKeySpec, parseSigningKeys, signTrackingToken } from '@telltale/tracking';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const WARMUP_SECONDS = 2;
/**
 * `single` (default): one tracker process serves the pixel and runs the engagement store, as
 * `npm start` does; everything it does for a hit (produce, store, PostgreSQL) competes for the same
 * two cores. `split`: a pixel-only replica (TRACKER_ENGAGEMENT_STORE=false), the production layout
 * for high volume, where the store is its own deployment on other nodes. The hit path ends at
 * Kafka, so each round waits until its hits are on Kafka; the store process (another deployment)
 * is started after the rounds and must then store every hit (its catch-up time is reported).
 */
type Topology = 'split' | 'single';
const TOPOLOGIES: Topology[] = process.env.BENCH_TRACKER_TOPOLOGY === 'split' ? ['split'] : process.env.BENCH_TRACKER_TOPOLOGY === 'single' ? ['single'] : ['split', 'single'];
/**
 * Node flags the tracker runs with (ADR 5, 6; the Helm chart sets the same NODE_OPTIONS): a small
 * young generation and a capped old space for the request thread (the produce worker thread has
 * its own limits), instead of letting V8 grow the heap to ~300 MB under load.
 * BENCH_TRACKER_NODE_FLAGS='' measures Node's defaults.
 */
const TRACKER_NODE_FLAGS = (process.env.BENCH_TRACKER_NODE_FLAGS ?? '--max-semi-space-size=4 --max-old-space-size=96').split(' ').filter(Boolean);

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm run bench:tracker\``);
  return v;
}

const BASELINE_SERVER = `
const http = require('node:http');
const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const headers = { 'Content-Type': 'image/gif', 'Content-Length': String(gif.length), 'Cache-Control': 'no-store, no-cache, must-revalidate, private, max-age=0', Pragma: 'no-cache', Expires: '0' };
http.createServer((req, res) => { res.writeHead(200, headers); res.end(gif); }).listen(Number(process.env.PORT), '127.0.0.1');
`;

interface LoadResult {
  requests: number;
  ok: number;
  errors: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

interface RawLoad {
  latencies: number[];
  ok: number;
  errors: number;
  seconds: number;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const percentile = (sorted: Float64Array, p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);
const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

/** Closed-loop load: CONNECTIONS keep-alive connections, each sending its next request on the last response. */
async function drive(port: number, paths: readonly string[], seconds: number): Promise<RawLoad> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  let next = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  const one = (): Promise<void> =>
    new Promise((done) => {
      const sent = process.hrtime.bigint();
      const req = request({ host: '127.0.0.1', port, path: paths[next++ % paths.length], agent }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
          if (res.statusCode === 200) ok += 1;
          else errors += 1;
          done();
        });
      });
      req.on('error', () => {
        errors += 1;
        done();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (process.hrtime.bigint() < end) await one();
    }),
  );
  agent.destroy();
  return { latencies, ok, errors, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

function summarise(runs: readonly RawLoad[]): LoadResult {
  const ok = runs.reduce((n, r) => n + r.ok, 0);
  const errors = runs.reduce((n, r) => n + r.errors, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const sorted = Float64Array.from(runs.flatMap((r) => r.latencies)).sort();
  return { requests: ok + errors, ok, errors, requestsPerSecond: round((ok + errors) / seconds, 0), p50Ms: round(percentile(sorted, 0.5)), p99Ms: round(percentile(sorted, 0.99)) };
}

async function waitForHttp(port: number, path: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.status).catch(() => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`nothing answered on port ${port}`);
    await delay(200);
  }
}

/** VmHWM (peak resident set) or VmRSS (now) of a process, in MB. */
function rssMb(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? NaN);
  return round(kb / 1024, 1);
}

/**
 * CPU seconds used so far by every process on the machine, grouped: where the two cores go while
 * the tracker is under load (the pixel process, the store process, Kafka, PostgreSQL, the load
 * generator). A diagnostic: on 2 cores everything competes with everything.
 */
function cpuSecondsByRole(roles: ReadonlyMap<number, string>): Map<string, number> {
  const ticks = 100; // USER_HZ on Linux
  const totals = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / ticks;
      const pid = Number(entry);
      let role = roles.get(pid);
      if (role === 'tracker') {
        // The pixel process by thread: request thread, produce worker, V8's helpers (GC, JIT).
        for (const task of readdirSync(`/proc/${entry}/task`)) {
          const taskStat = readFileSync(`/proc/${entry}/task/${task}/stat`, 'utf8');
          const taskFields = taskStat.slice(taskStat.lastIndexOf(')') + 2).split(' ');
          const name = taskStat.slice(taskStat.indexOf('(') + 1, taskStat.lastIndexOf(')'));
          const thread = name === 'MainThread' ? 'request thread' : name === 'WorkerThread' ? 'produce worker' : name === 'V8Worker' ? 'V8 helpers' : 'other threads';
          const key = `tracker: ${thread}`;
          totals.set(key, (totals.get(key) ?? 0) + (Number(taskFields[11]) + Number(taskFields[12])) / ticks);
        }
        continue;
      }
      if (!role) {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        role = cmdline.includes('kafka.Kafka') ? 'kafka' : cmdline.startsWith('postgres') || stat.includes('(postgres)') ? 'postgres' : 'other';
      }
      totals.set(role, (totals.get(role) ?? 0) + seconds);
    } catch {
      // The process ended while we looked.
    }
  }
  return totals;
}

const perThousand = (cpu: ReadonlyMap<string, number>, requests: number): Record<string, number> =>
  Object.fromEntries([...cpu].filter(([, seconds]) => seconds >= 0.01).map(([role, seconds]) => [role, round((seconds * 1e6) / requests, 1)]));

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

async function measure(topology: Topology): Promise<Record<string, unknown>> {
  const repoRoot = resolve(__dirname, '../../../../..');
  const db = await createTestDatabase(env('DATABASE_URL'));
  const spillDir = mkdtempSync(join(tmpdir(), 'tracker-bench-spill-'));
  const keySpec = generateSigningKeySpec('b1');
  const keys = parseSigningKeys(keySpec);
  const prefix = `bench-${randomBytes(4).toString('hex')}.`;
  const trackerPort = await findFreePort();
  const baselinePort = await findFreePort();
  const children: ChildProcess[] = [];
  try {
    const spawnTracker = (port: number, engagementStore: boolean): ChildProcess =>
      spawn(process.execPath, [...TRACKER_NODE_FLAGS, join(repoRoot, 'services/tracker/dist/src/main.js')], {
        cwd: repoRoot,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          KAFKA_BROKERS: env('KAFKA_BROKERS'),
          KAFKA_TOPIC_PREFIX: prefix,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          TRACKING_SIGNING_KEYS: keySpec,
          TRACKER_SPILL_DIR: join(spillDir, String(port)),
          TRACKER_ENGAGEMENT_STORE: String(engagementStore),
          // As the Helm chart runs it: two malloc arenas, not one per thread (~10 MB less resident).
          MALLOC_ARENA_MAX: process.env.BENCH_TRACKER_MALLOC_ARENA_MAX ?? '2',
        },
      });
    // `split`: the pixel replica runs no engagement store; a second tracker process (no traffic) does.
    const tracker = spawnTracker(trackerPort, topology === 'single');
    children.push(tracker);
    const baseline = spawn(process.execPath, ['-e', BASELINE_SERVER], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PORT: String(baselinePort) } });
    children.push(baseline);
    await waitForHttp(trackerPort, '/health/ready');
    await waitForHttp(baselinePort, '/');
    const rssAtReadyMb = rssMb(tracker.pid!, 'VmRSS');

    // Valid tokens for 2,000 emails of 20 orgs, signed up front so the generator does no crypto.
    const orgs = Array.from({ length: 20 }, () => randomUUID());
    const paths = Array.from({ length: 2_000 }, (_, i) => `/o/${signTrackingToken({ kind: 'open', orgId: orgs[i % orgs.length]!, sentEmailId: randomUUID(), issuedAt: new Date(Date.now() - 3_600_000) }, keys)}`);

    // After each tracker round, wait until its hits are on Kafka and in the engagement store, so
    // the tracker's deferred work (produce, broker, store inserts) is counted against the tracker
    // and never slows the next baseline round.
    const topic = prefix + trackingEngagementTopic.name;
    const kafka = createKafka({ brokers: env('KAFKA_BROKERS').split(','), clientId: 'tracker-bench', logger: createLogger({ service: 'tracker-bench', level: 'silent' }) });
    const admin = kafka.admin();
    await admin.connect();
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const onTopic = async () => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    const storedRows = async () => ((await pg.query(`SELECT count(*)::int AS n FROM tracker.engagement`)).rows as { n: number }[])[0]!.n;
    let settleSeconds = 0;
    const settle = async (sent: number): Promise<void> => {
      const started = Date.now();
      while ((await onTopic()) < sent || (topology === 'single' && (await storedRows()) < sent)) {
        if (Date.now() - started > 60_000) break;
        await delay(50);
      }
      settleSeconds += (Date.now() - started) / 1000;
    };

    await drive(baselinePort, ['/'], WARMUP_SECONDS);
    const warmup = await drive(trackerPort, paths, WARMUP_SECONDS);
    let sentSoFar = warmup.ok;
    await settle(sentSoFar);
    // Alternating rounds, so load from anything else on the machine falls on both alike.
    const baselineRuns: RawLoad[] = [];
    const trackerRuns: RawLoad[] = [];
    const roles = new Map<number, string>([[process.pid, 'load generator'], [tracker.pid!, 'tracker'], [baseline.pid!, 'baseline']]);
    const backlog = { notYetOnKafka: 0, notYetStored: topology === 'single' ? 0 : null as number | null };
    const cpuDuringTrackerRounds = new Map<string, number>();
    const cpuDuringBaselineRounds = new Map<string, number>();
    const measured = async <T>(into: Map<string, number>, work: () => Promise<T>): Promise<T> => {
      const before = cpuSecondsByRole(roles);
      const result = await work();
      for (const [role, seconds] of cpuSecondsByRole(roles)) into.set(role, (into.get(role) ?? 0) + seconds - (before.get(role) ?? 0));
      return result;
    };
    for (let round = 0; round < ROUNDS; round++) {
      baselineRuns.push(await measured(cpuDuringBaselineRounds, () => drive(baselinePort, ['/'], SECONDS / ROUNDS)));
      const run = await measured(cpuDuringTrackerRounds, () => drive(trackerPort, paths, SECONDS / ROUNDS));
      trackerRuns.push(run);
      sentSoFar += run.ok;
      // How far behind the load each stage was when the round ended (work deferred past it).
      const onKafka = await onTopic();
      backlog.notYetOnKafka = Math.max(backlog.notYetOnKafka, sentSoFar - onKafka);
      if (backlog.notYetStored !== null) backlog.notYetStored = Math.max(backlog.notYetStored, sentSoFar - (await storedRows()));
      await settle(sentSoFar);
    }
    await admin.disconnect();
    const baselineResult = summarise(baselineRuns);
    const trackerResult = summarise(trackerRuns);
    const hitsSent = warmup.ok + trackerResult.ok;
    const peakRss = rssMb(tracker.pid!);
    // The store's catch-up: from the end of the load (single) or from its start (split).
    let storeStart = Date.now();
    if (topology === 'split') {
      const storePort = await findFreePort();
      children.push(spawnTracker(storePort, true));
      await waitForHttp(storePort, '/health/ready');
      storeStart = Date.now();
    }

    // Hits that reached Kafka: every message on the topic, read back, counted by event id (the
    // engagement id), so a duplicate shows as one.
    const eventIds = new Set<string>();
    let messages = 0;
    const reader = kafka.consumer({ groupId: `${prefix}bench-reader`, maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topics: [topic], fromBeginning: true });
    await reader.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          messages += 1;
          eventIds.add(String(message.headers?.['event-id'] ?? ''));
        }
      },
    });
    const drainStart = Date.now();
    while (eventIds.size < hitsSent && Date.now() - drainStart < 180_000) await delay(200);
    const drainSeconds = round((Date.now() - drainStart) / 1000, 1);
    await reader.disconnect();
    // The engagement store (a consumer of the topic) catching up.
    let stored = await storedRows();
    while (stored < eventIds.size && Date.now() - storeStart < 180_000) {
      await delay(200);
      stored = await storedRows();
    }
    const storeCatchUpSeconds = round((Date.now() - storeStart) / 1000, 1);
    await pg.end();
    const distinct = eventIds.size;

    const ratio = round(trackerResult.requestsPerSecond / baselineResult.requestsPerSecond, 3);
    return {
      seconds: SECONDS,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      trackerNodeFlags: TRACKER_NODE_FLAGS.join(' '),
      topology,
      cores: (await import('node:os')).availableParallelism(),
      baseline: { server: 'node:http', ...baselineResult },
      tracker: trackerResult,
      throughputRatio: ratio,
      trackerRssAtReadyMb: rssAtReadyMb,
      trackerPeakRssMb: peakRss,
      hitsSent,
      hitsInKafka: messages,
      distinctEventsPublished: distinct,
      hitsLost: Math.max(0, hitsSent - distinct),
      duplicatesInKafka: Math.max(0, messages - distinct),
      kafkaDrainSeconds: drainSeconds,
      rowsInEngagementStore: stored,
      storeCatchUpSecondsAfterLoad: storeCatchUpSeconds,
      settleSecondsBetweenRounds: round(settleSeconds, 1),
      maxBacklogAtRoundEnd: backlog,
      // CPU per 1 000 requests during each server's rounds, by process (ms).
      cpuMsPer1000Requests: {
        trackerRounds: perThousand(cpuDuringTrackerRounds, trackerResult.requests),
        baselineRounds: perThousand(cpuDuringBaselineRounds, baselineResult.requests),
      },
      goals: {
        throughputAtLeastHalfOfBaseline: ratio >= 0.5,
        p99Under20Ms: trackerResult.p99Ms < 20,
        zeroHitsLost: hitsSent === distinct && messages === distinct && stored === distinct,
        rssUnder200Mb: peakRss < 200,
      },
    };
  } finally {
    for (const child of children) await stop(child);
    await db.drop().catch(() => undefined);
    rmSync(spillDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  for (const topology of TOPOLOGIES) results[topology] = await measure(topology);
  process.stdout.write(`${JSON.stringify(TOPOLOGIES.length === 1 ? results[TOPOLOGIES[0]!] : results, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`tracker bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
