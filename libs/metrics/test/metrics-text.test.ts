import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, counter, gauge, sampleValue, startMetricsServer } from '../src';

test('the metrics server answers GET /metrics with every registry, and nothing else', async () => {
  const a = new Registry();
  const b = new Registry();
  counter(a, { name: 'test_things_total', help: 'things', labelNames: ['kind'] }).inc({ kind: 'x,y' }, 2);
  counter(a, { name: 'test_things_total', help: 'things', labelNames: ['kind'] }).inc({ kind: 'z' });
  gauge(b, { name: 'test_level', help: 'level' }).set(7);
  assert.throws(() => gauge(a, { name: 'test_things_total', help: 'things' }), /another type/);
  const server = await startMetricsServer({ registries: [a, b], port: 0, host: '127.0.0.1' });
  try {
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const page = await res.text();
    assert.equal(sampleValue(page, 'test_things_total', { kind: 'x,y' }), 2, 'one counter under one name, however often asked for');
    assert.equal(sampleValue(page, 'test_things_total', { kind: 'z' }), 1);
    assert.equal(sampleValue(page, 'test_things_total', { kind: 'w' }), undefined);
    assert.equal(sampleValue(page, 'test_level'), 7);
    assert.equal((await fetch(server.url.replace('/metrics', '/'))).status, 404);
    assert.equal((await fetch(server.url, { method: 'POST' })).status, 404);
  } finally {
    await server.close();
  }
});
