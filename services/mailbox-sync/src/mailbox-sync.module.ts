import { Module, type DynamicModule } from '@nestjs/common';
import { RuntimeModule, type ServiceRuntime } from '@telltale/runtime';
import { CredentialCipher } from './credentials/credential-cipher';
import { InternalMailboxController } from './internal/internal.controller';
import { INTERNAL_API_TOKEN } from './internal/internal-token';
import type { MailboxSyncConfig } from './mailbox-sync.config';
import { MailboxesController } from './mailboxes/mailboxes.controller';
import { MailboxesService } from './mailboxes/mailboxes.service';
import { FOLDER_POLL_MS, MailboxFollowers } from './sync/mailbox-followers';
import { RecordInboundMessageUseCase } from './sync/record-inbound-message.use-case';

@Module({})
export class MailboxSyncModule {
  static forRuntime(runtime: ServiceRuntime, config: MailboxSyncConfig): DynamicModule {
    return {
      module: MailboxSyncModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      controllers: [MailboxesController, InternalMailboxController],
      providers: [
        { provide: CredentialCipher, useValue: new CredentialCipher(config.CREDENTIALS_ENCRYPTION_KEYS) },
        { provide: INTERNAL_API_TOKEN, useValue: config.INTERNAL_API_TOKEN },
        { provide: FOLDER_POLL_MS, useValue: config.MAILBOX_FOLDER_POLL_MS },
        MailboxesService,
        RecordInboundMessageUseCase,
        MailboxFollowers,
      ],
    };
  }
}
