import { documentConvertedTopic, documentUploadedTopic } from '@telltale/contracts';
import type { Clock } from '@telltale/db';
import { ServiceRuntime, kafkaClientSecurity, startService, type StartedService, callerGuardSettings } from '@telltale/runtime';
import type { Logger } from '@telltale/telemetry';
import type { ContentConfig } from './content.config';
import { ContentModule } from './content.module';
import { ContentInitial1767000000000 } from './migrations/1767000000000-content-initial';

export function createContentRuntime(config: ContentConfig, overrides: { clock?: Clock; logger?: Logger } = {}): ServiceRuntime {
  return new ServiceRuntime({
    service: 'content',
    schema: 'content',
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    kafkaSecurity: kafkaClientSecurity(config),
    entities: [],
    migrations: [ContentInitial1767000000000],
    producedTopics: [documentUploadedTopic, documentConvertedTopic],
    runMigrations: config.RUN_MIGRATIONS,
    identity: callerGuardSettings(config),
    logLevel: config.LOG_LEVEL,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    ...overrides,
  });
}

export function startContent(config: ContentConfig, overrides: Parameters<typeof createContentRuntime>[1] = {}): Promise<StartedService> {
  const runtime = createContentRuntime(config, overrides);
  return startService({ runtime, port: config.PORT, host: config.HOST, metricsPort: config.METRICS_PORT, module: ContentModule.forRuntime(runtime, config) });
}
