export interface WaitUntilOptions {
  /** What is awaited, for the timeout message. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Stops waiting early, e.g. when the process being probed has exited. */
  abortReason?: () => string | undefined;
}

/**
 * Polls `probe` until it resolves to a value (not undefined) or the deadline passes. A probe that
 * throws counts as "not yet"; the last error is reported on timeout.
 */
export async function waitUntil<T>(probe: () => Promise<T | undefined>, options: WaitUntilOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 250;
  let lastError: unknown;
  for (;;) {
    const aborted = options.abortReason?.();
    if (aborted !== undefined) throw new Error(`gave up waiting for ${options.what}: ${aborted}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
