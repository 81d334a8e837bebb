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

/**
 * Per-mailbox send pacing: sliding-window counts per provider limit, plus a pause when the
 * provider itself answered 429/Retry-After. In memory, per sender process.
 */
export class MailboxSendThrottle {
  private readonly sends = new Map<string, number[]>();
  private readonly pausedUntil = new Map<string, number>();

  constructor(private readonly limits: Record<MailProvider, SendWindow[]> = DEFAULT_SEND_LIMITS) {}

  /** Takes a slot now, or says how long until one frees up. */
  tryAcquire(mailboxId: string, provider: MailProvider, now: Date): ThrottleDecision {
    const t = now.getTime();
    const paused = this.pausedUntil.get(mailboxId);
    if (paused !== undefined && paused > t) return { ok: false, retryAfterMs: paused - t, reason: 'the provider asked us to wait (Retry-After)' };
    const windows = this.limits[provider];
    const longest = Math.max(0, ...windows.map((w) => w.windowMs));
    const log = (this.sends.get(mailboxId) ?? []).filter((at) => at > t - longest);
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
    if (wait > 0) {
      this.sends.set(mailboxId, log);
      return { ok: false, retryAfterMs: wait, reason };
    }
    log.push(t);
    this.sends.set(mailboxId, log);
    return { ok: true };
  }

  /** The provider answered RATE_LIMITED: no send from this mailbox before now + retryAfterMs. */
  pause(mailboxId: string, now: Date, retryAfterMs: number): void {
    const until = now.getTime() + retryAfterMs;
    this.pausedUntil.set(mailboxId, Math.max(until, this.pausedUntil.get(mailboxId) ?? 0));
  }
}
