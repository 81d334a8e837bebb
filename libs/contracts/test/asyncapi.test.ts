import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ASYNCAPI_PATH, allTopics, contractsVersion, renderAsyncApiYaml } from '../src';

test('docs/asyncapi.yaml is up to date with the schemas (regenerate with `npm run asyncapi`)', () => {
  const committed = readFileSync(ASYNCAPI_PATH, 'utf8');
  assert.equal(committed, renderAsyncApiYaml(contractsVersion()), 'docs/asyncapi.yaml is stale: run `npm run asyncapi` and commit it');
});

test('the AsyncAPI document declares every topic with payload, headers and key', () => {
  const doc = parse(readFileSync(ASYNCAPI_PATH, 'utf8')) as {
    asyncapi: string;
    channels: Record<string, { address: string }>;
    components: { messages: Record<string, { payload: { type: string }; headers: unknown; bindings: { kafka: { key: unknown } } }> };
  };
  assert.equal(doc.asyncapi, '3.0.0');
  const addresses = Object.values(doc.channels).map((c) => c.address).sort();
  assert.deepEqual(addresses, allTopics.map((t) => t.name).sort());
  for (const message of Object.values(doc.components.messages)) {
    assert.equal(message.payload.type, 'object');
    assert.ok(message.headers);
    assert.ok(message.bindings.kafka.key);
  }
});
