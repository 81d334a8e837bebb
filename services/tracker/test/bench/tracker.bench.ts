/**
 * `npm run bench:tracker`: the open pixel under load over 127.0.0.1, against a static baseline
 * (the bare Node `http` module serving the same GIF with the same headers), measured in alternating
 * rounds of the same run with the same load generator: `wrk` (a C load generator; Debian's
 * `apt-get install -y wrk`), driven by `wrk-pixel.lua`, which rotates over thousands of distinct
 * signed pixel URLs with a real browser's User-Agent and prints latency percentiles. Prints one JSON
 * object. Not a test: the figures depend on the machine (its load average is printed).
 * BENCH_SECONDS (default 10, per round and server), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS
 * (default 32), BENCH_WRK_THREADS (default 2), BENCH_TRACKER_WORKERS (TRACKER_WORKERS of the
 * tracker, default 1) and BENCH_TRACKER_TOPOLOGY (below: `split`, `single`, or unset for both, one
 * after the other, printed as `{ split, single }`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
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

const REPO_ROOT = resolve(__dirname, '../../../../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const WARMUP_SECONDS = 2;
const WORKERS = Number(process.env.BENCH_TRACKER_WORKERS ?? 1);
/** Distinct emails (signed pixel URLs) the load rotates over. */
const EMAILS = Number(process.env.BENCH_EMAILS ?? 20_000);
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

interface RoundResult {
  requests: number;
  /** Answers with a status other than 2xx/3xx, and socket errors (connect, read, write, timeout). */
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

interface LoadResult {
  requests: number;
  errors: number;
  requestsPerSecond: number;
  /** Median of the rounds' p50 and p99; worst round's p99 (wrk gives percentiles per run). */
  p50Ms: number;
  p99Ms: number;
  worstRoundP99Ms: number;
  rounds: { rps: number; p50Ms: number; p99Ms: number; p999Ms: number; maxMs: number }[];
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const round = (n: number, digits = 2): number => Number(n.toFixed(digits));
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
};

const WRK = process.env.BENCH_WRK ?? '/usr/bin/wrk';
const WRK_THREADS = Number(process.env.BENCH_WRK_THREADS ?? 2);
const WRK_SCRIPT = 'services/tracker/test/bench/wrk-pixel.lua';

/** wrk must be there: the JS load generator this bench used before topped out near 20 000 req/s (issue 10). */
function requireWrk(): void {
  if (existsSync(WRK)) return;
  process.stderr.write(`tracker bench: wrk not found at ${WRK}. Install it (Debian/Ubuntu: \`apt-get install -y wrk\`) or point BENCH_WRK at it.\n`);
  process.exit(2);
}

/** One wrk run (closed loop: CONNECTIONS keep-alive connections over WRK_THREADS threads) against a port. */
async function wrk(port: number, pathsFile: string, seconds: number): Promise<RoundResult> {
  const args = [`-t${WRK_THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '5s', '-s', WRK_SCRIPT, `http://127.0.0.1:${port}/`];
  const child = spawn(WRK, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, WRK_PATHS: pathsFile } });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number>((done) => child.once('exit', (c) => done(c ?? 1)));
  const line = /^WRK_RESULT (.*)$/m.exec(out)?.[1];
  if (code !== 0 || !line) throw new Error(`wrk ${args.join(' ')} failed (exit ${code}):\n${out}`);
  const r = JSON.parse(line) as { requests: number; durationUs: number; errors: Record<string, number>; latencyUs: Record<string, number> };
  const seconds_ = r.durationUs / 1e6;
  const ms = (us: number | undefined) => round((us ?? NaN) / 1000);
  return {
    requests: r.requests,
    errors: Object.values(r.errors).reduce((a, b) => a + b, 0),
    seconds: seconds_,
    requestsPerSecond: round(r.requests / seconds_, 0),
    p50Ms: ms(r.latencyUs.p50),
    p90Ms: ms(r.latencyUs.p90),
    p99Ms: ms(r.latencyUs.p99),
    p999Ms: ms(r.latencyUs.p999),
    maxMs: ms(r.latencyUs.max),
  };
}

