import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';

export interface ManagedProcessSpec {
  /** Component name, used in messages. */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here, never to the parent's console. */
  logFile: string;
  /** Written with the pid while the process runs, so a later run can find a leftover. */
  pidFile?: string;
  uid?: number;
  gid?: number;
  /** PostgreSQL wants SIGINT (fast shutdown); JVMs run their shutdown hooks on SIGTERM. */
  stopSignal: NodeJS.Signals;
  /** After this, the whole process group gets SIGKILL. */
  stopTimeoutMs: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<ManagedProcess>();
const forwardedSignals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let exitHookInstalled = false;

/**
 * A child process in its own process group. The group keeps a terminal's Ctrl-C away from the
 * children, so the owner can stop services before the database they use; the owner is then
 * responsible for stopping them, which `stop()` and the exit/signal hooks below guarantee.
 */
export class ManagedProcess {
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly spec: ManagedProcessSpec,
    child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.status = { code, signal };
        running.delete(this);
        if (spec.pidFile !== undefined) rmSync(spec.pidFile, { force: true });
        if (running.size === 0) uninstallSignalHooks();
        resolve(this.status);
      });
    });
  }

  static async start(spec: ManagedProcessSpec): Promise<ManagedProcess> {
    const logFd = openSync(spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        detached: true,
        stdio: ['ignore', logFd, logFd],
        ...(spec.uid === undefined ? {} : { uid: spec.uid }),
        ...(spec.gid === undefined ? {} : { gid: spec.gid }),
      });
    } finally {
      closeSync(logFd);
    }
    const spawned = await new Promise<ChildProcess>((resolve, reject) => {
      child.once('spawn', () => resolve(child));
      child.once('error', (error) => reject(new Error(`${spec.name}: could not start ${spec.command}: ${error.message}`)));
    });
    // The owner decides how long to live; a forgotten process is killed by the exit hook.
    spawned.unref();
    const managed = new ManagedProcess(spec, spawned);
    running.add(managed);
    installHooks();
    if (spec.pidFile !== undefined) writeFileSync(spec.pidFile, `${managed.pid}\n`);
    return managed;
  }

  /** Undefined while running. */
  exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** Graceful signal, then SIGKILL to the group after the deadline. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    if (this.status !== undefined) return;
    signalProcess(this.pid, this.spec.stopSignal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.spec.stopTimeoutMs);
    });
    const outcome = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      signalGroup(this.pid, 'SIGKILL');
      await this.exited;
    } else {
      // Children of the process (PostgreSQL backends) must not outlive it.
      signalGroup(this.pid, 'SIGKILL');
    }
  }

  /** Immediate SIGKILL of the whole group; for the exit hook, where nothing async runs. */
  killNow(): void {
    signalGroup(this.pid, 'SIGKILL');
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is empty.
  }
}

/** Stops every process this module started, newest first. */
export async function stopAllManagedProcesses(): Promise<void> {
  for (const managed of [...running].reverse()) await managed.stop();
}

function killAllNow(): void {
  for (const managed of running) managed.killNow();
}

function onSignal(signal: NodeJS.Signals): void {
  // Someone else listens too: the application owns shutdown and will call stop() itself.
  if (process.listenerCount(signal) > 1) return;
  uninstallSignalHooks();
  void stopAllManagedProcesses().finally(() => {
    // Re-raise with no listener left, so the process ends the way the signal meant.
    process.kill(process.pid, signal);
  });
}

const signalListeners = new Map<NodeJS.Signals, () => void>();

function installHooks(): void {
  if (!exitHookInstalled) {
    process.on('exit', killAllNow);
    exitHookInstalled = true;
  }
  if (signalListeners.size > 0) return;
  for (const signal of forwardedSignals) {
    const listener = (): void => onSignal(signal);
    signalListeners.set(signal, listener);
    process.on(signal, listener);
  }
}

function uninstallSignalHooks(): void {
  for (const [signal, listener] of signalListeners) process.removeListener(signal, listener);
  signalListeners.clear();
}
