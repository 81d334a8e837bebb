/**
 * `npm run bench:burst-corrections`: what a rep waits for, and how long a scanner looks like a
 * person, with link bursts corrected after the fact (ADR 12), against the PostgreSQL and Kafka
 * bench.mjs starts: two tracker replicas behind a stand-in load balancer (X-Forwarded-For on
 * loopback) and the app, its feed read on /api/v1/feed/stream (SSE). Prints one JSON object; not a
 * test (the figures depend on the machine: its load average is printed).
 *
 * 1. A person: BENCH_CLICKS emails (default 40), one click each, replicas alternating: click → the
 *    item on the stream (what corrections cost a person: nothing added), and click → its row in the
 *    engagement store (the store's lag, which a held verdict would also wait for to see another
 *    replica's clicks).
 * 2. A scanner: BENCH_CLICKS emails, three links each clicked at once through replicas A, B, A: how
 *    long a click is shown as a person's before its corrected item arrives, and click → corrected.
 * 3. Holding every click's human verdict for the burst window instead: a held click cannot be shown
 *    before the window after it has closed, so a person's click would reach the feed after
 *    (window + the measured click → stream); across replicas, held clicks are in no shared place
 *    until they are written, so the hold also waits for the store to hold the others' (its lag).
 */
import { loadavg } from 'node:os';
import { eventually } from '@telltale/testing';
import type { StartedService } from '@telltale/runtime';
import { SseClient } from '../../src/sse-client';
import { TrackedClicksSystem } from '../support/tracked-clicks-system';

const CLICKS = Number(process.env.BENCH_CLICKS ?? 40);
/** Clicks before the measured ones: consumer groups joined, topics' leaders known, connections warm. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);
const BURST_WINDOW_MS = 2_000;

interface Item {
  id: string;
  kind: string;
  sentEmailId: string | null;
  machine: boolean;
  detail: { correction?: { replaces: string }; linkIndex?: number };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
function stats(values: number[]): { n: number; p50: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { n: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), max: round(sorted[sorted.length - 1]!) };
}

async function main(): Promise<void> {
  const system = await TrackedClicksSystem.start(2, 'error');
  const url = new URL('/api/v1/feed/stream?includeMachine=true', system.app.app.url);
  const stream = await SseClient.open(url.toString(), { cookie: system.admin.cookies.header(url) });
  /** Per email, the click items as they arrived (performance.now()). */
  const arrivals = new Map<string, { item: Item; at: number }[]>();
  stream.onEvent = (e) => {
    if (e.event !== 'feed') return;
    const item = JSON.parse(e.data) as Item;
    if (item.kind !== 'clicked' || !item.sentEmailId) return;
    arrivals.set(item.sentEmailId, [...(arrivals.get(item.sentEmailId) ?? []), { item, at: e.receivedAt }]);
  };
  const [a, b] = system.replicas as [StartedService, StartedService];
  const wait = { timeoutMs: 30_000, intervalMs: 2 };
  try {
    const personToStream: number[] = [];
    const personToStore: number[] = [];
    for (let i = -WARMUP; i < CLICKS; i++) {
      const email = await system.sendEmail(3);
      const id = email.sent.sentEmailId;
      const started = performance.now();
      await system.click(email.clickUrl(i % 2 === 0 ? a : b, 1), '192.0.2.10');
      const stored = eventually('the click stored', async () => (await system.db.query(`SELECT 1 FROM tracker.engagement WHERE sent_email_id = $1`, [id])).rowCount! > 0 && performance.now(), wait);
      const shown = eventually('the click on the stream', () => arrivals.get(id)?.[0]?.at, wait);
      const [storedAt, shownAt] = [await stored, await shown];
      if (i < 0) continue;
      personToStore.push(storedAt - started);
      personToStream.push(shownAt - started);
    }

    const shownAsPerson: number[] = [];
    const clickToCorrected: number[] = [];
    let corrected = 0;
    for (let i = 0; i < CLICKS; i++) {
      const email = await system.sendEmail(3);
      const id = email.sent.sentEmailId;
      const started = performance.now();
      await Promise.all([system.click(email.clickUrl(a, 0), '198.51.100.9'), system.click(email.clickUrl(b, 1), '198.51.100.9'), system.click(email.clickUrl(a, 2), '198.51.100.9')]);
      // Every click item the browser would keep: the corrected ones replace the human ones.
      const done = await eventually('every click shown as a machine', () => {
        const items = arrivals.get(id) ?? [];
        const replaced = new Set(items.map((x) => x.item.detail.correction?.replaces).filter(Boolean));
        const kept = items.filter((x) => !replaced.has(x.item.id));
        return kept.length === 3 && kept.every((x) => x.item.machine) && items;
      }, wait);
      for (const human of done.filter((x) => !x.item.machine)) {
        const fix = done.find((x) => x.item.detail.correction?.replaces === human.item.id)!;
        shownAsPerson.push(fix.at - human.at);
        clickToCorrected.push(fix.at - started);
        corrected += 1;
      }
    }

    const served = (await system.db.query(`SELECT count(*)::int AS n FROM tracker.engagement WHERE corrected_from = 'human'`)).rows[0] as { n: number };
    const stream50 = stats(personToStream);
    const store = stats(personToStore);
    process.stdout.write(
      `${JSON.stringify(
        {
          loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
          clicks: CLICKS,
          burstWindowMs: BURST_WINDOW_MS,
          corrections: {
            personClickToStreamMs: stream50,
            personClickToStoreMs: store,
            // Served as a person's by a replica and corrected in the store; the rest were corrected
            // before the feed showed them (the correction waited for its item, in one transaction).
            scannerClicksServedAsPerson: served.n,
            scannerClicksShownAsPerson: corrected,
            scannerShownAsPersonForMs: stats(shownAsPerson),
            scannerClickToCorrectedMs: stats(clickToCorrected),
          },
          holdingTheVerdict: {
            personClickToStreamOneReplicaMs: { p50: round(stream50.p50 + BURST_WINDOW_MS), p95: round(stream50.p95 + BURST_WINDOW_MS) },
            // A lower bound, and only if held clicks were published unjudged for the others to see.
            personClickToStreamAcrossReplicasAtLeastMs: { p50: round(stream50.p50 + BURST_WINDOW_MS + store.p50), p95: round(stream50.p95 + BURST_WINDOW_MS + store.p95) },
          },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await stream.close();
    await system.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
