import { mailboxConnectionChangedTopic, mailboxMessageReceivedTopic } from '@telltale/contracts';
import type { Clock } from '@telltale/db';
import { ServiceRuntime, kafkaClientSecurity, startService, type StartedService, callerGuardSettings } from '@telltale/runtime';
import type { Logger } from '@telltale/telemetry';
import { MailboxSyncInitial1764230800000 } from './migrations/1764230800000-mailbox-sync-initial';
import { MailboxSyncOauth1764404000000 } from './migrations/1764404000000-mailbox-sync-oauth';
import { MailboxSyncUnreadableMessages1765100000000 } from './migrations/1765100000000-mailbox-sync-unreadable-messages';
import { MailboxSyncOwners1765200000000 } from './migrations/1765200000000-mailbox-sync-owners';
import { MailboxSyncFoldersAndOutages1766000000000 } from './migrations/1766000000000-mailbox-sync-folders-and-outages';
import type { MailboxSyncConfig } from './mailbox-sync.config';
import { MailboxSyncModule } from './mailbox-sync.module';
import { GRAPH_NOTIFICATION_MAX_BYTES } from './graph/graph-notification';

export function createMailboxSyncRuntime(config: MailboxSyncConfig, overrides: { clock?: Clock; logger?: Logger } = {}): ServiceRuntime {
  return new ServiceRuntime({
    service: 'mailbox-sync',
    schema: 'mailbox_sync',
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    kafkaSecurity: kafkaClientSecurity(config),
    entities: [],
    migrations: [MailboxSyncInitial1764230800000, MailboxSyncOauth1764404000000, MailboxSyncUnreadableMessages1765100000000, MailboxSyncOwners1765200000000, MailboxSyncFoldersAndOutages1766000000000],
    producedTopics: [mailboxMessageReceivedTopic, mailboxConnectionChangedTopic],
    runMigrations: config.RUN_MIGRATIONS,
    identity: callerGuardSettings(config),
    logLevel: config.LOG_LEVEL,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    ...overrides,
  });
}

export function startMailboxSync(config: MailboxSyncConfig, overrides: Parameters<typeof createMailboxSyncRuntime>[1] = {}): Promise<StartedService> {
  const runtime = createMailboxSyncRuntime(config, overrides);
  return startService({
    runtime,
    port: config.PORT,
    host: config.HOST,
    metricsPort: config.METRICS_PORT,
    module: MailboxSyncModule.forRuntime(runtime, config),
    jsonBodyLimitBytes: GRAPH_NOTIFICATION_MAX_BYTES,
  });
}
