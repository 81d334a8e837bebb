import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEnrollmentCommand, type EnrollmentCommand, type EnrollmentSnapshot } from '../src/enrollments/enrollment-transitions';

const at = new Date('2026-11-27T10:00:00Z');
const active = (over: Partial<EnrollmentSnapshot> = {}): EnrollmentSnapshot => ({ state: 'active', nextStepNumber: 1, nextDueAt: at, stepCount: 2, ...over });

const cases: { name: string; from: EnrollmentSnapshot; cmd: EnrollmentCommand; expect: { changed: boolean; state?: string; nextStepNumber?: number; nextDueAt?: Date | null } }[] = [
  { name: 'dispatching the current step clears the due time', from: active(), cmd: { kind: 'step-dispatched', stepNumber: 1 }, expect: { changed: true, state: 'active', nextStepNumber: 1, nextDueAt: null } },
  { name: 'dispatching another step is refused', from: active(), cmd: { kind: 'step-dispatched', stepNumber: 2 }, expect: { changed: false } },
  {
    name: 'step 1 sent schedules step 2 after its delay',
    from: active({ nextDueAt: null }),
    cmd: { kind: 'step-sent', stepNumber: 1, sentAt: at, nextStepDelaySeconds: 3 * 86_400 },
    expect: { changed: true, state: 'active', nextStepNumber: 2, nextDueAt: new Date('2026-11-30T10:00:00Z') },
  },
  { name: 'last step sent completes', from: active({ nextStepNumber: 2, nextDueAt: null }), cmd: { kind: 'step-sent', stepNumber: 2, sentAt: at, nextStepDelaySeconds: null }, expect: { changed: true, state: 'completed', nextDueAt: null } },
  { name: 'stop ends an active enrollment', from: active(), cmd: { kind: 'stop', reason: 'replied', at }, expect: { changed: true, state: 'stopped', nextDueAt: null } },
  { name: 'a late "sent" never revives a stopped enrollment', from: active({ state: 'stopped', nextDueAt: null }), cmd: { kind: 'step-sent', stepNumber: 1, sentAt: at, nextStepDelaySeconds: 60 }, expect: { changed: false } },
  { name: 'a stopped enrollment cannot be dispatched', from: active({ state: 'stopped' }), cmd: { kind: 'step-dispatched', stepNumber: 1 }, expect: { changed: false } },
  { name: 'stopping twice is a no-op', from: active({ state: 'stopped' }), cmd: { kind: 'stop', reason: 'replied', at }, expect: { changed: false } },
  { name: 'temporary failure reschedules the same step', from: active({ nextDueAt: null }), cmd: { kind: 'step-failed-temporarily', stepNumber: 1, retryAt: at }, expect: { changed: true, state: 'active', nextStepNumber: 1, nextDueAt: at } },
  { name: 'permanent failure fails the enrollment', from: active({ nextDueAt: null }), cmd: { kind: 'step-failed-permanently', stepNumber: 1, at, reason: 'PERMANENT' }, expect: { changed: true, state: 'failed', nextDueAt: null } },
  { name: 'completed is terminal', from: active({ state: 'completed' }), cmd: { kind: 'step-failed-temporarily', stepNumber: 1, retryAt: at }, expect: { changed: false } },
];

for (const c of cases) {
  test(`enrollment state machine: ${c.name}`, () => {
    const result = applyEnrollmentCommand(c.from, c.cmd);
    assert.equal(result.changed, c.expect.changed);
    if (result.changed) {
      if (c.expect.state) assert.equal(result.state, c.expect.state);
      if (c.expect.nextStepNumber !== undefined) assert.equal(result.nextStepNumber, c.expect.nextStepNumber);
      if (c.expect.nextDueAt !== undefined) assert.deepEqual(result.nextDueAt, c.expect.nextDueAt);
    }
  });
}
