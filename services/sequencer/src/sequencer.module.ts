import { Module, type DynamicModule } from '@nestjs/common';
import { RuntimeModule, type ServiceRuntime } from '@telltale/runtime';
import { EnrollmentsController } from './enrollments/enrollments.controller';
import { EnrollmentsService } from './enrollments/enrollments.service';
import { SequencerEventsConsumer } from './enrollments/sequencer-events.consumer';
import { HandleDetectedReplyUseCase } from './replies/handle-detected-reply.use-case';
import { MailboxDirectory } from './mailboxes/mailbox-directory';
import { MailboxDirectoryConsumer } from './mailboxes/mailbox-directory.consumer';
import { InternalController } from './internal/internal.controller';
import { SendClaimsService } from './internal/send-claims.service';
import { StepDispatcher } from './scheduling/step-dispatcher';
import { MailboxCapsController } from './scheduling/mailbox-caps';
import { SEQUENCER_SETTINGS, type SequencerSettings } from './sequencer-settings';
import { SequencesController } from './sequences/sequences.controller';
import { SequencesService } from './sequences/sequences.service';
import { SuppressionEventsConsumer } from './suppression/suppression-events.consumer';
import { SuppressionList } from './suppression/suppression-list';
import { SuppressionsController } from './suppression/suppressions.controller';

@Module({})
export class SequencerModule {
  static forRuntime(runtime: ServiceRuntime, settings: SequencerSettings): DynamicModule {
    return {
      module: SequencerModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      controllers: [SequencesController, EnrollmentsController, InternalController, SequencerEventsConsumer, MailboxDirectoryConsumer, SuppressionsController, SuppressionEventsConsumer, MailboxCapsController],
      providers: [
        { provide: SEQUENCER_SETTINGS, useValue: settings },
        SequencesService,
        EnrollmentsService,
        SendClaimsService,
        StepDispatcher,
        HandleDetectedReplyUseCase,
        MailboxDirectory,
        SuppressionList,
      ],
    };
  }
}
