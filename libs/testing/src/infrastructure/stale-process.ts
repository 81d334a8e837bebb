import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { waitUntil } from './wait-until';

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

/** Whether a process with this pid exists (and we may signal it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A previous run killed with SIGKILL cannot clean up, and its processes would hold the fixed ports
 * and the data directory. The pid file names the leftover; its command line must mention `marker`
 * (the data directory) so an unrelated process that reused the pid is never touched.
 */
export async function stopStaleProcess(options: {
  pidFile: string;
  marker: string;
  signal: NodeJS.Signals;
  timeoutMs: number;
  log: (line: string) => void;
  name: string;
}): Promise<void> {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(options.pidFile, 'utf8').trim(), 10);
  } catch {
    return;
  }
  rmSync(options.pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) return;
  const commandLine = commandLineOf(pid);
  if (commandLine === undefined || !commandLine.includes(options.marker)) return;

  options.log(`${options.name}: stopping a leftover process (pid ${pid}) from an earlier run`);
  try {
    process.kill(pid, options.signal);
    await waitUntil(async () => (isAlive(pid) ? undefined : true), {
      what: `${options.name} leftover pid ${pid} to exit`,
      timeoutMs: options.timeoutMs,
    });
  } catch {
    // Started by us in its own process group, so the group id is its pid.
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}