export const WRK_COMMAND = (seconds: number) => `wrk -t${WRK_THREADS} -c${CONNECTIONS} -d${seconds}s --timeout 5s -s ${WRK_SCRIPT} http://127.0.0.1:<port>/`;

function summarise(runs: readonly RoundResult[]): LoadResult {
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const errors = runs.reduce((n, r) => n + r.errors, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  return {
    requests,
    errors,
    requestsPerSecond: round(requests / seconds, 0),
    p50Ms: round(median(runs.map((r) => r.p50Ms))),
    p99Ms: round(median(runs.map((r) => r.p99Ms))),
    worstRoundP99Ms: Math.max(...runs.map((r) => r.p99Ms)),
    rounds: runs.map((r) => ({ rps: r.requestsPerSecond, p50Ms: r.p50Ms, p99Ms: r.p99Ms, p999Ms: r.p999Ms, maxMs: r.maxMs })),
  };
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
 * CPU seconds used so far by every process on the machine, by process (and by thread for the
 * tracker): where the two cores go while the tracker is under load (the pixel process, the store,
 * Kafka, PostgreSQL, the load generator). Kafka and PostgreSQL are this bench's own (descendants of
 * bench.mjs); processes of anything else on the machine are "not this bench". A diagnostic: on 2
 * cores everything competes with everything.
 */
type CpuSample = Map<string, { role: string; seconds: number }>;
function cpuSample(roles: ReadonlyMap<number, string>): CpuSample {
  const ticks = 100; // USER_HZ on Linux
  const sample: CpuSample = new Map();
  const ours = new Set(processTree(process.ppid));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      let role = roles.get(pid);
      // The bench script's own CPU and its exited children's (wrk, reaped after each round).
      const seconds = (Number(fields[11]) + Number(fields[12]) + (pid === process.pid ? Number(fields[13]) + Number(fields[14]) : 0)) / ticks;
      if (role?.startsWith('tracker')) {
        // The pixel process by thread: request thread, produce worker, V8's helpers (GC, JIT).
        for (const task of readdirSync(`/proc/${entry}/task`)) {
          const taskStat = readFileSync(`/proc/${entry}/task/${task}/stat`, 'utf8');
          const taskFields = taskStat.slice(taskStat.lastIndexOf(')') + 2).split(' ');
          const name = taskStat.slice(taskStat.indexOf('(') + 1, taskStat.lastIndexOf(')'));
          const thread = name === 'MainThread' ? 'request thread' : name === 'WorkerThread' ? 'produce worker' : name === 'V8Worker' ? 'V8 helpers' : 'other threads';
          sample.set(`${entry}/${task}`, { role: `${role}: ${thread}`, seconds: (Number(taskFields[11]) + Number(taskFields[12])) / ticks });
        }
        continue;
      }
      if (!role) {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        role = !ours.has(pid) ? 'not this bench' : cmdline.includes('kafka.Kafka') ? 'kafka' : cmdline.startsWith('postgres') || stat.includes('(postgres)') ? 'postgres' : 'other';
      }
      sample.set(entry, { role, seconds });
    } catch {
      // The process ended while we looked.
    }
  }
  return sample;
}

/** CPU seconds by role between two samples, over processes and threads present in both. */
function cpuBetween(before: CpuSample, after: CpuSample, into: Map<string, number>): void {
  for (const [key, { role, seconds }] of after) {
    const earlier = before.get(key);
    if (earlier) into.set(role, (into.get(role) ?? 0) + seconds - earlier.seconds);
  }
}

