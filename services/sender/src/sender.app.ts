import { emailSendFailedTopic, emailSentTopic } from '@telltale/contracts';
import type { Clock } from '@telltale/db';
import { ServiceRuntime, jsonBodyLimitFor, kafkaClientSecurity, startService, type StartedService, callerGuardSettings } from '@telltale/runtime';
import type { Logger } from '@telltale/telemetry';
import { SenderInitial1764230600000 } from './migrations/1764230600000-sender-initial';
import { SenderSendThrottle1764900000000 } from './migrations/1764900000000-sender-send-throttle';
import { SenderSentEmailOwner1765700000100 } from './migrations/1765700000100-sender-sent-email-owner';
import { SenderSendAttempt1765900000000 } from './migrations/1765900000000-sender-send-attempt';
import { SenderSendAttemptAccepted1765900000100 } from './migrations/1765900000100-sender-send-attempt-accepted';
import { SenderSendAttemptOrigin1765900000200 } from './migrations/1765900000200-sender-send-attempt-origin';
import { SenderSuppressedAddress1766200000100 } from './migrations/1766200000100-sender-suppressed-address';
import type { SenderConfig } from './sender.config';
import { SenderModule } from './sender.module';
import { ONE_OFF_EMAIL_MAX_CHARACTERS } from './sending/emails.controller';

/** The sender schema's migrations, in order. */
export const SENDER_MIGRATIONS = [SenderInitial1764230600000, SenderSendThrottle1764900000000, SenderSentEmailOwner1765700000100, SenderSendAttempt1765900000000, SenderSendAttemptAccepted1765900000100, SenderSendAttemptOrigin1765900000200, SenderSuppressedAddress1766200000100];

export function createSenderRuntime(config: SenderConfig, overrides: { clock?: Clock; logger?: Logger; consumerGroupSuffix?: string } = {}): ServiceRuntime {
  return new ServiceRuntime({
    service: 'sender',
    schema: 'sender',
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    kafkaSecurity: kafkaClientSecurity(config),
    entities: [],
    migrations: SENDER_MIGRATIONS,
    producedTopics: [emailSentTopic, emailSendFailedTopic],
    runMigrations: config.RUN_MIGRATIONS,
    identity: callerGuardSettings(config),
    logLevel: config.LOG_LEVEL,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    ...overrides,
  });
}

export function startSender(config: SenderConfig, overrides: Parameters<typeof createSenderRuntime>[1] = {}): Promise<StartedService> {
  const runtime = createSenderRuntime(config, overrides);
  return startService({
    runtime,
    port: config.PORT,
    host: config.HOST,
    metricsPort: config.METRICS_PORT,
    module: SenderModule.forRuntime(runtime, config),
    // One-off emails carry up to 1 000 000 characters of html and of text (about 6.5 MB of JSON).
    jsonBodyLimitBytes: jsonBodyLimitFor(ONE_OFF_EMAIL_MAX_CHARACTERS),
  });
}
