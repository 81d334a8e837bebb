/**
 * A pass of background work run every `everyMs` (0: never by timer, tests call `run()`), one at a
 * time per process: a `run()` while a pass is under way shares it. Failures are logged, never
 * thrown from the timer.
 */
export class PeriodicPass {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly work: () => Promise<number>,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(everyMs: number): void {
    if (everyMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.run(), everyMs);
    this.timer.unref();
  }

  /** Stops the timer; resolves when the pass under way (if any) is over. */
  stop(): Promise<unknown> | undefined {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.running ?? undefined;
  }

  run(): Promise<number> {
    this.running ??= this.work()
      .catch((err: unknown) => {
        this.onError(err);
        return 0;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }
}
