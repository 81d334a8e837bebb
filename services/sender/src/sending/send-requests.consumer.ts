import { Injectable, type OnModuleInit } from '@nestjs/common';
import { emailSendRequestedTopic } from '@telltale/contracts';
import { subscribe } from '@telltale/kafka';
import { ServiceRuntime } from '@telltale/runtime';
import { SendEmailUseCase } from './send-email.use-case';

@Injectable()
export class SendRequestsConsumer implements OnModuleInit {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly sendEmail: SendEmailUseCase,
  ) {}

  onModuleInit(): void {
    this.runtime.addConsumer([
      subscribe(emailSendRequestedTopic, async (event, m) => {
        await this.sendEmail.execute(event.payload, m);
      }),
    ]);
  }
}
