/**
 * `npm run bench:web`: the web app in a real Chromium page (issue 13). The app runs in this process
 * with the sandbox OpenID provider (startIdentitySystem) against the PostgreSQL and Kafka bench.mjs
 * starts; the admin signs in through the provider's form. Prints one JSON object. Not a test: the
 * figures depend on the machine (its load average is printed).
 *
 * 1. Kafka → page: BENCH_WEB_RATE events/s (default 50) of email.sent.v1 for BENCH_WEB_SECONDS
 *    (default 20), produced as the sender's relay does; a MutationObserver in the feed page stamps
 *    each item when its node is added to the document (projection, SSE, React's render included).
 *    p50/p99/max from the produce call to that stamp (both clocks are this machine's wall clock).
 * 2. First load on a cold cache: a fresh browser context with the session cookie only (no HTTP
 *    cache), the feed page loaded BENCH_WEB_LOADS times (default 5): bytes over the wire (every
 *    response's encoded length, from the DevTools protocol), DOMContentLoaded, and time to
 *    interactive = navigation start → the feed has its items and its live stream ("Live"), the
 *    point a person can use it. Also once over a throttled link (BENCH_WEB_SLOW: 1.6 Mbit/s down,
 *    750 kbit/s up, 150 ms round trip).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { emailSentTopic, mailboxConnectionChangedTopic, type EmailSent } from '@telltale/contracts';
import { SANDBOX_PASSWORD } from '@telltale/oidc-sandbox';
import { createTestDatabase } from '@telltale/testing';
import { DESKTOP, eventually, launchChromium, requiredEnv, screenshot, signInInBrowser, startIdentitySystem } from '../../src';
import { EventProducer } from '../../src/event-producer';

const RATE = Number(process.env.BENCH_WEB_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_WEB_SECONDS ?? 20);
const LOADS = Number(process.env.BENCH_WEB_LOADS ?? 5);

const percentile = (sorted: number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const round = (n: number): number => Math.round(n * 10) / 10;
function summary(values: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? NaN) };
}
const now = (): number => performance.timeOrigin + performance.now();

/** Stamps, in the page, when each feed item whose text holds `bench-<n>` is added to the document. */
async function observeArrivals(page: Page): Promise<void> {
  await page.evaluate(() => {
    const scope = globalThis as unknown as {
      __arrivals: Record<string, number>;
      document: { body: unknown };
      MutationObserver: new (cb: (records: { addedNodes: ArrayLike<{ nodeType: number; querySelectorAll?: (s: string) => ArrayLike<{ textContent: string | null; getAttribute(n: string): string | null }>; textContent: string | null; getAttribute?: (n: string) => string | null }> }[]) => void) => { observe(target: unknown, options: object): void };
      performance: { timeOrigin: number; now(): number };
    };
    scope.__arrivals = {};
    const stamp = (text: string | null, at: number) => {
      const match = /bench-(\d+)/.exec(text ?? '');
      if (match && scope.__arrivals[match[1]!] === undefined) scope.__arrivals[match[1]!] = at;
    };
    new scope.MutationObserver((records) => {
      const at = scope.performance.timeOrigin + scope.performance.now();
      for (const record of records) {
        for (const node of Array.from(record.addedNodes)) {
          if (node.nodeType !== 1) continue;
          if (node.getAttribute?.('data-feed-item') !== null && node.getAttribute?.('data-feed-item') !== undefined) stamp(node.textContent, at);
          for (const item of Array.from(node.querySelectorAll?.('[data-feed-item]') ?? [])) stamp(item.textContent, at);
        }
      }
    }).observe(scope.document.body, { childList: true, subtree: true });
  });
}

/** One load of the feed in a fresh context holding only the session cookie: bytes and times. */
async function coldLoad(browser: Browser, appUrl: string, cookies: Parameters<BrowserContext['addCookies']>[0], slow: boolean) {
  const context = await browser.newContext({ viewport: DESKTOP });
  await context.addCookies(cookies);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  if (slow) await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 });
  let bytes = 0;
  const byType: Record<string, number> = {};
  const types = new Map<string, string>();
  cdp.on('Network.responseReceived', (e: { requestId: string; type: string }) => types.set(e.requestId, e.type));
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
    bytes += e.encodedDataLength;
    const type = types.get(e.requestId) ?? 'Other';
    byType[type] = (byType[type] ?? 0) + e.encodedDataLength;
  });
  const started = now();
  await page.goto(appUrl, { waitUntil: 'commit' });
  try {
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 60_000 });
    await page.locator('[data-feed-item]').first().waitFor({ timeout: 60_000 });
  } catch (err) {
    const shot = await screenshot(page, 'bench-web-cold-load-failed').catch(() => null);
    throw new Error(`${(err as Error).message} (screenshot: ${shot})`);
  }
  const interactiveMs = now() - started;
  const timing = await page.evaluate(() => {
    const nav = (globalThis as unknown as { performance: { getEntriesByType(t: string): { domContentLoadedEventEnd: number; loadEventEnd: number }[] } }).performance.getEntriesByType('navigation')[0]!;
    return { domContentLoadedMs: nav.domContentLoadedEventEnd, loadMs: nav.loadEventEnd };
  });
  // Bytes of the stream keep arriving (heartbeats): count what the load fetched.
  await context.close();
  return { bytes, byType, interactiveMs: round(interactiveMs), domContentLoadedMs: round(timing.domContentLoadedMs), loadMs: round(timing.loadMs) };
}

