import { Module, type DynamicModule } from '@nestjs/common';
import { parseSigningKeys } from '@telltale/tracking';
import { RuntimeModule, ServiceRuntime } from '@telltale/runtime';
import { MailboxTransportClient } from './clients/mailbox-transport.client';
import { SequencerClaimClient } from './clients/sequencer-claim.client';
import type { SenderConfig } from './sender.config';
import { EmailsController } from './sending/emails.controller';
import { SentEmailQueries } from './sending/sent-email.queries';
import { SendEmailUseCase } from './sending/send-email.use-case';
import { SendRequestsConsumer } from './sending/send-requests.consumer';
import { SuppressionProjectionConsumer } from './sending/suppression-projection.consumer';
import { SendAttemptChecker } from './sending/send-attempt-checker';
import { SendAttempts } from './sending/send-attempts';
import { SEND_RECOVERY_SETTINGS, type SendRecoverySettings } from './sending/send-recovery-settings';
import { SENT_COPY_LOOKUP_TIMEOUT_MS } from './sending/sent-copy-finder';
import { TrackedEmailRenderer } from './sending/tracked-email-renderer';
import { PgMailboxSendThrottle } from './throttle/pg-mailbox-send-throttle';

@Module({})
export class SenderModule {
  static forRuntime(runtime: ServiceRuntime, config: SenderConfig): DynamicModule {
    return {
      module: SenderModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      controllers: [EmailsController, SendRequestsConsumer, SuppressionProjectionConsumer],
      providers: [
        SentEmailQueries,
        { provide: TrackedEmailRenderer, useValue: new TrackedEmailRenderer(parseSigningKeys(config.TRACKING_SIGNING_KEYS), config.TRACKING_BASE_URL, config.TRACKING_ORG_BASE_URLS) },
        { provide: SequencerClaimClient, useValue: new SequencerClaimClient(config.SEQUENCER_URL.replace(/\/$/, ''), config.SERVICE_CREDENTIAL) },
        { provide: MailboxTransportClient, useValue: new MailboxTransportClient(config.MAILBOX_SYNC_URL.replace(/\/$/, ''), config.SERVICE_CREDENTIAL) },
        // Pacing state lives in the sender schema, so every replica shares it.
        { provide: PgMailboxSendThrottle, useFactory: (rt: ServiceRuntime) => new PgMailboxSendThrottle(rt.dataSource), inject: [ServiceRuntime] },
        // Sends whose outcome is unknown after a crash: the intents, and the checker that settles them.
        { provide: SendAttempts, useFactory: (rt: ServiceRuntime) => new SendAttempts(rt.dataSource), inject: [ServiceRuntime] },
        { provide: SEND_RECOVERY_SETTINGS, useValue: recoverySettings(config) },
        SendEmailUseCase,
        SendAttemptChecker,
      ],
    };
  }
}

function recoverySettings(config: SenderConfig): SendRecoverySettings {
  return {
    graceMs: config.SEND_CHECK_GRACE_MS,
    smtpGraceMs: config.SEND_CHECK_SMTP_GRACE_MS,
    recheckMs: config.SEND_CHECK_INTERVAL_MS,
    maxRecheckMs: 300_000,
    lookupTimeoutMs: SENT_COPY_LOOKUP_TIMEOUT_MS,
    checkEveryMs: config.SEND_CHECK_INTERVAL_MS,
    orphanAfterMs: config.SEND_CHECK_ORPHAN_AFTER_MS,
    faults: config.SENDER_TEST_FAULT,
  };
}
