import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  emailBouncedTopic,
  emailSentTopic,
  replyDetectedTopic,
  trackingEngagementCorrectedTopic,
  trackingEngagementTopic,
  type EmailBounced,
  type EmailSent,
  type ReplyDetected,
  type TrackingEngagement,
  type TrackingEngagementCorrected,
} from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext } from '@telltale/runtime';
import { ActivityStore } from './activity-store';
import { RollupStore } from './rollup-store';

/**
 * Kafka inputs of the CRM writer. Nothing here calls Salesforce: each event is recorded in the
 * same transaction as its processed-event id (a redelivery changes nothing), and the scheduler
 * writes in batches (docs/crm-writer.md).
 *  - email.sent → a Task to write; a human reply → a Task to write;
 *  - an auto-reply (out of office) → fields on the sent email's Task, not a Task of its own;
 *  - a bounce → fields on the sent email's Task;
 *  - a human open or click → the Task's roll-ups; machine hits never count, and a correction
 *    (human → machine) takes the hit back out.
 */
@Controller()
export class CrmEventsConsumer {
  private readonly activities = new ActivityStore();
  private readonly rollups = new RollupStore();

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  @EventPattern(emailSentTopic.name)
  async onEmailSent(@Payload() event: ConsumedEvent<EmailSent>, @Ctx() context: EventContext): Promise<void> {
    const sent = event.payload;
    await this.activities.add(
      context.manager,
      {
        activityKey: `email-sent:${sent.sentEmailId}`,
        orgId: sent.orgId,
        kind: 'email_sent',
        sentEmailId: sent.sentEmailId,
        sourceEventType: 'email.sent',
        sourceEventId: event.eventId,
        payload: {
          kind: 'email_sent',
          subject: sent.subject,
          from: sent.from,
          to: sent.to,
          cc: sent.cc,
          messageId: sent.messageId,
          sequenceId: sent.sequenceId,
          stepNumber: sent.stepNumber,
          sentAt: sent.sentAt,
        },
        occurredAt: new Date(sent.sentAt),
      },
      this.clock.now(),
    );
  }

  @EventPattern(replyDetectedTopic.name)
  async onReplyDetected(@Payload() event: ConsumedEvent<ReplyDetected>, @Ctx() context: EventContext): Promise<void> {
    const reply = event.payload;
    if (reply.kind === 'auto_reply') {
      await this.rollups.outOfOffice(context.manager, { orgId: reply.orgId, sentEmailId: reply.sentEmailId, until: reply.returnDate }, this.clock.now());
      return;
    }
    await this.activities.add(
      context.manager,
      {
        activityKey: `reply:${reply.replyId}`,
        orgId: reply.orgId,
        kind: 'reply',
        sentEmailId: reply.sentEmailId,
        sourceEventType: 'reply.detected',
        sourceEventId: event.eventId,
        payload: {
          kind: 'reply',
          subject: reply.subject,
          snippet: reply.snippet,
          from: reply.from,
          relation: reply.relation,
          inboundMessageId: reply.inboundMessageId,
          sequenceId: reply.sequenceId,
          receivedAt: reply.receivedAt,
        },
        occurredAt: new Date(reply.receivedAt),
      },
      this.clock.now(),
    );
  }

  @EventPattern(trackingEngagementTopic.name)
  async onEngagement(@Payload() event: ConsumedEvent<TrackingEngagement>, @Ctx() context: EventContext): Promise<void> {
    const hit = event.payload;
    await this.rollups.hit(
      context.manager,
      {
        engagementId: hit.engagementId,
        orgId: hit.orgId,
        sentEmailId: hit.sentEmailId,
        type: hit.type,
        human: hit.classification.label === 'human',
        occurredAt: new Date(hit.occurredAt),
      },
      this.clock.now(),
    );
  }

  @EventPattern(trackingEngagementCorrectedTopic.name)
  async onEngagementCorrected(@Payload() event: ConsumedEvent<TrackingEngagementCorrected>, @Ctx() context: EventContext): Promise<void> {
    const c = event.payload;
    if (c.previousLabel !== 'human' || c.classification.label === 'human') return;
    await this.rollups.correct(
      context.manager,
      { engagementId: c.engagementId, orgId: c.orgId, sentEmailId: c.sentEmailId, type: c.type, occurredAt: new Date(c.occurredAt) },
      this.clock.now(),
    );
  }

  @EventPattern(emailBouncedTopic.name)
  async onBounced(@Payload() event: ConsumedEvent<EmailBounced>, @Ctx() context: EventContext): Promise<void> {
    const b = event.payload;
    const detail = [`${b.severity} bounce`, b.statusCode, b.recipient, b.diagnostic].filter((p) => p).join(': ').slice(0, 255);
    await this.rollups.bounced(context.manager, { orgId: b.orgId, sentEmailId: b.sentEmailId, detail }, this.clock.now());
  }
}
