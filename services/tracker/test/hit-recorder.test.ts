import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createLogger } from '@telltale/telemetry';
import { eventually } from '@telltale/testing';
import { HitRecorder, HitSpill, type HitRecord, type HitSink } from '../src';
import { hitRecord } from './support/hit-records';

const logger = createLogger({ service: 'tracker', level: 'silent' });

/** A database that can be switched off; stores what it took, in order, idempotently by id. */
class FakeStore implements HitSink {
  up = true;
  readonly rows: string[] = [];
  writes = 0;
  async write(batch: readonly HitRecord[]): Promise<void> {
    await delay(1);
    if (!this.up) throw new Error('connect ECONNREFUSED');
    this.writes += 1;
    for (const h of batch) if (!this.rows.includes(h.engagement.engagementId)) this.rows.push(h.engagement.engagementId);
  }
}

const hit = (n: number): HitRecord => hitRecord(n);

async function until(condition: () => boolean, what: string): Promise<void> {
  await eventually(what, condition, { timeoutMs: 10_000, intervalMs: 5 });
}

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => hit(from + i).engagement.engagementId);

test('hits are written in batches, in arrival order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spill-'));
  const store = new FakeStore();
  const recorder = new HitRecorder(store, new HitSpill(dir), logger, { batchSize: 50, flushIntervalMs: 5 });
  for (let i = 0; i < 120; i++) recorder.record(hit(i));
  await until(() => store.rows.length === 120, 'all hits');
  assert.deepEqual(store.rows, ids(0, 120));
  assert.ok(store.writes <= 4, `batched (${store.writes} writes)`);
  await recorder.stop();
  rmSync(dir, { recursive: true });
});

test('under load a write takes everything that queued up behind the one in flight, up to the maximum', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spill-'));
  let release: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (release = resolve));
  const batches: number[] = [];
  const rows: string[] = [];
  const gated: HitSink = {
    async write(batch) {
      batches.push(batch.length);
      await gate;
      for (const h of batch) rows.push(h.engagement.engagementId);
    },
  };
  const recorder = new HitRecorder(gated, new HitSpill(dir), logger, { batchSize: 10, maxBatchSize: 120, flushIntervalMs: 1 });
  for (let i = 0; i < 10; i++) recorder.record(hit(i));
  await until(() => batches.length === 1, 'first write in flight');
  for (let i = 10; i < 300; i++) recorder.record(hit(i));
  gate = Promise.resolve();
  release();
  await until(() => rows.length === 300, 'everything written');
  assert.deepEqual(batches, [10, 120, 120, 50], 'the 290 hits that waited went in writes of at most 120');
  assert.deepEqual(rows, ids(0, 300), 'in arrival order');
  await recorder.stop();
  rmSync(dir, { recursive: true });
});

test('database down: hits go to the spill, and are replayed in order once it is back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spill-'));
  const store = new FakeStore();
  const recorder = new HitRecorder(store, new HitSpill(dir), logger, { batchSize: 10, flushIntervalMs: 2, replayRetryMs: 20 });
  for (let i = 0; i < 5; i++) recorder.record(hit(i));
  await until(() => store.rows.length === 5, 'first hits');
  store.up = false;
  for (let i = 5; i < 40; i++) recorder.record(hit(i));
  await until(() => recorder.stats().queued === 0 && recorder.stats().spilledSegments > 0, 'spilled');
  assert.equal(recorder.stats().mode, 'spilling');
  store.up = true;
  for (let i = 40; i < 50; i++) recorder.record(hit(i));
  await until(() => store.rows.length === 50 && recorder.stats().mode === 'direct', 'replay');
  assert.deepEqual(store.rows, ids(0, 50), 'nothing lost, nothing reordered');
  assert.equal(recorder.stats().spilledSegments, 0);
  await recorder.stop();
  rmSync(dir, { recursive: true });
});

test('the spill survives a restart: a new recorder replays it before new hits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spill-'));
  const store = new FakeStore();
  store.up = false;
  const first = new HitRecorder(store, new HitSpill(dir), logger, { batchSize: 10, flushIntervalMs: 2, replayRetryMs: 20 });
  for (let i = 0; i < 25; i++) first.record(hit(i));
  await first.stop();
  assert.ok(new HitSpill(dir).segments().length > 0, 'on disk after stop');
  store.up = true;
  const second = new HitRecorder(store, new HitSpill(dir), logger, { batchSize: 10, flushIntervalMs: 2, replayRetryMs: 20 });
  second.record(hit(25));
  await until(() => store.rows.length === 26 && second.stats().mode === 'direct', 'replay after restart');
  assert.deepEqual(store.rows, ids(0, 26));
  await second.stop();
  rmSync(dir, { recursive: true });
});

test('memory stays bounded when the database hangs: the queue moves to the spill', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spill-'));
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const rows: string[] = [];
  const hanging: HitSink = {
    async write(batch) {
      await gate;
      for (const h of batch) if (!rows.includes(h.engagement.engagementId)) rows.push(h.engagement.engagementId);
    },
  };
  const recorder = new HitRecorder(hanging, new HitSpill(dir), logger, { batchSize: 10, flushIntervalMs: 1, maxQueued: 100, replayRetryMs: 10 });
  for (let i = 0; i < 10; i++) recorder.record(hit(i));
  await delay(20);
  for (let i = 10; i < 1000; i++) {
    recorder.record(hit(i));
    assert.ok(recorder.stats().queued < 100, 'never more than maxQueued in memory');
  }
  release();
  await until(() => rows.length === 1000 && recorder.stats().mode === 'direct', 'everything written');
  assert.deepEqual(rows, ids(0, 1000));
  await recorder.stop();
  rmSync(dir, { recursive: true });
});
