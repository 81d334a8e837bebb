import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { emailBouncedTopic, emailComplainedTopic, unsubscribeRequestedTopic, type EmailBounced, type EmailComplained, type UnsubscribeRequested } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext } from '@telltale/runtime';
import { EnrollmentsService } from '../enrollments/enrollments.service';
import { SuppressionList } from './suppression-list';

/**
 * What feeds the suppression list from events: a hard bounce (the address is gone), an
 * unsubscribe through the List-Unsubscribe URL and a complaint (an ARF feedback report). A soft bounce never suppresses: the address is good
 * (the reply detector stops an enrollment after its Nth soft bounce in a row).
 */
@Controller()
export class SuppressionEventsConsumer {
  constructor(
    private readonly suppressions: SuppressionList,
    private readonly enrollments: EnrollmentsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @EventPattern(emailBouncedTopic.name)
  async onEmailBounced(@Payload() event: ConsumedEvent<EmailBounced>, @Ctx() context: EventContext): Promise<void> {
    const bounce = event.payload;
    // Without the recipient we cannot tell whose address is gone (the prospect or someone on CC).
    if (bounce.severity !== 'hard' || !bounce.recipient) return;
    const detail = [bounce.statusCode, bounce.reason].filter(Boolean).join(' ') || null;
    await this.suppressions.addWithin(context.manager, bounce.orgId, bounce.recipient, 'hard_bounce', { kind: 'bounce', id: bounce.bounceId, detail }, this.clock.now());
  }

  /** A complaint suppresses the complainer (their live enrollments stop as unsubscribed). */
  @EventPattern(emailComplainedTopic.name)
  async onEmailComplained(@Payload() event: ConsumedEvent<EmailComplained>, @Ctx() context: EventContext): Promise<void> {
    const c = event.payload;
    await this.suppressions.addWithin(context.manager, c.orgId, c.recipient, 'complaint', { kind: 'complaint', id: c.complaintId, detail: c.feedbackType }, this.clock.now());
  }

  @EventPattern(unsubscribeRequestedTopic.name)
  async onUnsubscribeRequested(@Payload() event: ConsumedEvent<UnsubscribeRequested>, @Ctx() context: EventContext): Promise<void> {
    const u = event.payload;
    const now = this.clock.now();
    // The enrollment the email belonged to stops even when the address was already suppressed.
    await this.enrollments.stopWithin(context.manager, u.orgId, u.enrollmentId, 'unsubscribed', u.unsubscribeId, now);
    await this.suppressions.addWithin(context.manager, u.orgId, u.address, 'unsubscribed', { kind: u.via, id: u.unsubscribeId, detail: null }, now);
  }
}
