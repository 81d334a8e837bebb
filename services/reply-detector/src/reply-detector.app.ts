import { campaignStopTopic, emailBouncedTopic, emailComplainedTopic, replyDetectedTopic } from '@telltale/contracts';
import type { Clock } from '@telltale/db';
import { ServiceRuntime, kafkaClientSecurity, startService, type StartedService, callerGuardSettings } from '@telltale/runtime';
import type { Logger } from '@telltale/telemetry';
import { ReplyDetectorInitial1764230900000 } from './migrations/1764230900000-reply-detector-initial';
import { ReplyDetectorMatching1764400000000 } from './migrations/1764400000000-reply-detector-matching';
import { ReplyDetectorMessageCopies1765000000000 } from './migrations/1765000000000-reply-detector-message-copies';
import type { ReplyDetectorConfig } from './reply-detector.config';
import { ReplyDetectorModule } from './reply-detector.module';

export function createReplyDetectorRuntime(config: ReplyDetectorConfig, overrides: { clock?: Clock; logger?: Logger } = {}): ServiceRuntime {
  return new ServiceRuntime({
    service: 'reply-detector',
    schema: 'reply_detector',
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    kafkaSecurity: kafkaClientSecurity(config),
    entities: [],
    migrations: [ReplyDetectorInitial1764230900000, ReplyDetectorMatching1764400000000, ReplyDetectorMessageCopies1765000000000],
    producedTopics: [replyDetectedTopic, emailBouncedTopic, campaignStopTopic, emailComplainedTopic],
    runMigrations: config.RUN_MIGRATIONS,
    identity: callerGuardSettings(config),
    logLevel: config.LOG_LEVEL,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    ...overrides,
  });
}

export function startReplyDetector(config: ReplyDetectorConfig, overrides: Parameters<typeof createReplyDetectorRuntime>[1] = {}): Promise<StartedService> {
  const runtime = createReplyDetectorRuntime(config, overrides);
  return startService({ runtime, port: config.PORT, host: config.HOST, metricsPort: config.METRICS_PORT, module: ReplyDetectorModule.forRuntime(runtime, config) });
}
