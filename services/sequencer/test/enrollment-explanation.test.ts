import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainEnrollment, type ExplanationFacts } from '../src/enrollments/enrollment-explanation';

const t = (s: string) => new Date(s);
const base: ExplanationFacts = {
  state: 'active',
  stopReason: null,
  stopCauseId: null,
  endedAt: null,
  nextStepNumber: 2,
  nextDueAt: t('2026-11-30T10:00:00Z'),
  pausedUntil: null,
  stepCount: 3,
  claimsAfterStop: 0,
  steps: [{ stepNumber: 1, status: 'sent', sentAt: t('2026-11-27T10:00:00Z') }],
  replies: [],
};
const reply = { replyId: 'r1', kind: 'reply', relation: 'cc', from: 'alan@encom.com', at: t('2026-11-28T09:00:00Z') };

const cases: { name: string; facts: ExplanationFacts; stopped: boolean; answer: RegExp }[] = [
  { name: 'running, nothing detected', facts: base, stopped: false, answer: /^Not stopped: still running, 1 of 3 steps sent, step 2 due at 2026-11-30T10:00:00.000Z\. No reply has been detected for it\.$/ },
  {
    name: 'stopped by a CC reply',
    facts: { ...base, state: 'stopped', stopReason: 'replied', stopCauseId: 'r1', endedAt: t('2026-11-28T09:00:00Z'), replies: [{ ...reply, effect: 'stopped', why: 'a human reply from the cc (alan@encom.com) stops the campaign' }] },
    stopped: true,
    answer: /^Stopped at 2026-11-28T09:00:00.000Z because a human reply was detected \(a human reply from the cc \(alan@encom.com\) stops the campaign\); 1 of 3 steps sent, none claimed for sending after the stop\.$/,
  },
  {
    name: 'paused by an out-of-office',
    facts: { ...base, state: 'paused', nextDueAt: null, pausedUntil: t('2026-12-07T00:00:00Z'), replies: [{ ...reply, kind: 'auto_reply', relation: 'prospect', effect: 'paused', why: 'the prospect is out of office' }] },
    stopped: false,
    answer: /^Not stopped, paused until 2026-12-07T00:00:00.000Z: the prospect is out of office\. Step 2 follows its full delay after that/,
  },
  {
    name: 'an auto-reply from a CC did not stop it',
    facts: { ...base, replies: [{ ...reply, kind: 'auto_reply', effect: 'none', why: 'an auto-reply from the cc (alan@encom.com) does not pause the prospect\'s campaign' }] },
    stopped: false,
    answer: /1 detected reply did not stop it: an auto-reply from the cc/,
  },
  { name: 'completed', facts: { ...base, state: 'completed', endedAt: t('2026-12-01T00:00:00Z') }, stopped: false, answer: /^Not stopped: completed at 2026-12-01T00:00:00.000Z, all 3 steps sent before any reply stopped it\./ },
  { name: 'failed', facts: { ...base, state: 'failed', stopReason: 'AUTH_REVOKED: token revoked', endedAt: t('2026-11-28T00:00:00Z') }, stopped: false, answer: /^Not stopped by a reply: sending failed for good .*AUTH_REVOKED/ },
  { name: 'company rule', facts: { ...base, state: 'stopped', stopReason: 'company_replied', endedAt: t('2026-11-28T00:00:00Z') }, stopped: true, answer: /because someone else at the prospect's company replied/ },
];
for (const c of cases) {
  test(`explain: ${c.name}`, () => {
    const e = explainEnrollment(c.facts);
    assert.equal(e.stopped, c.stopped);
    assert.match(e.answer, c.answer);
    assert.deepEqual(e.stepsSent, [1]);
  });
}
