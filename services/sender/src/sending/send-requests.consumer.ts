import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { emailSendRequestedTopic, type EmailSendRequested } from '@telltale/contracts';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext } from '@telltale/runtime';
import { SendEmailUseCase } from './send-email.use-case';

/** The sequencer's send requests: each is one send, in one transaction around the provider call. */
@Controller()
export class SendRequestsConsumer {
  constructor(private readonly sendEmail: SendEmailUseCase) {}

  @EventPattern(emailSendRequestedTopic.name)
  async onSendRequested(@Payload() event: ConsumedEvent<EmailSendRequested>, @Ctx() context: EventContext): Promise<void> {
    await this.sendEmail.execute(event.payload, context.manager);
  }
}
