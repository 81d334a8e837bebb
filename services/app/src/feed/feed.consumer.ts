import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  campaignStopTopic,
  emailBouncedTopic,
  emailSendFailedTopic,
  emailSentTopic,
  mailboxConnectionChangedTopic,
  replyDetectedTopic,
  trackingEngagementTopic,
  type CampaignStop,
  type EmailBounced,
  type EmailSendFailed,
  type EmailSent,
  type MailboxConnectionChanged,
  type ReplyDetected,
  type TrackingEngagement,
} from '@telltale/contracts';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext } from '@telltale/runtime';
import { FeedStore } from './feed.store';

/**
 * Projects the topics into app.feed_item (group `telltale.app.feed`). Each handler runs in the
 * transaction that records the event as processed; the row's event id is unique as well, so an
 * event delivered twice is one item.
 */
@Controller()
export class FeedConsumer {
  constructor(private readonly store: FeedStore) {}

  @EventPattern(emailSentTopic.name, { consumer: 'feed' })
  onSent(@Payload() e: ConsumedEvent<EmailSent>, @Ctx() c: EventContext): Promise<void> {
    return this.store.onSent(c.manager, e.eventId, e.payload);
  }

  @EventPattern(trackingEngagementTopic.name, { consumer: 'feed' })
  onEngagement(@Payload() e: ConsumedEvent<TrackingEngagement>, @Ctx() c: EventContext): Promise<void> {
    return this.store.onEngagement(c.manager, e.eventId, e.payload);
  }

  @EventPattern(replyDetectedTopic.name, { consumer: 'feed' })
  onReply(@Payload() e: ConsumedEvent<ReplyDetected>, @Ctx() c: EventContext): Promise<void> {
    return this.store.onReply(c.manager, e.eventId, e.payload);
  }

  @EventPattern(emailBouncedTopic.name, { consumer: 'feed' })
  onBounce(@Payload() e: ConsumedEvent<EmailBounced>, @Ctx() c: EventContext): Promise<void> {
    return this.store.onBounce(c.manager, e.eventId, e.payload);
  }

  @EventPattern(campaignStopTopic.name, { consumer: 'feed' })
  onStop(@Payload() e: ConsumedEvent<CampaignStop>, @Ctx() c: EventContext): Promise<void> {
    return this.store.onStop(c.manager, e.eventId, e.payload);
  }

  @EventPattern(emailSendFailedTopic.name, { consumer: 'feed' })
  onSendFailed(@Payload() e: ConsumedEvent<EmailSendFailed>, @Ctx() c: EventContext): Promise<void> {
    return this.store.onSendFailed(c.manager, e.eventId, e.payload);
  }

  @EventPattern(mailboxConnectionChangedTopic.name, { consumer: 'feed' })
  onMailboxChanged(@Payload() e: ConsumedEvent<MailboxConnectionChanged>, @Ctx() c: EventContext): Promise<void> {
    return this.store.onMailboxChanged(c.manager, e.payload);
  }
}