const perThousand = (cpu: ReadonlyMap<string, number>, requests: number): Record<string, number> =>
  Object.fromEntries([...cpu].filter(([, seconds]) => Math.abs(seconds) >= 0.01).map(([role, seconds]) => [role, round((seconds * 1e6) / requests, 1)]));

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** Pids of a process and its descendants (a tracker with TRACKER_WORKERS > 1 forks its pixel workers). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const tree: number[] = [];
  const walk = (pid: number) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return tree;
}

/** Hits the tracker recorded (its `telltale_tracker_hits_total`, every type and label). */
async function hitsRecorded(metricsPort: number): Promise<number> {
  const page = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  let total = 0;
  for (const m of page.matchAll(/^telltale_tracker_hits_total\{[^}]*\} (\d+(?:\.\d+)?(?:e\+\d+)?)$/gm)) total += Number(m[1]);
  return total;
}

async function measure(topology: Topology): Promise<Record<string, unknown>> {
  requireWrk();
  const db = await createTestDatabase(env('DATABASE_URL'));
  const spillDir = mkdtempSync(join(tmpdir(), 'tracker-bench-spill-'));
  const keySpec = generateSigningKeySpec('b1');
  const keys = parseSigningKeys(keySpec);
  const prefix = `bench-${randomBytes(4).toString('hex')}.`;
  const trackerPort = await findFreePort();
  const trackerMetricsPort = await findFreePort();
  const baselinePort = await findFreePort();
  const children: ChildProcess[] = [];
  const loadAverageAtStart = loadavg().map((n) => round(n));
  try {
    const spawnTracker = (port: number, metricsPort: number, engagementStore: boolean, workers: number): ChildProcess =>
      spawn(process.execPath, [...TRACKER_NODE_FLAGS, join(REPO_ROOT, 'services/tracker/dist/src/main.js')], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          KAFKA_BROKERS: env('KAFKA_BROKERS'),
          KAFKA_TOPIC_PREFIX: prefix,
          PORT: String(port),
          METRICS_PORT: String(metricsPort),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          TRACKING_SIGNING_KEYS: keySpec,
          TRACKER_SPILL_DIR: join(spillDir, String(port)),
          TRACKER_ENGAGEMENT_STORE: String(engagementStore),
          TRACKER_WORKERS: String(workers),
          // As the Helm chart runs it: two malloc arenas, not one per thread (~10 MB less resident).
          MALLOC_ARENA_MAX: process.env.BENCH_TRACKER_MALLOC_ARENA_MAX ?? '2',
        },
      });
    // `split`: the pixel replica runs no engagement store; a second tracker process (no traffic) does.
    const tracker = spawnTracker(trackerPort, trackerMetricsPort, topology === 'single', WORKERS);
    children.push(tracker);
    const baseline = spawn(process.execPath, ['-e', BASELINE_SERVER], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PORT: String(baselinePort) } });
    children.push(baseline);
    await waitForHttp(trackerPort, '/health/ready');
    await waitForHttp(baselinePort, '/');
    const trackerRss = (field: 'VmHWM' | 'VmRSS') => round(processTree(tracker.pid!).reduce((sum, pid) => sum + rssMb(pid, field), 0), 1);
    const rssAtReadyMb = trackerRss('VmRSS');

    // Valid tokens for EMAILS emails of 20 orgs, signed up front so the generator does no crypto.
    const orgs = Array.from({ length: 20 }, () => randomUUID());
    const paths = Array.from({ length: EMAILS }, (_, i) => `/o/${signTrackingToken({ kind: 'open', orgId: orgs[i % orgs.length]!, sentEmailId: randomUUID(), issuedAt: new Date(Date.now() - 3_600_000) }, keys)}`);
    const pathsFile = join(spillDir, 'paths.txt');
    writeFileSync(pathsFile, paths.join('\n') + '\n');
    const baselinePathsFile = join(spillDir, 'baseline-paths.txt');
    writeFileSync(baselinePathsFile, paths.map((p) => p.replace('/o/', '/x/')).join('\n') + '\n');

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
    const settle = async (): Promise<number> => {
      const started = Date.now();
      // wrk stops with requests in flight that the tracker still answered and recorded: the
      // tracker's own count is what must reach Kafka (and the store).
      const recorded = await hitsRecorded(trackerMetricsPort);
      while ((await onTopic()) < recorded || (topology === 'single' && (await storedRows()) < recorded)) {
        if (Date.now() - started > 60_000) break;
        await delay(50);
      }
      settleSeconds += (Date.now() - started) / 1000;
      return recorded;
    };

    const roles = new Map<number, string>([[process.pid, 'load generator (wrk, and the bench script)'], [tracker.pid!, 'tracker'], [baseline.pid!, 'baseline']]);
    await wrk(baselinePort, baselinePathsFile, WARMUP_SECONDS);
    await wrk(trackerPort, pathsFile, WARMUP_SECONDS);
    await settle();
    // Alternating rounds, so load from anything else on the machine falls on both alike.
    const baselineRuns: RoundResult[] = [];
    const trackerRuns: RoundResult[] = [];
    const backlog = { notYetOnKafka: 0, notYetStored: topology === 'single' ? 0 : null as number | null };
    const cpuDuringTrackerRounds = new Map<string, number>();
    const cpuDuringBaselineRounds = new Map<string, number>();
    const measured = async (into: Map<string, number>, port: number, file: string): Promise<RoundResult> => {
      for (const pid of processTree(tracker.pid!).slice(1)) roles.set(pid, 'tracker worker');
      const before = cpuSample(roles);
      const result = await wrk(port, file, SECONDS);
      cpuBetween(before, cpuSample(roles), into);
      return result;
    };
    for (let r = 0; r < ROUNDS; r++) {
      baselineRuns.push(await measured(cpuDuringBaselineRounds, baselinePort, baselinePathsFile));
      trackerRuns.push(await measured(cpuDuringTrackerRounds, trackerPort, pathsFile));
      // How far behind the load each stage was when the round ended (work deferred past it).
      const recordedNow = await hitsRecorded(trackerMetricsPort);
      backlog.notYetOnKafka = Math.max(backlog.notYetOnKafka, recordedNow - (await onTopic()));
      if (backlog.notYetStored !== null) backlog.notYetStored = Math.max(backlog.notYetStored, recordedNow - (await storedRows()));
      await settle();
    }
    await admin.disconnect();
    const loadAverageAtEnd = loadavg().map((n) => round(n));
    const baselineResult = summarise(baselineRuns);
    const trackerResult = summarise(trackerRuns);
    const hitsSent = await hitsRecorded(trackerMetricsPort);
    const peakRss = trackerRss('VmHWM');
    const rssAfterRounds = trackerRss('VmRSS');
    // The store's catch-up: from the end of the load (single) or from its start (split).
    let storeStart = Date.now();
    if (topology === 'split') {
      const storePort = await findFreePort();
      children.push(spawnTracker(storePort, await findFreePort(), true, 1));
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
      loadGenerator: WRK_COMMAND(SECONDS),
      secondsPerRound: SECONDS,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      distinctEmails: EMAILS,
      trackerWorkers: WORKERS,
      trackerNodeFlags: TRACKER_NODE_FLAGS.join(' '),
      topology,
      cores: availableParallelism(),
      loadAverage: { atStart: loadAverageAtStart, atEnd: loadAverageAtEnd },
      baseline: { server: 'node:http', ...baselineResult },
      tracker: trackerResult,
      throughputRatio: ratio,
      trackerRssAtReadyMb: rssAtReadyMb,
      trackerPeakRssMb: peakRss,
      trackerRssAfterRoundsMb: rssAfterRounds,
      hitsAnswered: trackerResult.requests,
      hitsRecorded: hitsSent,
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
        zeroHitsLost: hitsSent >= trackerResult.requests && hitsSent === distinct && messages === distinct && stored === distinct,
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
