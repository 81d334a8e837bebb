import { emailSendRequestedTopic, enrollmentPauseChangedTopic, suppressionChangedTopic } from '@telltale/contracts';
import type { Clock } from '@telltale/db';
import { ServiceRuntime, jsonBodyLimitFor, kafkaClientSecurity, startService, type StartedService, callerGuardSettings } from '@telltale/runtime';
import type { Logger } from '@telltale/telemetry';
import type { SequencerConfig } from './sequencer.config';
import { SEQUENCER_SCHEMA, sequencerEntities, sequencerMigrations } from './sequencer.entities';
import { SequencerModule } from './sequencer.module';
import { loadFreeMailDomains } from './replies/company-domain';
import { SEQUENCE_MAX_CHARACTERS } from './sequences/sequences.service';

export function createSequencerRuntime(config: SequencerConfig, overrides: { clock?: Clock; logger?: Logger; consumerGroupSuffix?: string } = {}): ServiceRuntime {
  return new ServiceRuntime({
    service: 'sequencer',
    schema: SEQUENCER_SCHEMA,
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    kafkaSecurity: kafkaClientSecurity(config),
    entities: sequencerEntities,
    migrations: sequencerMigrations,
    producedTopics: [emailSendRequestedTopic, enrollmentPauseChangedTopic, suppressionChangedTopic],
    runMigrations: config.RUN_MIGRATIONS,
    identity: callerGuardSettings(config),
    logLevel: config.LOG_LEVEL,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    ...overrides,
  });
}

export function startSequencer(config: SequencerConfig, overrides: Parameters<typeof createSequencerRuntime>[1] = {}): Promise<StartedService> {
  const runtime = createSequencerRuntime(config, overrides);
  return startService({
    runtime,
    port: config.PORT,
    metricsPort: config.METRICS_PORT,
    host: config.HOST,
    // A sequence's steps carry up to 2 000 000 characters of html and text together (about 6 MB of JSON).
    jsonBodyLimitBytes: jsonBodyLimitFor(SEQUENCE_MAX_CHARACTERS),
    module: SequencerModule.forRuntime(runtime, {
      tickMs: config.SEQUENCER_TICK_MS,
      sendWindowSeconds: config.SEQUENCER_SEND_WINDOW_SECONDS,
      retryAfterSeconds: config.SEQUENCER_RETRY_AFTER_SECONDS,
      outOfOffice: { defaultDays: config.SEQUENCER_OOO_DEFAULT_PAUSE_DAYS, maxDays: config.SEQUENCER_OOO_MAX_PAUSE_DAYS },
      colleaguePauseDays: config.SEQUENCER_COLLEAGUE_PAUSE_DAYS,
      freeMailDomains: loadFreeMailDomains(config.SEQUENCER_FREE_MAIL_DOMAINS_FILE),
    }),
  });
}
