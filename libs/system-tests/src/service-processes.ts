import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export type ServiceName = 'sequencer' | 'sender' | 'tracker' | 'mailbox-sync' | 'reply-detector' | 'crm-writer';

const repoRoot = resolve(__dirname, '..', '..', '..', '..');

/**
 * One service as its own Node process (`services/<name>/dist/src/main.js`, as in a pod), on a
 * fixed port so it comes back at the same address after a kill. Its output goes to a log file
 * that a failing test can show.
 */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private log: WriteStream | null = null;
  /** How many times it was started. */
  starts = 0;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logFile(): string {
    return join(this.logDir, `${this.name}.log`);
  }

  /** Starts it and waits until /health/ready answers 200 (or the process exits). */
  async start(timeoutMs = 120_000): Promise<void> {
    if (this.child !== null) throw new Error(`${this.name} is already running`);
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [join(repoRoot, 'services', this.name, 'dist', 'src', 'main.js')], {
      cwd: repoRoot,
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.child = child;
    this.starts += 1;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.child = null;
        throw new Error(`${this.name} exited while starting (${child.exitCode ?? child.signalCode}); log:\n${this.tail()}`);
      }
      const ready = await fetch(`${this.url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready after ${timeoutMs} ms; log:\n${this.tail()}`);
      await delay(200);
    }
  }

  /** SIGKILL: no shutdown hook runs, as when a node dies or the OOM killer strikes. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM and wait for a graceful exit (SIGKILL after 20 s). */
  async stop(): Promise<void> {
    await this.signal('SIGTERM', 20_000);
  }

  private async signal(signal: NodeJS.Signals, graceMs = 0): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill(signal);
      const killer = graceMs > 0 ? setTimeout(() => child.kill('SIGKILL'), graceMs) : undefined;
      await exited;
      clearTimeout(killer);
    }
    this.log?.end();
    this.log = null;
  }

  /** The last lines of its log. */
  tail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
