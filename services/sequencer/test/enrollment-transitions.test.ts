import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEnrollmentCommand, type EnrollmentCommand, type EnrollmentSnapshot } from '../src/enrollments/enrollment-transitions';

const at = new Date('2026-11-27T10:00:00Z');
const back = new Date('2026-12-07T00:00:00Z');
const later = new Date('2026-12-14T00:00:00Z');
const active = (over: Partial<EnrollmentSnapshot> = {}): EnrollmentSnapshot => ({ state: 'active', nextStepNumber: 1, nextDueAt: at, stepCount: 2, pausedUntil: null, ...over });
const paused = (over: Partial<EnrollmentSnapshot> = {}): EnrollmentSnapshot => active({ state: 'paused', nextStepNumber: 2, nextDueAt: null, pausedUntil: back, ...over });

interface Expectation {
  changed: boolean;
  state?: string;
  nextStepNumber?: number;
  nextDueAt?: Date | null;
  pausedUntil?: Date | null;
}

const cases: { name: string; from: EnrollmentSnapshot; cmd: EnrollmentCommand; expect: Expectation }[] = [
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

  // Out-of-office: pause, extend, resume, stop during the pause.
  { name: 'pause holds the due step and remembers the return', from: active({ nextStepNumber: 2 }), cmd: { kind: 'pause', until: back, at }, expect: { changed: true, state: 'paused', nextStepNumber: 2, nextDueAt: null, pausedUntil: back } },
  { name: 'pause while a step is with the sender', from: active({ nextDueAt: null }), cmd: { kind: 'pause', until: back, at }, expect: { changed: true, state: 'paused', nextStepNumber: 1, pausedUntil: back } },
  { name: 'a pause that would already be over is refused', from: active(), cmd: { kind: 'pause', until: at, at }, expect: { changed: false } },
  { name: 'a later out-of-office extends the pause', from: paused(), cmd: { kind: 'pause', until: later, at }, expect: { changed: true, state: 'paused', pausedUntil: later } },
  { name: 'an earlier return date never shortens the pause', from: paused({ pausedUntil: later }), cmd: { kind: 'pause', until: back, at }, expect: { changed: false } },
  { name: 'nothing is dispatched while paused', from: paused(), cmd: { kind: 'step-dispatched', stepNumber: 2 }, expect: { changed: false } },
  { name: 'a human reply during the pause stops', from: paused(), cmd: { kind: 'stop', reason: 'replied', at }, expect: { changed: true, state: 'stopped', nextDueAt: null, pausedUntil: null } },
  {
    name: 'resume gives the due step its full delay after the return',
    from: paused(),
    cmd: { kind: 'resume', stepDelaySeconds: 3 * 86_400 },
    expect: { changed: true, state: 'active', nextStepNumber: 2, nextDueAt: new Date('2026-12-10T00:00:00Z'), pausedUntil: null },
  },
  // By hand: until resumed, or until a date; resumed at a moment of the rep's choosing.
  { name: 'a pause by hand until resumed has no end', from: active(), cmd: { kind: 'pause', until: null, at }, expect: { changed: true, state: 'paused', nextDueAt: null, pausedUntil: null } },
  { name: 'a pause until resumed extends a dated one', from: paused(), cmd: { kind: 'pause', until: null, at }, expect: { changed: true, state: 'paused', pausedUntil: null } },
  { name: 'an out-of-office never shortens a pause until resumed', from: paused({ pausedUntil: null }), cmd: { kind: 'pause', until: later, at }, expect: { changed: false } },
  {
    name: 'resume by hand counts the delay from then',
    from: paused({ pausedUntil: null }),
    cmd: { kind: 'resume', stepDelaySeconds: 60, at },
    expect: { changed: true, state: 'active', nextDueAt: new Date(at.getTime() + 60_000), pausedUntil: null },
  },
  {
    name: 'resume while the claimed step may still be on its way schedules nothing',
    from: paused(),
    cmd: { kind: 'resume', stepDelaySeconds: 60, stepInFlight: true },
    expect: { changed: true, state: 'active', nextStepNumber: 2, nextDueAt: null, pausedUntil: null },
  },
  { name: 'resume with no step left completes', from: paused({ nextStepNumber: 3 }), cmd: { kind: 'resume', stepDelaySeconds: null }, expect: { changed: true, state: 'completed', nextDueAt: null } },
  { name: 'resume of an active enrollment is refused', from: active(), cmd: { kind: 'resume', stepDelaySeconds: 60 }, expect: { changed: false } },
  { name: 'resume never revives a stopped enrollment', from: paused({ state: 'stopped' }), cmd: { kind: 'resume', stepDelaySeconds: 60 }, expect: { changed: false } },
  {
    name: 'a step claimed before the pause is sent: the next one waits for the resume',
    from: paused({ nextStepNumber: 1, stepCount: 3 }),
    cmd: { kind: 'step-sent', stepNumber: 1, sentAt: at, nextStepDelaySeconds: 86_400 },
    expect: { changed: true, state: 'paused', nextStepNumber: 2, nextDueAt: null, pausedUntil: back },
  },
  { name: 'the last step sent during a pause completes', from: paused(), cmd: { kind: 'step-sent', stepNumber: 2, sentAt: at, nextStepDelaySeconds: null }, expect: { changed: true, state: 'completed', pausedUntil: null } },
  { name: 'a temporary failure during the pause is retried after the resume', from: paused(), cmd: { kind: 'step-failed-temporarily', stepNumber: 2, retryAt: at }, expect: { changed: true, state: 'paused', nextDueAt: null } },
  { name: 'a permanent failure during the pause fails', from: paused(), cmd: { kind: 'step-failed-permanently', stepNumber: 2, at, reason: 'AUTH_REVOKED' }, expect: { changed: true, state: 'failed', pausedUntil: null } },
];

for (const c of cases) {
  test(`enrollment state machine: ${c.name}`, () => {
    const result = applyEnrollmentCommand(c.from, c.cmd);
    assert.equal(result.changed, c.expect.changed, result.changed ? 'changed' : result.why);
    if (result.changed) {
      assert.equal(result.transition, c.cmd.kind);
      if (c.expect.state) assert.equal(result.state, c.expect.state);
      if (c.expect.nextStepNumber !== undefined) assert.equal(result.nextStepNumber, c.expect.nextStepNumber);
      if (c.expect.nextDueAt !== undefined) assert.deepEqual(result.nextDueAt, c.expect.nextDueAt);
      if (c.expect.pausedUntil !== undefined) assert.deepEqual(result.pausedUntil, c.expect.pausedUntil);
    }
  });
}
