import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { truncateUtf8 } from '../src/truncate-utf8';

describe('truncateUtf8', () => {
  const cases: { text: string; maxBytes: number; expected: string; truncated: boolean }[] = [
    { text: 'hello', maxBytes: 10, expected: 'hello', truncated: false },
    { text: 'hello', maxBytes: 5, expected: 'hello', truncated: false },
    { text: 'hello', maxBytes: 3, expected: 'hel', truncated: true },
    // "é" is two bytes: a cut inside it steps back to the character boundary.
    { text: 'aé', maxBytes: 2, expected: 'a', truncated: true },
    { text: 'a€b', maxBytes: 3, expected: 'a', truncated: true },
    { text: 'a€b', maxBytes: 4, expected: 'a€', truncated: true },
    { text: '😀x', maxBytes: 3, expected: '', truncated: true },
  ];
  for (const testCase of cases) {
    it(`${JSON.stringify(testCase.text)} at ${testCase.maxBytes} bytes`, () => {
      assert.deepEqual(truncateUtf8(testCase.text, testCase.maxBytes), { text: testCase.expected, truncated: testCase.truncated });
    });
  }
});
