import { assertNever } from '@telltale/contracts';
import type { EnrollmentState } from './enrollment-state';

/** Facts about an enrollment a transition depends on. */
export interface EnrollmentSnapshot {
  state: EnrollmentState;
  nextStepNumber: number;
  nextDueAt: Date | null;
  stepCount: number;
}

export type EnrollmentCommand =
  | { kind: 'step-dispatched'; stepNumber: number }
  | { kind: 'step-sent'; stepNumber: number; sentAt: Date; nextStepDelaySeconds: number | null }
  | { kind: 'step-failed-temporarily'; stepNumber: number; retryAt: Date }
  | { kind: 'step-failed-permanently'; stepNumber: number; at: Date; reason: string }
  | { kind: 'stop'; reason: string; at: Date };

export type TransitionResult =
  | { changed: false; why: string }
  | {
      changed: true;
      transition: EnrollmentCommand['kind'];
      state: EnrollmentState;
      nextStepNumber: number;
      nextDueAt: Date | null;
      endedAt: Date | null;
      stopReason: string | null;
    };

/**
 * The enrollment state machine as a pure function. Anything not active is terminal: a stop that
 * committed can never be undone by a late "sent" or a scheduler tick.
 */
export function applyEnrollmentCommand(e: EnrollmentSnapshot, cmd: EnrollmentCommand): TransitionResult {
  if (e.state !== 'active') return { changed: false, why: `enrollment is ${e.state}` };
  const base = { changed: true as const, transition: cmd.kind, stopReason: null, endedAt: null };
  switch (cmd.kind) {
    case 'step-dispatched':
      if (cmd.stepNumber !== e.nextStepNumber) return { changed: false, why: `step ${cmd.stepNumber} is not the next step (${e.nextStepNumber})` };
      // Nothing is due while the step is with the sender.
      return { ...base, state: 'active', nextStepNumber: e.nextStepNumber, nextDueAt: null };
    case 'step-sent': {
      if (cmd.stepNumber !== e.nextStepNumber) return { changed: false, why: `sent step ${cmd.stepNumber} is not the current step (${e.nextStepNumber})` };
      if (cmd.stepNumber >= e.stepCount || cmd.nextStepDelaySeconds === null) {
        return { ...base, state: 'completed', nextStepNumber: cmd.stepNumber + 1, nextDueAt: null, endedAt: cmd.sentAt };
      }
      return {
        ...base,
        state: 'active',
        nextStepNumber: cmd.stepNumber + 1,
        nextDueAt: new Date(cmd.sentAt.getTime() + cmd.nextStepDelaySeconds * 1000),
      };
    }
    case 'step-failed-temporarily':
      if (cmd.stepNumber !== e.nextStepNumber) return { changed: false, why: 'stale failure' };
      return { ...base, state: 'active', nextStepNumber: e.nextStepNumber, nextDueAt: cmd.retryAt };
    case 'step-failed-permanently':
      if (cmd.stepNumber !== e.nextStepNumber) return { changed: false, why: 'stale failure' };
      return { ...base, state: 'failed', nextStepNumber: e.nextStepNumber, nextDueAt: null, endedAt: cmd.at, stopReason: cmd.reason };
    case 'stop':
      return { ...base, state: 'stopped', nextStepNumber: e.nextStepNumber, nextDueAt: null, endedAt: cmd.at, stopReason: cmd.reason };
    default:
      return assertNever(cmd);
  }
}
