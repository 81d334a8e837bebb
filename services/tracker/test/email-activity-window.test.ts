import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmailActivityWindow } from '../src';

test('counts distinct other links clicked within the burst window', () => {
  const w = new EmailActivityWindow(2_000);
  w.record('e1', { type: 'clicked', linkIndex: 0, at: 1_000, label: 'human' });
  w.record('e1', { type: 'clicked', linkIndex: 1, at: 1_500, label: 'human' });
  w.record('e1', { type: 'clicked', linkIndex: 1, at: 1_600, label: 'human' });
  assert.deepEqual(w.factsFor('e1', 2_000, 2), { openSeenBefore: false, otherLinksInBurst: 2 });
  assert.deepEqual(w.factsFor('e1', 2_000, 1), { openSeenBefore: false, otherLinksInBurst: 1 });
  assert.deepEqual(w.factsFor('e1', 3_400, 2), { openSeenBefore: false, otherLinksInBurst: 1 }, 'link 0 left the window');
  assert.deepEqual(w.factsFor('e2', 2_000, 0), { openSeenBefore: false, otherLinksInBurst: 0 }, 'emails are separate');
});

test('only opens not labelled as machines count as seen opens', () => {
  const w = new EmailActivityWindow(2_000);
  w.record('e1', { type: 'opened', linkIndex: null, at: 1_000, label: 'privacy_prefetch' });
  assert.equal(w.factsFor('e1', 1_100, 0).openSeenBefore, false);
  w.record('e1', { type: 'opened', linkIndex: null, at: 1_200, label: 'human' });
  assert.equal(w.factsFor('e1', 1_300, 0).openSeenBefore, true);
});

test('memory is bounded: the least recently hit email is forgotten first', () => {
  const w = new EmailActivityWindow(2_000, 2);
  w.record('a', { type: 'opened', linkIndex: null, at: 1, label: 'human' });
  w.record('b', { type: 'opened', linkIndex: null, at: 2, label: 'human' });
  w.record('a', { type: 'clicked', linkIndex: 0, at: 3, label: 'human' });
  w.record('c', { type: 'opened', linkIndex: null, at: 4, label: 'human' });
  assert.equal(w.factsFor('a', 5, 1).openSeenBefore, true);
  assert.equal(w.factsFor('b', 5, 1).openSeenBefore, false, 'b was evicted');
  assert.equal(w.factsFor('c', 5, 1).openSeenBefore, true);
});
