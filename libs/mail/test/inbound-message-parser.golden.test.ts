import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseInboundMessage } from '../src';
import { FIXED_RECEIVED_AT, inboundFixtureNames, readExpected, readInboundFixture } from './inbound-fixtures';

/**
 * Golden files (STYLE.md §6): every test/fixtures/inbound/<name>.eml has a reviewed
 * <name>.expected.json. A surprise from the field becomes a new pair here.
 */
describe('parseInboundMessage golden fixtures', () => {
  const names = inboundFixtureNames();

  it('has fixtures to check', () => {
    assert.ok(names.length >= 9, `expected the fixture set, found ${names.length}`);
  });

  for (const name of names) {
    it(name, async () => {
      const parsed = await parseInboundMessage(readInboundFixture(name), {
        providerMessageId: name,
        providerThreadId: null,
        folder: 'INBOX',
        receivedAt: FIXED_RECEIVED_AT,
      });
      assert.deepEqual(JSON.parse(JSON.stringify(parsed)), readExpected(name));
    });
  }
});
