import type { Provider, Type } from '@nestjs/common';
import type { ServiceRuntime } from '@telltale/runtime';
import { SalesforceActivityGateway } from '../salesforce/salesforce-activity.gateway';
import { ActivityExplanationController } from './activity-explanation.controller';
import { ApiGovernor } from './api-governor';
import { CrmEventsConsumer } from './crm-events.consumer';
import { CrmWriteScheduler } from './crm-write-scheduler';
import {
  CRM_WRITER_SETTINGS,
  DEFAULT_CRM_WRITER_SETTINGS,
  SALESFORCE_CONNECTION_SOURCE,
  type CrmWriterSettings,
  type SalesforceConnectionSource,
} from './crm-writer-settings';
import { LogActivityUseCase } from './log-activity.use-case';

/** The settings crm-writer's configuration may change (CRM_WRITE_* variables). */
export interface CrmWriteConfig {
  CRM_WRITE_TICK_MS: number;
  CRM_WRITE_BATCH_WINDOW_MS: number;
  CRM_ROLLUP_WINDOW_MS: number;
}

/**
 * What writing activities to Salesforce adds to the crm-writer module: the Kafka consumer, the
 * explanation routes, the writer and its scheduler. `connections` is the ONE source of
 * per-organisation connections (SalesforceConnections).
 */
export function activityWriting(
  runtime: ServiceRuntime,
  config: CrmWriteConfig,
  connections: SalesforceConnectionSource,
): { controllers: Type[]; providers: Provider[] } {
  const settings: CrmWriterSettings = {
    ...DEFAULT_CRM_WRITER_SETTINGS,
    tickMs: config.CRM_WRITE_TICK_MS,
    batchWindowMs: config.CRM_WRITE_BATCH_WINDOW_MS,
    rollupWindowMs: config.CRM_ROLLUP_WINDOW_MS,
  };
  const governor = new ApiGovernor(settings.governor);
  const gateway = new SalesforceActivityGateway(runtime.metrics, (orgId, usage) =>
    runtime.transaction((m) => governor.record(m, orgId, usage, runtime.clock.now())),
  );
  return {
    controllers: [CrmEventsConsumer, ActivityExplanationController],
    providers: [
      { provide: CRM_WRITER_SETTINGS, useValue: settings },
      { provide: SALESFORCE_CONNECTION_SOURCE, useValue: connections },
      { provide: SalesforceActivityGateway, useValue: gateway },
      LogActivityUseCase,
      CrmWriteScheduler,
    ],
  };
}
