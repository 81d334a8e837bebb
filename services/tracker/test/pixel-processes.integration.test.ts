import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { trackingEngagementTopic } from '@telltale/contracts';
import { createKafka } from '@telltale/kafka';
import { createLogger } from '@telltale/telemetry';
import { localIdentityHeaders, sharedLocalIdentity, type StartedService } from '@telltale/runtime';
import { createTestDatabase, eventually } from '@telltale/testing';
import { buildClickUrl, buildOpenUrl, generateSigningKeySpec, parseSigningKeys, signTrackingToken } from '@telltale/tracking';
import { TrackerConfig, TRANSPARENT_GIF, startTracker } from '../src';


/**
 * TRACKER_WORKERS > 1 (ADR 8): pixel processes share the port and forward their opens to the
 * tracker process, which classifies and records every hit. Each test sends the hits of one email
 * over connections that the kernel gave to different pixel processes (checked: which process holds
 * the server side of each connection), against real Kafka and PostgreSQL.
 */

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

const WORKERS = 3;
const keySpec = generateSigningKeySpec('p1');
const keys = parseSigningKeys(keySpec);
const prefix = `pixels-${randomBytes(4).toString('hex')}.`;
let tracker: StartedService;
let db: { url: string; drop(): Promise<void> };
let spillDir: string;
let port: number;

before(async () => {
  db = await createTestDatabase(env('DATABASE_URL'));
  spillDir = mkdtempSync(join(tmpdir(), 'tracker-spill-'));
  // Tests stand in for a load balancer on loopback (TRUST_PROXY), as in the single-process tests.
  const settings = { PORT: '0', HOST: '127.0.0.1', TRUST_PROXY: 'loopback', LOG_LEVEL: 'silent', TRACKER_WORKERS: String(WORKERS) };
  tracker = await startTracker(TrackerConfig.parse({ ...settings, ...(await sharedLocalIdentity()).env(), DATABASE_URL: db.url, KAFKA_BROKERS: env('KAFKA_BROKERS'), KAFKA_TOPIC_PREFIX: prefix, TRACKING_SIGNING_KEYS: keySpec, TRACKER_SPILL_DIR: spillDir }));
  port = Number(new URL(tracker.url).port);
});

after(async () => {
  await tracker?.stop();
  await db?.drop();
  rmSync(spillDir, { recursive: true, force: true });
});

/** Pids of this process's pixel processes. */
function pixelProcesses(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('pixel-process.js');
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The pixel process holding the server side of our connection from `clientPort` (Linux /proc). */
function processServing(clientPort: number, pids: readonly number[]): number | null {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  const table = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
  const row = table.map((line) => line.trim().split(/\s+/)).find((f) => f[1]?.endsWith(`:${hex(port)}`) && f[2]?.endsWith(`:${hex(clientPort)}`));
  if (!row) return null;
  const socket = `socket:[${row[9]}]`;
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === socket) return pid;
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return null;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One keep-alive connection: every request goes over the same socket, so to the same process. */
class Lane {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  clientPort = 0;

  get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(url, { agent: this.agent, headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0', ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('socket', (socket) => {
        if (socket.localPort) this.clientPort = socket.localPort;
        else socket.once('connect', () => (this.clientPort = socket.localPort!));
      });
      req.on('error', reject);
      req.end();
    });
  }
}

/**
 * Connections on `count` different pixel processes: new connections until the kernel has given
 * them to that many (each lands on one of WORKERS by its port hash; bounded, so it cannot loop).
 */
async function lanesOnDifferentProcesses(count: number): Promise<Lane[]> {
  const pids = pixelProcesses();
  assert.equal(pids.length, WORKERS, 'the pixel processes run');
  const byProcess = new Map<number, Lane>();
  for (let i = 0; i < 200 && byProcess.size < count; i++) {
    const lane = new Lane();
    const answer = await lane.get(`${tracker.url}/o/not-a-token`);
    assert.deepEqual(answer.body, TRANSPARENT_GIF);
    const pid = processServing(lane.clientPort, pids);
    if (pid !== null && !byProcess.has(pid)) byProcess.set(pid, lane);
    else lane.agent.destroy();
  }
  assert.equal(byProcess.size, count, `connections on ${count} different pixel processes`);
  return [...byProcess.values()];
}

const openToken = (orgId: string, sentEmailId: string, issuedAt = new Date(Date.now() - 3_600_000)) => signTrackingToken({ kind: 'open', orgId, sentEmailId, issuedAt }, keys);
const clickToken = (orgId: string, sentEmailId: string, linkIndex: number, issuedAt = new Date(Date.now() - 3_600_000)) =>
  signTrackingToken({ kind: 'click', orgId, sentEmailId, linkIndex, url: `https://example.com/${linkIndex}`, issuedAt }, keys);

interface Row {
  type: string;
  label: string;
  link_index: number | null;
  user_agent: string | null;
  reasons: string[];
}

async function rowsOf(orgId: string, count: number): Promise<Row[]> {
  return eventually(`${count} stored hits of the org`, async () => {
    const rows = (await tracker.runtime.dataSource.query(`SELECT type, label, link_index, user_agent, reasons FROM tracker.engagement WHERE org_id = $1`, [orgId])) as Row[];
    return rows.length >= count ? rows : undefined;
  });
}

