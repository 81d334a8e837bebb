import type { OutOfOfficePolicy } from './replies/out-of-office-pause';

export interface SequencerSettings {
  /** Scheduler period; 0 disables the timer (tests drive `tick()` themselves). */
  tickMs: number;
  /** A hand-over the sender has not acted on within this window is not sent any more. */
  sendWindowSeconds: number;
  /** Retry delay after a temporary send failure. */
  retryAfterSeconds: number;
  outOfOffice: OutOfOfficePolicy;
  /** Pause length for the company rule `pause`. */
  colleaguePauseDays: number;
  /** Domains whose users are never colleagues of each other (free-mail). */
  freeMailDomains: ReadonlySet<string>;
}

export const SEQUENCER_SETTINGS = Symbol('SEQUENCER_SETTINGS');
