import { backoffDelayMs } from '@telltale/contracts';

export interface ReconnectBackoff {
  minMs: number;
  maxMs: number;
}

/**
 * Capped at 20 s: with equal jitter a wait is at most the cap, so once a server is back a follower
 * is connected again (and detecting replies) within about 20 s plus one connection, under 30 s,
 * however long the outage lasted. A provider's own longer retry-after still wins.
 */
export const DEFAULT_RECONNECT_BACKOFF: ReconnectBackoff = { minMs: 1_000, maxMs: 20_000 };

/**
 * Delay before reconnect attempt number `attempt` (1-based): the shared backoff policy
 * (`backoffDelayMs` of libs/contracts) from minMs, capped at maxMs, with equal jitter so many
 * mailboxes dropped by one server outage do not reconnect in lockstep. A provider's own
 * retry-after wins when it is longer.
 */
export function reconnectDelayMs(attempt: number, backoff: ReconnectBackoff, random: () => number, retryAfterMs?: number): number {
  const delay = backoffDelayMs(attempt, { initialMs: backoff.minMs, maxMs: backoff.maxMs, jitter: 'equal' }, random);
  return retryAfterMs !== undefined && retryAfterMs > delay ? retryAfterMs : delay;
}
