import { Injectable, type OnModuleInit } from '@nestjs/common';
import { emailSentTopic, mailboxMessageReceivedTopic } from '@telltale/contracts';
import { subscribe } from '@telltale/kafka';
import { ServiceRuntime } from '@telltale/runtime';
import { SentMessageStore } from '../sent-index/sent-message.store';
import { HandleInboundMessageUseCase } from './handle-inbound-message.use-case';

@Injectable()
export class ReplyDetectorConsumer implements OnModuleInit {
  private readonly sentIndex = new SentMessageStore();

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly handleInbound: HandleInboundMessageUseCase,
  ) {}

  onModuleInit(): void {
    // Two consumers: the sent index must never wait behind a slow inbound message, and vice versa.
    this.runtime.addConsumer(
      [
        subscribe(emailSentTopic, async (e, m) => {
          await this.sentIndex.record(m, e.payload);
          await this.handleInbound.reconsiderPending(m, e.payload.orgId, e.payload.messageId);
        }),
      ],
      'sent-index',
    );
    this.runtime.addConsumer(
      [
        subscribe(mailboxMessageReceivedTopic, async (e, m) => {
          await this.handleInbound.execute(e.payload, m);
        }),
      ],
      'inbound',
    );
  }
}
