import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { folderHasNewMail, planFolderSync, type FolderSyncPlan, type ImapCursor } from '../src';

const now = new Date('2025-03-10T12:00:00.000Z');

describe('planFolderSync', () => {
  const cases: { name: string; stored: ImapCursor | null; uidValidity: string; uidNext: number; windowDays?: number; plan: FolderSyncPlan }[] = [
    {
      name: 'resumes from a cursor with the same UIDVALIDITY',
      stored: { uidValidity: '7', lastUid: 41 },
      uidValidity: '7',
      uidNext: 50,
      plan: { kind: 'resume', cursor: { uidValidity: '7', lastUid: 41 } },
    },
    {
      name: 'first run without a window starts at UIDNEXT - 1 (only new mail)',
      stored: null,
      uidValidity: '7',
      uidNext: 50,
      plan: { kind: 'start-fresh', reason: 'no-cursor', cursor: { uidValidity: '7', lastUid: 49 }, windowSince: null },
    },
    {
      name: 'first run on an empty folder',
      stored: null,
      uidValidity: '7',
      uidNext: 1,
      plan: { kind: 'start-fresh', reason: 'no-cursor', cursor: { uidValidity: '7', lastUid: 0 }, windowSince: null },
    },
    {
      name: 'first run with a window reads the last N days',
      stored: null,
      uidValidity: '7',
      uidNext: 50,
      windowDays: 3,
      plan: { kind: 'start-fresh', reason: 'no-cursor', cursor: { uidValidity: '7', lastUid: 49 }, windowSince: new Date('2025-03-07T12:00:00.000Z') },
    },
    {
      name: 'changed UIDVALIDITY resets the cursor (RFC 3501 §2.3.1.1) and applies the window',
      stored: { uidValidity: '7', lastUid: 900 },
      uidValidity: '8',
      uidNext: 12,
      windowDays: 1,
      plan: { kind: 'start-fresh', reason: 'uidvalidity-changed', cursor: { uidValidity: '8', lastUid: 11 }, windowSince: new Date('2025-03-09T12:00:00.000Z') },
    },
    {
      name: 'a zero-day window is no window',
      stored: null,
      uidValidity: '7',
      uidNext: 5,
      windowDays: 0,
      plan: { kind: 'start-fresh', reason: 'no-cursor', cursor: { uidValidity: '7', lastUid: 4 }, windowSince: null },
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const plan = planFolderSync({
        stored: testCase.stored,
        folder: { uidValidity: testCase.uidValidity, uidNext: testCase.uidNext },
        initialWindowDays: testCase.windowDays,
        now,
      });
      assert.deepEqual(plan, testCase.plan);
    });
  }
});

describe('folderHasNewMail', () => {
  const cases: { stored: ImapCursor | null; uidValidity: string; uidNext: number; expected: boolean }[] = [
    { stored: { uidValidity: '7', lastUid: 9 }, uidValidity: '7', uidNext: 10, expected: false },
    { stored: { uidValidity: '7', lastUid: 9 }, uidValidity: '7', uidNext: 11, expected: true },
    { stored: { uidValidity: '7', lastUid: 9 }, uidValidity: '8', uidNext: 10, expected: true },
    { stored: null, uidValidity: '7', uidNext: 1, expected: true },
  ];
  for (const testCase of cases) {
    it(`${JSON.stringify(testCase.stored)} vs ${testCase.uidValidity}/${testCase.uidNext} → ${testCase.expected}`, () => {
      assert.equal(folderHasNewMail(testCase.stored, { uidValidity: testCase.uidValidity, uidNext: testCase.uidNext }), testCase.expected);
    });
  }
});
