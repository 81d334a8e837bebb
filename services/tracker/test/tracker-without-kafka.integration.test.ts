import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { sampleValue } from '@telltale/runtime';
import { createLogger } from '@telltale/telemetry';
import { createTestDatabase } from '@telltale/testing';
import { findFreePort } from '@telltale/testing/dist/src/infrastructure/free-port';
import { buildOpenUrl, generateSigningKeySpec, parseSigningKeys, signTrackingToken } from '@telltale/tracking';
import { TrackerConfig, startTracker } from '../src';

// A tracker whose Kafka has never answered (nothing listens on its broker port): it starts, is
// ready, answers the pixel, keeps the hit on disk, and stops without waiting for Kafka.

test('a tracker starts, answers and stops with no Kafka reachable at all; the hit stays in the spill', { timeout: 120_000 }, async () => {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set: run with `npm test`');
  const db = await createTestDatabase(databaseUrl);
  const spillDir = mkdtempSync(join(tmpdir(), 'tracker-no-kafka-spill-'));
  const keySpec = generateSigningKeySpec('t1');
  try {
    const tracker = await startTracker(
      TrackerConfig.parse({
        DATABASE_URL: db.url,
        KAFKA_BROKERS: `127.0.0.1:${await findFreePort()}`,
        PORT: '0',
        HOST: '127.0.0.1',
        TRACKING_SIGNING_KEYS: keySpec,
        LOG_LEVEL: 'silent',
        TRACKER_SPILL_DIR: spillDir,
      }),
      { logger: createLogger({ service: 'tracker', level: 'silent' }) },
    );
    let stopped = false;
    try {
      assert.equal((await fetch(`${tracker.url}/health/ready`)).status, 200, 'ready without Kafka');
      const token = signTrackingToken({ kind: 'open', orgId: randomUUID(), sentEmailId: randomUUID(), issuedAt: new Date(Date.now() - 3_600_000) }, parseSigningKeys(keySpec));
      const answeredAt = Date.now();
      const res = await fetch(buildOpenUrl(tracker.url, token));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/gif');
      await res.arrayBuffer();
      const spilled = (): number =>
        readdirSync(spillDir)
          .filter((name) => /^seg-\d+\.jsonl$/.test(name))
          .reduce((n, name) => n + readFileSync(join(spillDir, name), 'utf8').split('\n').filter(Boolean).length, 0);
      const deadline = Date.now() + 60_000;
      while (spilled() < 1) {
        if (Date.now() > deadline) throw new Error('the hit never reached the spill');
        await delay(100);
      }
      // On disk within seconds, not after the client's ~20 s of connection retries: a crash in
      // between would lose only what arrived in the last moments.
      assert.ok(Date.now() - answeredAt < 10_000, `the hit reached the spill after ${Date.now() - answeredAt} ms`);
      // The metrics show the spill, and a scrape does not wait for the Kafka that is not there.
      const scrapedAt = Date.now();
      const page = await (await fetch(tracker.metricsUrl)).text();
      assert.ok(Date.now() - scrapedAt < 5_000, `a scrape without Kafka took ${Date.now() - scrapedAt} ms`);
      assert.equal(sampleValue(page, 'telltale_tracker_spill_segments'), 1);
      const bytes = readdirSync(spillDir).filter((name) => /^seg-\d+\.jsonl$/.test(name)).reduce((n, name) => n + statSync(join(spillDir, name)).size, 0);
      assert.equal(sampleValue(page, 'telltale_tracker_spill_bytes'), bytes);
      assert.ok(bytes > 0);
      assert.equal(sampleValue(page, 'telltale_tracker_hits_total', { type: 'opened' }), 1);
      // The background start-up (topics, relay, store consumer) is abandoned, not awaited.
      await tracker.stop();
      stopped = true;
      assert.equal(spilled(), 1, 'the hit is still on disk for the next start');
    } finally {
      if (!stopped) await tracker.stop().catch(() => undefined);
    }
  } finally {
    await db.drop();
    rmSync(spillDir, { recursive: true, force: true });
  }
});
