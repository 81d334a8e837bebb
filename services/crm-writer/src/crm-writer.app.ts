import { crmActivityLoggedTopic, crmConnectionChangedTopic } from '@telltale/contracts';
import type { Clock } from '@telltale/db';
import { ServiceRuntime, kafkaClientSecurity, startService, type StartedService, callerGuardSettings } from '@telltale/runtime';
import type { Logger } from '@telltale/telemetry';
import type { CrmWriterConfig } from './crm-writer.config';
import { CrmWriterModule } from './crm-writer.module';
import { CrmWriterInitial1764231000000 } from './migrations/1764231000000-crm-writer-initial';
import { CrmWriterSalesforceConnections1766100000000 } from './migrations/1766100000000-crm-writer-salesforce-connections';
import { CrmWriterPendingWrites1766200000000 } from './migrations/1766200000000-crm-writer-pending-writes';

export function createCrmWriterRuntime(config: CrmWriterConfig, overrides: { clock?: Clock; logger?: Logger } = {}): ServiceRuntime {
  return new ServiceRuntime({
    service: 'crm-writer',
    schema: 'crm_writer',
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    kafkaSecurity: kafkaClientSecurity(config),
    entities: [],
    migrations: [CrmWriterInitial1764231000000, CrmWriterSalesforceConnections1766100000000, CrmWriterPendingWrites1766200000000],
    producedTopics: [crmActivityLoggedTopic, crmConnectionChangedTopic],
    runMigrations: config.RUN_MIGRATIONS,
    identity: callerGuardSettings(config),
    logLevel: config.LOG_LEVEL,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    ...overrides,
  });
}

export function startCrmWriter(config: CrmWriterConfig, overrides: Parameters<typeof createCrmWriterRuntime>[1] = {}): Promise<StartedService> {
  const runtime = createCrmWriterRuntime(config, overrides);
  return startService({ runtime, port: config.PORT, host: config.HOST, metricsPort: config.METRICS_PORT, module: CrmWriterModule.forRuntime(runtime, config) });
}
