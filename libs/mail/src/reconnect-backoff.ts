export interface ReconnectBackoff {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_RECONNECT_BACKOFF: ReconnectBackoff = { minMs: 1_000, maxMs: 5 * 60_000 };

/**
 * Delay before reconnect attempt number `attempt` (1-based): exponential from minMs, capped at
 * maxMs, with "equal jitter" (half fixed, half random) so many mailboxes dropped by one server
 * outage do not reconnect in lockstep. A provider's own retry-after wins when it is longer.
 */
export function reconnectDelayMs(attempt: number, backoff: ReconnectBackoff, random: () => number, retryAfterMs?: number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(backoff.maxMs, backoff.minMs * 2 ** exponent);
  const jittered = ceiling / 2 + (Math.min(Math.max(random(), 0), 1) * ceiling) / 2;
  const delay = Math.max(backoff.minMs, Math.round(jittered));
  return retryAfterMs !== undefined && retryAfterMs > delay ? retryAfterMs : delay;
}
