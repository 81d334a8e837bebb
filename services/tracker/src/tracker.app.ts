import { trackingEngagementTopic } from '@telltale/contracts';
import type { Clock } from '@telltale/db';
import { ServiceRuntime, startService, type StartedService } from '@telltale/runtime';
import type { Logger } from '@telltale/telemetry';
import { TrackerInitial1764230700000 } from './migrations/1764230700000-tracker-initial';
import type { TrackerConfig } from './tracker.config';
import { TrackerModule } from './tracker.module';

export function createTrackerRuntime(config: TrackerConfig, overrides: { clock?: Clock; logger?: Logger } = {}): ServiceRuntime {
  return new ServiceRuntime({
    service: 'tracker',
    schema: 'tracker',
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    entities: [],
    migrations: [TrackerInitial1764230700000],
    producedTopics: [trackingEngagementTopic],
    runMigrations: config.RUN_MIGRATIONS,
    logLevel: config.LOG_LEVEL,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    ...overrides,
  });
}

export function startTracker(config: TrackerConfig, overrides: Parameters<typeof createTrackerRuntime>[1] = {}): Promise<StartedService> {
  const runtime = createTrackerRuntime(config, overrides);
  return startService({
    runtime,
    port: config.PORT,
    host: config.HOST,
    module: TrackerModule.forRuntime(runtime, config),
    configure: (app) => {
      const http = app.getHttpAdapter().getInstance() as { disable(setting: string): void; set(setting: string, value: unknown): void };
      http.disable('x-powered-by');
      http.set('etag', false);
    },
  });
}
