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
import { TrackedEmailRenderer } from './sending/tracked-email-renderer';
import { PgMailboxSendThrottle } from './throttle/pg-mailbox-send-throttle';

@Module({})
export class SenderModule {
  static forRuntime(runtime: ServiceRuntime, config: SenderConfig): DynamicModule {
    return {
      module: SenderModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      controllers: [EmailsController, SendRequestsConsumer],
      providers: [
        SentEmailQueries,
        { provide: TrackedEmailRenderer, useValue: new TrackedEmailRenderer(parseSigningKeys(config.TRACKING_SIGNING_KEYS), config.TRACKING_BASE_URL, config.TRACKING_ORG_BASE_URLS) },
        { provide: SequencerClaimClient, useValue: new SequencerClaimClient(config.SEQUENCER_URL.replace(/\/$/, ''), config.SERVICE_CREDENTIAL) },
        { provide: MailboxTransportClient, useValue: new MailboxTransportClient(config.MAILBOX_SYNC_URL.replace(/\/$/, ''), config.SERVICE_CREDENTIAL) },
        // Pacing state lives in the sender schema, so every replica shares it.
        { provide: PgMailboxSendThrottle, useFactory: (rt: ServiceRuntime) => new PgMailboxSendThrottle(rt.dataSource), inject: [ServiceRuntime] },
        SendEmailUseCase,
      ],
    };
  }
}
