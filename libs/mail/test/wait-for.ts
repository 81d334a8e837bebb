import { eventually } from '@telltale/testing';

/** The shared `eventually` with a boolean condition, as these tests write it. */
export async function waitFor(condition: () => boolean | Promise<boolean>, description: string, timeoutMs = 15_000, intervalMs = 25): Promise<void> {
  await eventually(description, condition, { timeoutMs, intervalMs });
}

/** Sockets and timers alive in this process, to prove that stop() leaves nothing behind. */
export function liveHandles(): { sockets: number; timers: number } {
  const resources = process.getActiveResourcesInfo();
  return {
    sockets: resources.filter((name) => name === 'TCPSocketWrap' || name === 'TLSWrap').length,
    timers: resources.filter((name) => name === 'Timeout').length,
  };
}
