import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { compactUidSet, folderHasNewMail, planFolderSync, uidPages, UidPageProgress, type FolderSyncPlan, type ImapCursor } from '../src';

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

describe('compactUidSet', () => {
  const cases: [number[], string][] = [
    [[], ''],
    [[7], '7'],
    [[1, 2, 3, 5, 7, 8], '1:3,5,7:8'],
    [[9, 10, 99, 100, 101], '9:10,99:101'],
    [[4294967294, 4294967295], '4294967294:4294967295'],
  ];
  for (const [uids, set] of cases) {
    it(`${JSON.stringify(uids)} → "${set}"`, () => assert.equal(compactUidSet(uids), set));
  }
});

describe('uidPages', () => {
  it('cuts ascending UIDs into pages of at most maxUids, each a compact set', () => {
    const uids = [...Array.from({ length: 250 }, (_, i) => i + 1), 300, 302];
    const pages = uidPages(uids, 100);
    assert.deepEqual(
      pages.map((page) => page.set),
      ['1:100', '101:200', '201:250,300,302'],
    );
    assert.deepEqual(pages.flatMap((page) => page.uids), uids);
  });

  it('also cuts a page whose set would grow past maxSetLength, counting exactly', () => {
    // Every other UID: no ranges, so the set is "1,3,5,…"; each page stays within 20 characters.
    const uids = Array.from({ length: 40 }, (_, i) => 2 * i + 1);
    const pages = uidPages(uids, 1_000, 20);
    assert.ok(pages.length > 1);
    for (const page of pages) {
      assert.ok(page.set.length <= 20, page.set);
      assert.equal(page.set, compactUidSet(page.uids));
    }
    // A page is cut only when the next UID would not fit.
    for (const [index, page] of pages.slice(0, -1).entries()) {
      const next = pages[index + 1]!.uids[0]!;
      assert.ok(compactUidSet([...page.uids, next]).length > 20);
    }
    assert.deepEqual(pages.flatMap((page) => page.uids), uids);
  });

  it('counts ranges as their compact form, not as their UIDs', () => {
    const uids = [...Array.from({ length: 500 }, (_, i) => 1_000 + i), 5_000, ...Array.from({ length: 500 }, (_, i) => 9_000 + i)];
    assert.deepEqual(uidPages(uids, 10_000, 20).map((page) => page.set), ['1000:1499,5000,9000', '9001:9499']);
  });

  it('returns no page for no UIDs', () => assert.deepEqual(uidPages([], 100), []));
});

describe('UidPageProgress', () => {
  it('moves the cursor with every message when the server answers in UID order', () => {
    const progress = new UidPageProgress([3, 4, 9]);
    assert.deepEqual([3, 4, 9].map((uid) => progress.handled(uid)), [3, 4, 9]);
    assert.equal(progress.finish(), null);
  });

  it('holds the cursor below a UID not handled yet when the server answers out of order', () => {
    const progress = new UidPageProgress([3, 4, 9, 12]);
    assert.equal(progress.handled(9), null, 'not past 3 and 4, which are still to come');
    assert.equal(progress.handled(3), 3);
    assert.equal(progress.handled(4), 9, 'both 4 and the earlier 9 are now covered');
    assert.equal(progress.handled(12), 12);
  });

  it('ignores UIDs it did not ask for and answers asked for twice', () => {
    const progress = new UidPageProgress([5, 6]);
    assert.equal(progress.expects(4), false);
    assert.equal(progress.handled(4), null);
    assert.equal(progress.handled(5), 5);
    assert.equal(progress.expects(5), false);
    assert.equal(progress.handled(5), null);
  });

  it('after the FETCH, moves past UIDs the server no longer has (expunged since the SEARCH)', () => {
    const progress = new UidPageProgress([3, 4, 9, 12]);
    assert.equal(progress.handled(3), 3);
    assert.equal(progress.handled(9), null, '4 might still come');
    assert.equal(progress.finish(), 9);
    assert.equal(new UidPageProgress([1, 2]).finish(), null, 'nothing handled, nothing to move');
  });
});
