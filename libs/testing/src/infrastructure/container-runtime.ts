/**
 * Whether a Docker-compatible runtime answers (Docker, Podman, Colima, remote DOCKER_HOST — the
 * strategies testcontainers knows). Loaded lazily: testcontainers is heavy to import, and most
 * runs here have no runtime. Bounded in time because a remote DOCKER_HOST can hang.
 */
export async function isContainerRuntimeAvailable(log: (line: string) => void, timeoutMs = 15_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const client = await Promise.race([getContainerRuntimeClient(), timeout]);
    log(`containers: using ${client.info.containerRuntime.operatingSystem} at ${client.info.containerRuntime.host}`);
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log(`containers: no container runtime (${reason}); using local processes`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}
