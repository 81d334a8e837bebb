import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { emailSentTopic, replyDetectedTopic, type EmailSent, type ReplyDetected } from '@telltale/contracts';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext } from '@telltale/runtime';
import { LogActivityUseCase } from './log-activity.use-case';

/** Kafka inputs of the CRM writer: sent emails and human replies become Salesforce activities. */
@Controller()
export class CrmEventsConsumer {
  constructor(private readonly logActivity: LogActivityUseCase) {}

  @EventPattern(emailSentTopic.name)
  onEmailSent(@Payload() event: ConsumedEvent<EmailSent>, @Ctx() context: EventContext): Promise<void> {
    return this.logActivity.emailSent(event.payload, event.eventId, context.manager);
  }

  @EventPattern(replyDetectedTopic.name)
  onReplyDetected(@Payload() event: ConsumedEvent<ReplyDetected>, @Ctx() context: EventContext): Promise<void> {
    return this.logActivity.replyDetected(event.payload, event.eventId, context.manager);
  }
}
