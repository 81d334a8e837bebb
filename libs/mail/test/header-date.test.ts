import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseHeaderDate } from '../src';

describe('parseHeaderDate', () => {
  const cases: { value: string | null; iso: string | null }[] = [
    { value: 'Tue, 14 Jan 2025 17:01:58 +0100', iso: '2025-01-14T16:01:58.000Z' },
    { value: 'Tue, 1 Jul 2003 10:52:37 +0200 (CEST)', iso: '2003-07-01T08:52:37.000Z' },
    { value: '14 Jan 2025 17:01:58 -0000', iso: '2025-01-14T17:01:58.000Z' },
    { value: 'Fri, 17 Jan 2025 10:15:33 +0000 (UTC)', iso: '2025-01-17T10:15:33.000Z' },
    { value: 'Fri, 17 Jan 2025 10:15 +0000', iso: '2025-01-17T10:15:00.000Z' },
    { value: 'Fri, 17 Jan 2025 10:15:33 GMT', iso: '2025-01-17T10:15:33.000Z' },
    { value: 'Fri, 17 Jan 2025 10:15:33 EST', iso: '2025-01-17T15:15:33.000Z' },
    { value: 'Fri, 17 Jan 2025 10:15:33', iso: '2025-01-17T10:15:33.000Z' },
    { value: 'Fri, 17 Jan 25 10:15:33 +0000', iso: '2025-01-17T10:15:33.000Z' },
    { value: 'Sat, 17 Jan 98 10:15:33 +0000', iso: '1998-01-17T10:15:33.000Z' },
    { value: 'Friday, 17 January 2025 10:15:33 +0530', iso: '2025-01-17T04:45:33.000Z' },
    { value: '2025-01-17T10:15:33Z', iso: '2025-01-17T10:15:33.000Z' },
    { value: '2025-01-17T10:15:33+01:00', iso: '2025-01-17T09:15:33.000Z' },
    { value: 'someday soon', iso: null },
    { value: '1', iso: null },
    { value: '31 Feb 2025 10:00:00 +0000', iso: null },
    { value: '17 Foo 2025 10:00:00 +0000', iso: null },
    { value: '17 Jan 2025 25:00:00 +0000', iso: null },
    { value: '', iso: null },
    { value: null, iso: null },
  ];
  for (const testCase of cases) {
    it(`${JSON.stringify(testCase.value)} → ${String(testCase.iso)}`, () => {
      assert.equal(parseHeaderDate(testCase.value), testCase.iso);
    });
  }
});
