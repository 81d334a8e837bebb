import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StartedService } from '@telltale/runtime';
import { refreshCloudRanges } from '@telltale/tracker';
import { eventually } from '../src';
import { SseClient } from '../src/sse-client';
import { TrackedClicksSystem } from './support/tracked-clicks-system';

/**
 * Issue 19's done-condition, end to end: a security scanner that clicks every link of an email
 * (from one address, a browser's user agent, through a load balancer that sets X-Forwarded-For)
 * leaves no human click in the tracker's store, its counters (GET /api/v1/emails/:id/engagement
 * through the app's gateway) or the live feed (history and stream) — also when its clicks reach two
 * tracker replicas, neither of which sees the burst. A person's single click stays human.
 */
let system: TrackedClicksSystem;
let db: TrackedClicksSystem['db'];
let admin: TrackedClicksSystem['admin'];
const streams: SseClient[] = [];

interface Item {
  id: string;
  kind: string;
  sentEmailId: string | null;
  machine: boolean;
  machineReasons: string[];
  summary: string;
  detail: { correction?: { replaces: string; previousLabel: string }; linkIndex?: number };
}

let dataDir: string;

before(async () => {
  // Cloud ranges as `npm run signatures:refresh` builds them, from the saved provider lists.
  dataDir = mkdtempSync(join(tmpdir(), 'cloud-ranges-'));
  const cloudRanges = join(dataDir, 'cloud-ranges.json');
  writeFileSync(cloudRanges, JSON.stringify(await refreshCloudRanges([resolve(__dirname, '../../../../services/tracker/test/fixtures/cloud-ranges')], null, new Date())));
  system = await TrackedClicksSystem.start(2, 'warn', { TRACKER_CLOUD_RANGES_PATH: cloudRanges });
  ({ db, admin } = system);
});

