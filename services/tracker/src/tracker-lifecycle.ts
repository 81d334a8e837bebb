import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ServiceRuntime } from '@telltale/runtime';
import { DeviceDirectory } from './devices/device-directory';
import { RecordHitUseCase } from './hits/record-hit.use-case';
import { HitRecorder } from './recording/hit-recorder';
import { KafkaHitSink } from './recording/kafka-hit-sink';

export const DIRECTORY_REFRESH_MS = Symbol('DIRECTORY_REFRESH_MS');

/** Loads the device directory before traffic, refreshes it, and flushes the hit queue on stop. */
@Injectable()
export class TrackerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly directory: DeviceDirectory,
    private readonly hits: RecordHitUseCase,
    private readonly recorder: HitRecorder,
    private readonly sink: KafkaHitSink,
    @Inject(DIRECTORY_REFRESH_MS) private readonly refreshMs: number,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.directory.refresh();
    this.timer = setInterval(() => {
      this.directory.refresh().catch((err: unknown) => this.runtime.logger.warn({ err: (err as Error).message }, 'device directory not refreshed; keeping the last view'));
    }, this.refreshMs);
    this.timer.unref();
  }

  /** Runs after the HTTP server closed: every accepted hit is produced (or spilled) before the producer goes. */
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.hits.drain();
    await this.recorder.stop();
    await this.sink.stop();
  }
}
