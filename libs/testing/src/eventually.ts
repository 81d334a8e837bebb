import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls until `probe` returns a value other than undefined/false, or fails with the last
 * observation once the deadline passes. Tests wait for conditions; they never sleep-and-hope.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await delay(options.intervalMs ?? 100);
  }
}
