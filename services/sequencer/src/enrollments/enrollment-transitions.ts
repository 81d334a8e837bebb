import { assertNever } from '@telltale/contracts';
import type { EnrollmentState } from './enrollment-state';

/** Facts about an enrollment a transition depends on. */
export interface EnrollmentSnapshot {
  state: EnrollmentState;
  nextStepNumber: number;
  nextDueAt: Date | null;
  stepCount: number;
  /** Set while paused: when the prospect is back. */
  pausedUntil: Date | null;
}

export type EnrollmentCommand =
  | { kind: 'step-dispatched'; stepNumber: number }
  | { kind: 'step-sent'; stepNumber: number; sentAt: Date; nextStepDelaySeconds: number | null }
  | { kind: 'step-failed-temporarily'; stepNumber: number; retryAt: Date }
  /** The step is due but may not leave yet (outside the send window, spread after its opening): due again at `until`. */
  | { kind: 'step-deferred'; stepNumber: number; until: Date }
  | { kind: 'step-failed-permanently'; stepNumber: number; at: Date; reason: string }
  | { kind: 'stop'; reason: string; at: Date }
  /** `until` null: paused by hand until someone resumes it. */
  | { kind: 'pause'; until: Date | null; at: Date }
  /**
   * `stepDelaySeconds`: the delay of the step that is next (null when there is none left). `at`: a
   * resume by hand (the step's delay counts from then); absent, the pause ran out at pausedUntil.
   * `stepInFlight`: the next step was claimed by the sender before the pause and may still be on its
   * way, so nothing is scheduled until it is reported sent or failed (never twice).
   */
  | { kind: 'resume'; stepDelaySeconds: number | null; at?: Date; stepInFlight?: boolean };

export type TransitionResult =
  | { changed: false; why: string }
  | {
      changed: true;
      transition: EnrollmentCommand['kind'];
      state: EnrollmentState;
      nextStepNumber: number;
      nextDueAt: Date | null;
      pausedUntil: Date | null;
      endedAt: Date | null;
      stopReason: string | null;
    };

/**
 * The enrollment state machine as a pure function. Stopped, completed and failed are terminal: a
 * stop that committed can never be undone by a late "sent", a resume or a scheduler tick. Nothing is
 * handed to the sender while paused, and a pause never eats the next step's delay: on resume the
 * step that was due is scheduled its full delay after the prospect is back.
 */
export function applyEnrollmentCommand(e: EnrollmentSnapshot, cmd: EnrollmentCommand): TransitionResult {
  if (e.state !== 'active' && e.state !== 'paused') return { changed: false, why: `enrollment is ${e.state}` };
  const paused = e.state === 'paused';
  const base = { changed: true as const, transition: cmd.kind, stopReason: null, endedAt: null, pausedUntil: e.pausedUntil };
  const ended = { pausedUntil: null, nextDueAt: null };
  switch (cmd.kind) {
    case 'step-dispatched':
      if (paused) return { changed: false, why: 'enrollment is paused' };
      if (cmd.stepNumber !== e.nextStepNumber) return { changed: false, why: `step ${cmd.stepNumber} is not the next step (${e.nextStepNumber})` };
      // Nothing is due while the step is with the sender.
      return { ...base, state: 'active', nextStepNumber: e.nextStepNumber, nextDueAt: null };
    case 'step-sent': {
      if (cmd.stepNumber !== e.nextStepNumber) return { changed: false, why: `sent step ${cmd.stepNumber} is not the current step (${e.nextStepNumber})` };
      if (cmd.stepNumber >= e.stepCount || cmd.nextStepDelaySeconds === null) {
        return { ...base, ...ended, state: 'completed', nextStepNumber: cmd.stepNumber + 1, endedAt: cmd.sentAt };
      }
      // A step claimed before the pause may still go out; the next one waits for the resume.
      if (paused) return { ...base, state: 'paused', nextStepNumber: cmd.stepNumber + 1, nextDueAt: null };
      return {
        ...base,
        state: 'active',
        nextStepNumber: cmd.stepNumber + 1,
        nextDueAt: new Date(cmd.sentAt.getTime() + cmd.nextStepDelaySeconds * 1000),
      };
    }
    case 'step-failed-temporarily':
      if (cmd.stepNumber !== e.nextStepNumber) return { changed: false, why: 'stale failure' };
      return { ...base, state: e.state, nextStepNumber: e.nextStepNumber, nextDueAt: paused ? null : cmd.retryAt };
    case 'step-deferred':
      if (paused) return { changed: false, why: 'enrollment is paused' };
      if (cmd.stepNumber !== e.nextStepNumber) return { changed: false, why: `step ${cmd.stepNumber} is not the next step (${e.nextStepNumber})` };
      return { ...base, state: 'active', nextStepNumber: e.nextStepNumber, nextDueAt: cmd.until };
    case 'step-failed-permanently':
      if (cmd.stepNumber !== e.nextStepNumber) return { changed: false, why: 'stale failure' };
      return { ...base, ...ended, state: 'failed', nextStepNumber: e.nextStepNumber, endedAt: cmd.at, stopReason: cmd.reason };
    case 'stop':
      return { ...base, ...ended, state: 'stopped', nextStepNumber: e.nextStepNumber, endedAt: cmd.at, stopReason: cmd.reason };
    case 'pause':
      if (paused && e.pausedUntil === null) return { changed: false, why: 'already paused until resumed by hand' };
      if (cmd.until === null) return { ...base, state: 'paused', nextStepNumber: e.nextStepNumber, nextDueAt: null, pausedUntil: null };
      if (cmd.until.getTime() <= cmd.at.getTime()) return { changed: false, why: 'the pause would already be over' };
      if (paused && e.pausedUntil && cmd.until.getTime() <= e.pausedUntil.getTime()) {
        return { changed: false, why: `already paused until ${e.pausedUntil.toISOString()}` };
      }
      return { ...base, state: 'paused', nextStepNumber: e.nextStepNumber, nextDueAt: null, pausedUntil: cmd.until };
    case 'resume': {
      if (!paused) return { changed: false, why: 'enrollment is not paused' };
      const backAt = cmd.at ?? e.pausedUntil ?? new Date(0);
      if (cmd.stepInFlight) return { ...base, state: 'active', nextStepNumber: e.nextStepNumber, nextDueAt: null, pausedUntil: null };
      if (cmd.stepDelaySeconds === null) return { ...base, ...ended, state: 'completed', nextStepNumber: e.nextStepNumber, endedAt: backAt };
      return {
        ...base,
        state: 'active',
        nextStepNumber: e.nextStepNumber,
        nextDueAt: new Date(backAt.getTime() + cmd.stepDelaySeconds * 1000),
        pausedUntil: null,
      };
    }
    default:
      return assertNever(cmd);
  }
}