after(async () => {
  await Promise.all(streams.map((s) => s.close()));
  await system?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const sendEmail = (links: number) => system.sendEmail(links);
const click = (url: string, clientAddress: string) => system.click(url, clientAddress);
const openStream = async (query: string): Promise<SseClient> => {
  const url = new URL(`/api/v1/feed/stream${query}`, system.app.app.url);
  const stream = await SseClient.open(url.toString(), { cookie: admin.cookies.header(url) });
  streams.push(stream);
  assert.equal(stream.status, 200);
  return stream;
};

const storedLabels = async (sentEmailId: string) =>
  (await db.query(`SELECT link_index, label, corrected_from, reasons FROM tracker.engagement WHERE sent_email_id = $1 ORDER BY occurred_at, link_index`, [sentEmailId])).rows as {
    link_index: number;
    label: string;
    corrected_from: string | null;
    reasons: string[];
  }[];

async function counters(sentEmailId: string): Promise<{ humanClicks: number; machineHits: number }> {
  const res = await admin.fetch(`/api/v1/emails/${sentEmailId}/engagement`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { humanClicks: number; machineHits: number };
}

async function history(query: string): Promise<Item[]> {
  const res = await admin.fetch(`/api/v1/feed${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { items: Item[] }).items;
}

/** What a browser shows from the stream: every item, minus those a correction replaced (as FeedPage does). */
function shown(stream: SseClient): Item[] {
  const byId = new Map<string, Item>();
  for (const item of stream.feed().map((e) => JSON.parse(e.data) as Item)) {
    if (item.detail.correction) byId.delete(item.detail.correction.replaces);
    byId.set(item.id, item);
  }
  return [...byId.values()];
}

describe('a scanner clicking every link of an email leaves no human click anywhere', () => {
  it('on one replica and across two: store, counters, feed history and stream', async () => {
    const stream = await openStream('?includeMachine=true');
    const [a, b] = system.replicas as [StartedService, StartedService];

    // One replica: it sees the burst from the second click on; the first is corrected.
    const oneReplica = await sendEmail(3);
    for (const link of [0, 1, 2]) await click(oneReplica.clickUrl(a, link), '198.51.100.23');
    // Two replicas, alternating: neither sees two clicks of the email.
    const twoReplicas = await sendEmail(4);
    for (const [link, replica] of [[0, a], [1, b], [2, a], [3, b]] as const) await click(twoReplicas.clickUrl(replica, link), '198.51.100.24');
    // A person clicking one link: stays a person's.
    const person = await sendEmail(3);
    await click(person.clickUrl(b, 1), '192.0.2.77');

    const scanned = [oneReplica.sent.sentEmailId, twoReplicas.sent.sentEmailId];
    for (const [id, clicks] of [[scanned[0]!, 3], [scanned[1]!, 4]] as const) {
      const rows = await eventually(`${clicks} stored clicks, none human`, async () => {
        const r = await storedLabels(id);
        return r.length === clicks && r.every((row) => row.label !== 'human') ? r : undefined;
      }, { timeoutMs: 20_000 });
      assert.ok(rows.every((row) => row.label === 'security_scanner'), JSON.stringify(rows));
      assert.ok(rows.some((row) => row.corrected_from === 'human' && row.reasons.some((reason) => /link burst: \d links of the email within 2 s \(found after the click\)/.test(reason))));
    }
    // Each replica served its first click of the email as a person's (neither had seen the other's);
    // its second was inside the window of its first, a burst it saw itself.
    assert.deepEqual((await storedLabels(twoReplicas.sent.sentEmailId)).map((r) => r.corrected_from), ['human', 'human', null, null]);
    assert.deepEqual((await storedLabels(oneReplica.sent.sentEmailId)).map((r) => r.corrected_from), ['human', null, null]);
    assert.deepEqual((await storedLabels(person.sent.sentEmailId)).map((r) => [r.label, r.corrected_from]), [['human', null]]);

    for (const id of scanned) assert.deepEqual(await counters(id), { ...(await counters(id)), humanClicks: 0 });
    assert.equal((await counters(twoReplicas.sent.sentEmailId)).machineHits, 4);
    assert.equal((await counters(person.sent.sentEmailId)).humanClicks, 1);

    // The feed: what the stream leaves shown, the history without machines, and with them.
    const clicksOf = (items: Item[], id: string) => items.filter((i) => i.kind === 'clicked' && i.sentEmailId === id);
    await eventually('the stream shows every scanner click as a machine, the person as a person', () => {
      const items = shown(stream);
      return scanned.every((id, n) => clicksOf(items, id).length === [3, 4][n] && clicksOf(items, id).every((i) => i.machine)) && clicksOf(items, person.sent.sentEmailId).length === 1;
    }, { timeoutMs: 20_000 });
    const live = shown(stream);
    assert.equal(clicksOf(live, person.sent.sentEmailId)[0]!.machine, false);
    const corrected = clicksOf(live, twoReplicas.sent.sentEmailId);
    const burstReason = /^link burst: \d links of the email within 2 s/;
    assert.ok(corrected.every((i) => i.machineReasons[0] === 'security_scanner' && burstReason.test(i.machineReasons[1]!)), JSON.stringify(corrected));
    assert.equal(corrected.filter((i) => i.detail.correction?.previousLabel === 'human').length, 2, 'the two clicks served as human were corrected');
    assert.match(corrected[0]!.summary, /^A security scanner \(for Kevin Flynn\) clicked encom\.example\/page\/\d in “The Grid”$/);

    const people = await history('');
    for (const id of scanned) assert.deepEqual(clicksOf(people, id), [], 'no scanner click in the feed of people');
    assert.equal(clicksOf(people, person.sent.sentEmailId).length, 1);
    const all = await history('?includeMachine=true');
    for (const id of scanned) assert.ok(clicksOf(all, id).every((i) => i.machine));
    assert.equal(clicksOf(all, twoReplicas.sent.sentEmailId).length, 4, 'each click once: the corrected item replaced the human one');
  });

  it('a stream hiding machine activity still gets the correction, to take the human click away', async () => {
    const stream = await openStream('');
    const burst = await sendEmail(2);
    const [a, b] = system.replicas as [StartedService, StartedService];
    await click(burst.clickUrl(a, 0), '198.51.100.25');
    await click(burst.clickUrl(b, 1), '198.51.100.25');
    await eventually('both clicks corrected on the stream', () => shown(stream).filter((i) => i.sentEmailId === burst.sent.sentEmailId && i.detail.correction).length === 2, { timeoutMs: 20_000 });
    assert.deepEqual(shown(stream).filter((i) => i.sentEmailId === burst.sent.sentEmailId && i.kind === 'clicked' && !i.machine), []);
  });

  it('a click from a cloud data centre, and a headless browser, are machines with their reason: store and feed', async () => {
    const stream = await openStream('?includeMachine=true');
    const [a, b] = system.replicas as [StartedService, StartedService];
    const fromCloud = await sendEmail(2);
    await click(fromCloud.clickUrl(a, 0), '3.80.12.34');
    const headless = await sendEmail(2);
    await system.click(headless.clickUrl(b, 1), '192.0.2.88', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36');
    const expected: [string, RegExp][] = [
      [fromCloud.sent.sentEmailId, /^cloud address \(AWS us-east-1\)$/],
      [headless.sent.sentEmailId, /^user agent matches headless browser \(HeadlessChrome/],
    ];
    for (const [id, reason] of expected) {
      const [row] = await eventually('the click stored', async () => ((await storedLabels(id)).length === 1 ? storedLabels(id) : undefined), { timeoutMs: 20_000 });
      assert.equal(row!.label, 'security_scanner');
      assert.match(row!.reasons[0]!, reason);
      const item = await eventually('the click on the stream', () => shown(stream).find((i) => i.sentEmailId === id && i.kind === 'clicked'), { timeoutMs: 20_000 });
      assert.equal(item.machine, true);
      assert.equal(item.machineReasons[0], 'security_scanner');
      assert.match(item.machineReasons[1]!, reason);
    }
  });
});
