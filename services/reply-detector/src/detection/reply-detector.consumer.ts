import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { emailSentTopic, mailboxMessageReceivedTopic, type EmailSent, type MailboxMessageReceived } from '@telltale/contracts';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext } from '@telltale/runtime';
import { SentMessageStore } from '../sent-index/sent-message.store';
import { HandleInboundMessageUseCase } from './handle-inbound-message.use-case';

/**
 * Kafka inputs of the reply detector, in two consumer groups: the sent index must never wait behind
 * a slow inbound message, and vice versa.
 */
@Controller()
export class ReplyDetectorConsumer {
  private readonly sentIndex = new SentMessageStore();

  constructor(private readonly handleInbound: HandleInboundMessageUseCase) {}

  @EventPattern(emailSentTopic.name, { consumer: 'sent-index' })
  async onEmailSent(@Payload() event: ConsumedEvent<EmailSent>, @Ctx() context: EventContext): Promise<void> {
    await this.sentIndex.record(context.manager, event.payload);
    await this.handleInbound.reconsiderPending(context.manager, event.payload.orgId, event.payload.messageId);
  }

  @EventPattern(mailboxMessageReceivedTopic.name, { consumer: 'inbound' })
  async onMessageReceived(@Payload() event: ConsumedEvent<MailboxMessageReceived>, @Ctx() context: EventContext): Promise<void> {
    await this.handleInbound.execute(event.payload, context.manager);
  }
}