/** The user agents of an email's hits in Kafka order (the topic is keyed by sent email id). */
async function userAgentsOnKafka(sentEmailId: string, count: number): Promise<string[]> {
  const kafka = createKafka({ brokers: env('KAFKA_BROKERS').split(','), clientId: 'pixel-processes-test', logger: createLogger({ service: 'test', level: 'silent' }) });
  const consumer = kafka.consumer({ groupId: `${prefix}reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const agents: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [prefix + trackingEngagementTopic.name], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== sentEmailId) return;
        agents.push((JSON.parse(message.value!.toString()) as { userAgent: string }).userAgent);
      },
    });
    await eventually(`${count} hits of the email on Kafka`, () => agents.length >= count);
  } finally {
    await consumer.disconnect();
  }
  return agents;
}

describe('several pixel processes sharing the port (TRACKER_WORKERS)', () => {
  test('the hits of one email answered by different processes are recorded in the order they were answered', async () => {
    const [a, b, c] = await lanesOnDifferentProcesses(3);
    const orgId = randomUUID();
    const emailId = randomUUID();
    const lanes = [a!, b!, c!];
    for (let i = 0; i < 12; i++) {
      const answer = await lanes[i % 3]!.get(buildOpenUrl(tracker.url, openToken(orgId, emailId)), { 'user-agent': `Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0 hit-${i}` });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, TRANSPARENT_GIF);
      assert.equal(answer.headers['cache-control'], 'no-store, no-cache, must-revalidate, private, max-age=0');
    }
    const expected = Array.from({ length: 12 }, (_, i) => `Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0 hit-${i}`);
    assert.deepEqual(await userAgentsOnKafka(emailId, 12), expected);
    assert.equal((await rowsOf(orgId, 12)).filter((r) => r.label === 'human').length, 12);
  });

  test('an open answered by one process counts for a click right after it through another: not "click before any open"', async () => {
    const [a, b] = await lanesOnDifferentProcesses(2);
    const orgId = randomUUID();
    const recent = new Date(Date.now() - 20_000);
    const scanned = randomUUID();
    const opened = randomUUID();
    // Control: a click soon after the send with no open is a scanner's.
    assert.equal((await b!.get(buildClickUrl(tracker.url, clickToken(orgId, scanned, 0, recent)))).status, 302);
    // The open through one process, the click at once through another (the store has not stored
    // the open yet: only the tracker process's memory of the forwarded open can label it).
    assert.equal((await a!.get(buildOpenUrl(tracker.url, openToken(orgId, opened, recent)))).status, 200);
    const click = await b!.get(buildClickUrl(tracker.url, clickToken(orgId, opened, 0, recent)));
    assert.equal(click.status, 302);
    assert.equal(click.headers.location, 'https://example.com/0');
    const rows = await rowsOf(orgId, 3);
    const clicks = rows.filter((r) => r.type === 'clicked');
    assert.equal(clicks.filter((r) => r.label === 'security_scanner' && r.reasons.some((reason) => /click before any open/.test(reason))).length, 1, JSON.stringify(rows));
    assert.equal(clicks.filter((r) => r.label === 'human').length, 1, JSON.stringify(rows));
  });

  test('a link burst spread over processes is a scanner; a device registered through one process makes opens through another `self`', async () => {
    const [a, b] = await lanesOnDifferentProcesses(2);
    const orgId = randomUUID();
    const emailId = randomUUID();
    await a!.get(buildOpenUrl(tracker.url, openToken(orgId, emailId)));
    await a!.get(buildClickUrl(tracker.url, clickToken(orgId, emailId, 0)));
    await b!.get(buildClickUrl(tracker.url, clickToken(orgId, emailId, 1)));
    await a!.get(buildClickUrl(tracker.url, clickToken(orgId, emailId, 2)));
    const rows = await rowsOf(orgId, 4);
    const labelOf = (index: number) => rows.find((r) => r.type === 'clicked' && r.link_index === index)?.label;
    // The first click, served as a person's, is corrected once the store sees the burst (issue 19).
    assert.deepEqual([labelOf(0), labelOf(1), labelOf(2)], ['security_scanner', 'security_scanner', 'security_scanner']);

    // Other paths are passed on to the tracker process: device registration sets the cookie.
    const selfOrg = randomUUID();
    const issued = await fetch(`${tracker.url}/v1/device-registrations`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(selfOrg)) }, body: JSON.stringify({ userId: randomUUID() }) });
    assert.equal(issued.status, 201);
    const { registerPath } = (await issued.json()) as { registerPath: string };
    const registered = await a!.get(`${tracker.url}${registerPath}`);
    const cookie = String(registered.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    assert.match(cookie, /^tt_dev=/);
    await b!.get(buildOpenUrl(tracker.url, openToken(selfOrg, randomUUID())), { cookie });
    assert.equal((await rowsOf(selfOrg, 1))[0]!.label, 'self');
    assert.equal((await fetch(`${tracker.url}/health/ready`)).status, 200);
  });
});
