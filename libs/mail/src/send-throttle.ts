import type { MailProvider } from './mail-provider-error';

/** At most `max` sends in any `windowMs`. */
export interface SendWindow {
  windowMs: number;
  max: number;
  label: string;
}

/**
 * Provider sending limits per mailbox:
 *  - Gmail API: per-user quota of 250 units/s with messages.send at 100 units, i.e. ~2 sends/s;
 *    Workspace accounts may send 2 000 messages a day (consumer accounts 500).
 *  - Microsoft 365 / Exchange Online: 30 messages a minute and 10 000 recipients a day.
 *  - SMTP servers vary and say so with 4xx replies, which map to RATE_LIMITED.
 */
export const DEFAULT_SEND_LIMITS: Record<MailProvider, SendWindow[]> = {
  gmail: [
    { windowMs: 1_000, max: 2, label: 'Gmail API: 2 sends per second' },
    { windowMs: 86_400_000, max: 2_000, label: 'Gmail: 2 000 messages per day' },
  ],
  graph: [
    { windowMs: 60_000, max: 30, label: 'Microsoft 365: 30 messages per minute' },
    { windowMs: 86_400_000, max: 10_000, label: 'Microsoft 365: 10 000 messages per day' },
  ],
  smtp: [],
  imap: [],
};

export type ThrottleDecision = { ok: true } | { ok: false; retryAfterMs: number; reason: string };

export const RETRY_AFTER_REASON = 'the provider asked us to wait (Retry-After)';

/** What a throttle store keeps per mailbox, times in epoch milliseconds. */
export interface MailboxSendState {
  /** Recent send times, in any order (replicas' clocks may interleave them). */
  sends: readonly number[];
  /** No send before this time (a provider's Retry-After), or null. */
  pausedUntil: number | null;
}

export interface SendDecision {
  decision: ThrottleDecision;
  /**
   * The send log to keep: ascending, only the sends that still count for some window (younger than
   * the longest window, at most the largest max of them), plus `now` when the slot was taken.
   */
  sends: number[];
}

/**
 * The throttle's one decision, shared by every store (in memory, PostgreSQL): sliding-window counts
 * per provider limit, plus a pause when the provider itself answered 429/Retry-After. Pure; the
 * store must apply the returned log atomically with having read `state`.
 */
export function decideSend(state: MailboxSendState, windows: readonly SendWindow[], now: Date): SendDecision {
  const t = now.getTime();
  const longest = Math.max(0, ...windows.map((w) => w.windowMs));
  const largest = Math.max(0, ...windows.map((w) => w.max));
  const log = state.sends.filter((at) => at > t - longest).sort((a, b) => a - b);
  const keep = (sends: number[]): number[] => sends.slice(Math.max(0, sends.length - largest));
  if (state.pausedUntil !== null && state.pausedUntil > t) {
    return { decision: { ok: false, retryAfterMs: state.pausedUntil - t, reason: RETRY_AFTER_REASON }, sends: keep(log) };
  }
  let wait = 0;
  let reason = '';
  for (const window of windows) {
    const inWindow = log.filter((at) => at > t - window.windowMs);
    if (inWindow.length >= window.max) {
      // The slot frees when the oldest send that still counts leaves the window.
      const frees = inWindow[inWindow.length - window.max]! + window.windowMs - t;
      if (frees > wait) {
        wait = frees;
        reason = window.label;
      }
    }
  }
  if (wait > 0) return { decision: { ok: false, retryAfterMs: wait, reason }, sends: keep(log) };
  log.push(t);
  log.sort((a, b) => a - b);
  return { decision: { ok: true }, sends: keep(log) };
}

/**
 * Per-mailbox send pacing in memory, for one process only (tests, tools). The sender's replicas
 * share theirs through PostgreSQL, with the same `decideSend`.
 */
export class MailboxSendThrottle {
  private readonly states = new Map<string, MailboxSendState>();

  constructor(private readonly limits: Record<MailProvider, SendWindow[]> = DEFAULT_SEND_LIMITS) {}

  /** Takes a slot now, or says how long until one frees up. */
  tryAcquire(mailboxId: string, provider: MailProvider, now: Date): ThrottleDecision {
    const state = this.states.get(mailboxId) ?? { sends: [], pausedUntil: null };
    const { decision, sends } = decideSend(state, this.limits[provider], now);
    this.states.set(mailboxId, { ...state, sends });
    return decision;
  }

  /** The provider answered RATE_LIMITED: no send from this mailbox before now + retryAfterMs. */
  pause(mailboxId: string, now: Date, retryAfterMs: number): void {
    const state = this.states.get(mailboxId) ?? { sends: [], pausedUntil: null };
    const until = now.getTime() + retryAfterMs;
    this.states.set(mailboxId, { ...state, pausedUntil: Math.max(until, state.pausedUntil ?? 0) });
  }
}
