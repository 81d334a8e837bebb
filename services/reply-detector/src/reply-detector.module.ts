import { Module, type DynamicModule } from '@nestjs/common';
import { RuntimeModule, type ServiceRuntime } from '@telltale/runtime';
import { loadFreeMailDomains } from './detection/free-mail-domains';
import { FREE_MAIL_DOMAINS, HandleInboundMessageUseCase } from './detection/handle-inbound-message.use-case';
import { ReplyDetectorConsumer } from './detection/reply-detector.consumer';
import { VerdictsController } from './detection/verdicts.controller';
import type { ReplyDetectorConfig } from './reply-detector.config';

@Module({})
export class ReplyDetectorModule {
  static forRuntime(runtime: ServiceRuntime, config: ReplyDetectorConfig): DynamicModule {
    return {
      module: ReplyDetectorModule,
      imports: [RuntimeModule.forRuntime(runtime)],
      controllers: [VerdictsController],
      providers: [{ provide: FREE_MAIL_DOMAINS, useValue: loadFreeMailDomains(config.FREE_MAIL_DOMAINS_FILE) }, HandleInboundMessageUseCase, ReplyDetectorConsumer],
    };
  }
}
