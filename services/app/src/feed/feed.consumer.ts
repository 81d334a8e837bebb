import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  campaignStopTopic,
  emailBouncedTopic,
  emailSendFailedTopic,
  emailSentTopic,
  enrollmentPauseChangedTopic,
  mailboxConnectionChangedTopic,
  replyDetectedTopic,
  trackingEngagementCorrectedTopic,
  trackingEngagementTopic,
  type CampaignStop,
  type EmailBounced,
  type EmailSendFailed,
  type EmailSent,
  type EnrollmentPauseChanged,
  type MailboxConnectionChanged,
  type ReplyDetected,
  type TrackingEngagement,
  type TrackingEngagementCorrected,
} from '@telltale/contracts';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext } from '@telltale/runtime';
import { FeedStore } from './feed.store';

/**
 * Projects the topics into app.feed_item (group `telltale.app.feed`): the events of a fetched batch
 * at once, in partition order, one transaction per chunk (a transaction per event could not keep up
 * with 50 events/s while the process also writes to 1 000 streams). Batch handlers keep no
 * processed-event records: the projection is idempotent by itself (the event id is unique in
 * app.feed_item and app.feed_pending; what else it writes is an upsert), so an event delivered twice
 * is one item.
 */
@Controller()
export class FeedConsumer {
  constructor(private readonly store: FeedStore) {}

  @EventPattern(emailSentTopic.name, { consumer: 'feed', batch: true })
  async onSent(@Payload() events: ConsumedEvent<EmailSent>[], @Ctx() c: EventContext): Promise<void> {
    for (const e of events) await this.store.onSent(c.manager, e.eventId, e.payload);
  }

  @EventPattern(trackingEngagementTopic.name, { consumer: 'feed', batch: true })
  async onEngagement(@Payload() events: ConsumedEvent<TrackingEngagement>[], @Ctx() c: EventContext): Promise<void> {
    for (const e of events) await this.store.onEngagement(c.manager, e.eventId, e.payload);
  }

  @EventPattern(trackingEngagementCorrectedTopic.name, { consumer: 'feed', batch: true })
  async onCorrection(@Payload() events: ConsumedEvent<TrackingEngagementCorrected>[], @Ctx() c: EventContext): Promise<void> {
    for (const e of events) await this.store.onCorrection(c.manager, e.eventId, e.payload);
  }

  @EventPattern(replyDetectedTopic.name, { consumer: 'feed', batch: true })
  async onReply(@Payload() events: ConsumedEvent<ReplyDetected>[], @Ctx() c: EventContext): Promise<void> {
    for (const e of events) await this.store.onReply(c.manager, e.eventId, e.payload);
  }

  @EventPattern(emailBouncedTopic.name, { consumer: 'feed', batch: true })
  async onBounce(@Payload() events: ConsumedEvent<EmailBounced>[], @Ctx() c: EventContext): Promise<void> {
    for (const e of events) await this.store.onBounce(c.manager, e.eventId, e.payload);
  }

  @EventPattern(campaignStopTopic.name, { consumer: 'feed', batch: true })
  async onStop(@Payload() events: ConsumedEvent<CampaignStop>[], @Ctx() c: EventContext): Promise<void> {
    for (const e of events) await this.store.onStop(c.manager, e.eventId, e.payload);
  }

  @EventPattern(enrollmentPauseChangedTopic.name, { consumer: 'feed', batch: true })
  async onPauseChange(@Payload() events: ConsumedEvent<EnrollmentPauseChanged>[], @Ctx() c: EventContext): Promise<void> {
    for (const e of events) await this.store.onPauseChange(c.manager, e.eventId, e.payload);
  }

  @EventPattern(emailSendFailedTopic.name, { consumer: 'feed', batch: true })
  async onSendFailed(@Payload() events: ConsumedEvent<EmailSendFailed>[], @Ctx() c: EventContext): Promise<void> {
    for (const e of events) await this.store.onSendFailed(c.manager, e.eventId, e.payload);
  }

  @EventPattern(mailboxConnectionChangedTopic.name, { consumer: 'feed', batch: true })
  async onMailboxChanged(@Payload() events: ConsumedEvent<MailboxConnectionChanged>[], @Ctx() c: EventContext): Promise<void> {
    for (const e of events) await this.store.onMailboxChanged(c.manager, e.payload);
  }
}
