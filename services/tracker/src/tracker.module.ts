import { Module, type DynamicModule } from '@nestjs/common';
import { RuntimeModule, type ServiceRuntime } from '@telltale/runtime';
import { parseSigningKeys } from '@telltale/tracking';
import { RecordHitUseCase } from './hits/record-hit.use-case';
import { TrackingController } from './hits/tracking.controller';
import { TRACKING_KEYS } from './hits/tracking-keys';
import type { TrackerConfig } from './tracker.config';

@Module({})
export class TrackerModule {
  static forRuntime(runtime: ServiceRuntime, config: TrackerConfig): DynamicModule {
    return {
      module: TrackerModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      controllers: [TrackingController],
      providers: [{ provide: TRACKING_KEYS, useValue: parseSigningKeys(config.TRACKING_SIGNING_KEYS) }, RecordHitUseCase],
    };
  }
}
