import { setTimeout as delay } from 'node:timers/promises';
import { backoffDelayMs, type Backoff } from '@telltale/contracts';

/** Attempts of one event (or one batch chunk) before it is dead-lettered, and the wait between them. */
export interface RetryPolicy {
  maxAttempts: number;
  backoff: Backoff;
}

/** The consumers' default: 5 attempts, 200 ms doubling up to 5 s apart. */
export function consumerRetryPolicy(maxAttempts = 5, retryBaseMs = 200): RetryPolicy {
  return { maxAttempts, backoff: { initialMs: retryBaseMs, maxMs: 5_000 } };
}

export type Attempted<T> = { ok: true; value: T } | { ok: false; error: Error };

/**
 * Per-event retries: `work` (one transaction) up to maxAttempts times, waiting the backoff between
 * attempts; the last error when every attempt failed. `onFailure` hears of each failed attempt.
 */
export async function retryEvent<T>(policy: RetryPolicy, work: () => Promise<T>, onFailure: (err: Error, attempt: number, retrying: boolean) => void): Promise<Attempted<T>> {
  let lastError: Error = new Error('unknown error');
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    try {
      return { ok: true, value: await work() };
    } catch (err) {
      lastError = err as Error;
      const retrying = attempt < policy.maxAttempts;
      onFailure(lastError, attempt, retrying);
      if (retrying) await delay(backoffDelayMs(attempt, policy.backoff));
    }
  }
  return { ok: false, error: lastError };
}

export interface ChunkRetry<C> {
  policy: RetryPolicy;
  /** One transaction for the whole chunk. */
  handle(chunk: C[]): Promise<void>;
  databaseReachable(): Promise<boolean>;
  /** False once the consumer stops or loses the partition: the chunk is left for redelivery. */
  live(): boolean;
  heartbeat(): Promise<void>;
  onHandled(chunk: C[]): void;
  onFailure(failure: { err: Error; attempt: number; events: number; databaseReachable: boolean; retrying: boolean }): void;
  /** Dead-letters the one event that kept failing with the database up. */
  giveUp(one: C, error: Error): Promise<void>;
}

/**
 * Batch retries: one transaction for the chunk, retried with the backoff. While the database cannot
 * be reached the chunk waits (heartbeating) rather than using up its attempts: that is an outage,
 * not a bad event. A chunk that keeps failing with the database up is retried event by event, so
 * only the event that fails is given up on.
 */
export async function retryChunk<C>(chunk: C[], retry: ChunkRetry<C>): Promise<void> {
  let lastError: Error = new Error('unknown error');
  for (let failures = 0, outage = 0; ; ) {
    try {
      await retry.handle(chunk);
      retry.onHandled(chunk);
      return;
    } catch (err) {
      lastError = err as Error;
      if (!retry.live()) throw lastError;
      const reachable = await retry.databaseReachable();
      if (reachable) failures += 1;
      else outage += 1;
      const retrying = failures < retry.policy.maxAttempts;
      retry.onFailure({ err: lastError, attempt: failures, events: chunk.length, databaseReachable: reachable, retrying });
      await retry.heartbeat();
      if (!retrying) break;
      await delay(backoffDelayMs(reachable ? failures : outage, retry.policy.backoff));
    }
  }
  if (chunk.length > 1) {
    for (const one of chunk) await retryChunk([one], retry);
    return;
  }
  await retry.giveUp(chunk[0]!, lastError);
}
