import { Injectable, type OnModuleInit } from '@nestjs/common';
import { emailSentTopic, replyDetectedTopic } from '@telltale/contracts';
import { subscribe } from '@telltale/kafka';
import { ServiceRuntime } from '@telltale/runtime';
import { LogActivityUseCase } from './log-activity.use-case';

@Injectable()
export class CrmEventsConsumer implements OnModuleInit {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly logActivity: LogActivityUseCase,
  ) {}

  onModuleInit(): void {
    this.runtime.addConsumer([
      subscribe(emailSentTopic, (e, m) => this.logActivity.emailSent(e.payload, e.eventId, m)),
      subscribe(replyDetectedTopic, (e, m) => this.logActivity.replyDetected(e.payload, e.eventId, m)),
    ]);
  }
}