async function main(): Promise<void> {
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  const prefix = `bench-web-${randomBytes(4).toString('hex')}.`;
  const system = await startIdentitySystem({ databaseUrl: db.url, kafkaBrokers: requiredEnv('KAFKA_BROKERS'), topicPrefix: prefix, upstreams: {} });
  const producer = new EventProducer(new Kafka({ clientId: 'bench-web', brokers: requiredEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }), prefix);
  const browser = await launchChromium();
  const orgId = system.orgId;
  const mailboxId = randomUUID();
  try {
    await producer.start();
    await producer.produce(
      mailboxConnectionChangedTopic,
      { orgId, mailboxId, provider: 'imap', emailAddress: 'rep@bench.test', previousState: null, state: 'connected', reason: null, changedAt: new Date().toISOString(), ownerUserId: null },
      orgId,
    );
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await signInInBrowser(page, system.app.url, 'admin@telltale.test', SANDBOX_PASSWORD);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
    await observeArrivals(page);

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
        to: [{ address: `p${n % 40}@prospect${n % 7}.example`, name: `Prospect ${n % 40}` }],
        cc: [],
        subject: `bench-${n}`,
        tracking: { opens: true, clicks: false, trackedLinks: 0 },
        sentAt: new Date().toISOString(),
      };
    };
    const produceAt = async (rate: number, seconds: number): Promise<number[]> => {
      const numbers: number[] = [];
      const start = performance.now();
      const total = Math.round(rate * seconds);
      for (let i = 0; i < total; i++) {
        const wait = start + (i * 1000) / rate - performance.now();
        if (wait > 0) await delay(wait);
        const n = ++seq;
        const payload = sent(n);
        producedAt.set(n, now());
        producer.produce(emailSentTopic, payload, orgId).catch((err: Error) => process.stderr.write(`produce failed: ${err.message}\n`));
        numbers.push(n);
      }
      return numbers;
    };
    const arrivals = () => page.evaluate(() => (globalThis as unknown as { __arrivals: Record<string, number> }).__arrivals);

    // Warm-up: the consumer group has joined and the first rows went through to the page.
    const warm = await produceAt(10, 1);
    await eventually('warm-up items in the page', async () => {
      const seen = await arrivals();
      return warm.every((n) => seen[n] !== undefined);
    }, { timeoutMs: 60_000 });

    const measured = await produceAt(RATE, SECONDS);
    await eventually('every item in the page', async () => {
      const seen = await arrivals();
      return measured.every((n) => seen[n] !== undefined);
    }, { timeoutMs: 60_000 }).catch(() => undefined);
    const seen = await arrivals();
    const latencies = measured.filter((n) => seen[n] !== undefined).map((n) => seen[n]! - producedAt.get(n)!);
    const itemsInPage = await page.locator('[data-feed-item]').count();
    const cookies = await context.cookies();
    await context.close();
    // Section 1 on stderr at once, so a failure in section 2 does not lose it.
    process.stderr.write(`kafkaToPage: ${JSON.stringify({ produced: measured.length, shown: latencies.length, itemsInPage, produceToRenderedMs: summary(latencies) })}\n`);

    const loads = [];
    for (let i = 0; i < LOADS; i++) loads.push(await coldLoad(browser, system.app.url, cookies, false));
    const slow = process.env.BENCH_WEB_SLOW === '0' ? null : await coldLoad(browser, system.app.url, cookies, true);
    const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
    process.stdout.write(
      `${JSON.stringify(
        {
          machine: { loadAverage1m: round(loadavg()[0]!), cpus: (await import('node:os')).cpus().length },
          kafkaToPage: { rate: RATE, seconds: SECONDS, produced: measured.length, shown: latencies.length, itemsInPage, produceToRenderedMs: summary(latencies) },
          coldLoad: {
            loads: LOADS,
            bytesTransferred: median(loads.map((l) => l.bytes)),
            bytesByType: loads[0]!.byType,
            timeToInteractiveMs: { median: median(loads.map((l) => l.interactiveMs)), all: loads.map((l) => l.interactiveMs) },
            domContentLoadedMs: median(loads.map((l) => l.domContentLoadedMs)),
            loadEventMs: median(loads.map((l) => l.loadMs)),
            throttled: slow ? { link: '1.6 Mbit/s down, 750 kbit/s up, 150 ms RTT', bytesTransferred: slow.bytes, timeToInteractiveMs: slow.interactiveMs, domContentLoadedMs: slow.domContentLoadedMs } : null,
          },
        },
        null,
        1,
      )}\n`,
    );
  } finally {
    await browser.close();
    await producer.stop();
    await system.stop();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:web failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
