/**
 * The one backoff policy of every retry loop (Kafka consumers, the outbox relay, the runtime's
 * background start, mailbox reconnects and provider retries): attempt n (1-based) waits
 * initialMs · 2^(n-1), at most maxMs.
 *
 * `jitter: 'equal'` keeps half of that wait fixed and draws the other half at random (never below
 * initialMs), so many clients dropped by one outage do not come back in lockstep.
 */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  jitter?: 'none' | 'equal';
}

export function backoffDelayMs(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  // Past 2^30 every sensible maxMs is reached; the clamp keeps the power finite.
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** exponent);
  if (backoff.jitter !== 'equal') return ceiling;
  const jittered = ceiling / 2 + (Math.min(Math.max(random(), 0), 1) * ceiling) / 2;
  return Math.max(backoff.initialMs, Math.round(jittered));
}
