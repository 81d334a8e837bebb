import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PeriodicPass, ServiceRuntime } from '@telltale/runtime';
import { CRM_WRITER_SETTINGS, type CrmWriterSettings } from './crm-writer-settings';
import { LogActivityUseCase } from './log-activity.use-case';

/**
 * Drives the writes: every `tickMs`, each organisation with a batch due gets its activities (in
 * batches of up to 200) and then its roll-ups written. Safe with several replicas: batches are
 * claimed under leases.
 */
@Injectable()
export class CrmWriteScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly pass: PeriodicPass;

  constructor(
    runtime: ServiceRuntime,
    private readonly writer: LogActivityUseCase,
    @Inject(CRM_WRITER_SETTINGS) private readonly settings: CrmWriterSettings,
  ) {
    this.pass = new PeriodicPass(
      () => this.writeDue(),
      (err) => runtime.logger.error({ err: (err as Error).message }, 'CRM write pass failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.pass.start(this.settings.tickMs);
  }

  onApplicationShutdown(): Promise<unknown> | void {
    return this.pass.stop();
  }

  /** One pass; returns how many activities and roll-ups were taken up. Concurrent calls share a pass. */
  tick(): Promise<number> {
    return this.pass.run();
  }

  private async writeDue(): Promise<number> {
    let total = 0;
    for (const orgId of await this.writer.orgsDue()) {
      for (;;) {
        const n = await this.writer.writeBatch(orgId);
        total += n;
        if (n < this.settings.batchSize) break;
      }
      total += await this.writer.writeRollups(orgId);
    }
    return total;
  }
}
