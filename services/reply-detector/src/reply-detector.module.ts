import { Module, type DynamicModule } from '@nestjs/common';
import { RuntimeModule, type ServiceRuntime } from '@telltale/runtime';
import { loadFreeMailDomains } from '@telltale/mail';
import { DETECTION_SETTINGS, FREE_MAIL_DOMAINS, HandleInboundMessageUseCase, type DetectionSettings } from './detection/handle-inbound-message.use-case';
import { ReplyDetectorConsumer } from './detection/reply-detector.consumer';
import { VerdictQueries } from './detection/verdict.queries';
import { VerdictsController } from './detection/verdicts.controller';
import type { ReplyDetectorConfig } from './reply-detector.config';

@Module({})
export class ReplyDetectorModule {
  static forRuntime(runtime: ServiceRuntime, config: ReplyDetectorConfig): DynamicModule {
    return {
      module: ReplyDetectorModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      controllers: [VerdictsController, ReplyDetectorConsumer],
      providers: [
        VerdictQueries,
        { provide: FREE_MAIL_DOMAINS, useValue: loadFreeMailDomains(config.FREE_MAIL_DOMAINS_FILE, 'FREE_MAIL_DOMAINS_FILE') },
        { provide: DETECTION_SETTINGS, useValue: { softBounceStopAfter: config.SOFT_BOUNCE_STOP_AFTER, activeWindowDays: config.ACTIVE_WINDOW_DAYS } satisfies DetectionSettings },
        HandleInboundMessageUseCase,
      ],
    };
  }
}
