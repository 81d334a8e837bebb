/** Polls a condition until it holds or the deadline passes; tests wait for facts, never for fixed sleeps. */
export async function waitFor(condition: () => boolean | Promise<boolean>, description: string, timeoutMs = 15_000, intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${description}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Sockets and timers alive in this process, to prove that stop() leaves nothing behind. */
export function liveHandles(): { sockets: number; timers: number } {
  const resources = process.getActiveResourcesInfo();
  return {
    sockets: resources.filter((name) => name === 'TCPSocketWrap' || name === 'TLSWrap').length,
    timers: resources.filter((name) => name === 'Timeout').length,
  };
}
