import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import {
  campaignStopTopic,
  emailSendFailedTopic,
  emailSentTopic,
  replyDetectedTopic,
  type CampaignStop,
  type EmailSendFailed,
  type EmailSent,
  type ReplyDetected,
} from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext, ServiceRuntime } from '@telltale/runtime';
import { HandleDetectedReplyUseCase } from '../replies/handle-detected-reply.use-case';
import { SEQUENCER_SETTINGS, type SequencerSettings } from '../sequencer-settings';
import { EnrollmentStore } from './enrollment-store';
import { EnrollmentsService } from './enrollments.service';

/** Kafka inputs of the sequencer: sent, send-failed, campaign stop and detected replies (human and auto). */
@Controller()
export class SequencerEventsConsumer {
  private readonly store: EnrollmentStore;

  constructor(
    private readonly enrollments: EnrollmentsService,
    private readonly handleReply: HandleDetectedReplyUseCase,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SEQUENCER_SETTINGS) private readonly settings: SequencerSettings,
    runtime: ServiceRuntime,
  ) {
    this.store = new EnrollmentStore(runtime.outbox);
  }

  @EventPattern(emailSentTopic.name)
  onEmailSent(@Payload() event: ConsumedEvent<EmailSent>, @Ctx() context: EventContext): Promise<void> {
    return this.onSent(event.payload, context.manager);
  }

  @EventPattern(emailSendFailedTopic.name)
  onEmailSendFailed(@Payload() event: ConsumedEvent<EmailSendFailed>, @Ctx() context: EventContext): Promise<void> {
    return this.onSendFailed(event.payload, context.manager);
  }

  @EventPattern(campaignStopTopic.name)
  async onCampaignStop(@Payload() event: ConsumedEvent<CampaignStop>, @Ctx() context: EventContext): Promise<void> {
    const { enrollmentId, reason, causeId } = event.payload;
    await this.enrollments.stopWithin(context.manager, event.orgId, enrollmentId, reason, causeId, this.clock.now());
  }

  /**
   * A human reply stops the campaign even if the stop event is late or lost in transit
   * (campaign.stop.v1 for the same reply is then a no-op); an out-of-office pauses it.
   */
  @EventPattern(replyDetectedTopic.name)
  onReplyDetected(@Payload() event: ConsumedEvent<ReplyDetected>, @Ctx() context: EventContext): Promise<void> {
    return this.handleReply.execute(context.manager, event.payload);
  }

  private async onSent(sent: EmailSent, m: EntityManager): Promise<void> {
    if (!sent.enrollmentId || sent.stepNumber === null) return;
    const now = this.clock.now();
    await m.query(
      `UPDATE sequencer.step_dispatch SET status = 'sent', sent_at = $2, sent_email_id = $3, message_id = $4 WHERE id = $1`,
      [sent.sendRequestId, new Date(sent.sentAt), sent.sentEmailId, sent.messageId],
    );
    const row = await this.store.lock(m, sent.enrollmentId);
    if (!row) return;
    if (sent.stepNumber === 1 || row.thread_message_id === null) {
      await m.query(`UPDATE sequencer.enrollment SET thread_message_id = $2, thread_subject = COALESCE(thread_subject, $3) WHERE id = $1`, [
        row.id,
        sent.messageId,
        sent.subject,
      ]);
    }
    const [next] = (await m.query(`SELECT delay_seconds FROM sequencer.sequence_step WHERE sequence_id = $1 AND step_number = $2`, [
      row.sequence_id,
      sent.stepNumber + 1,
    ])) as { delay_seconds: string }[];
    await this.store.transition(
      m,
      row,
      { kind: 'step-sent', stepNumber: sent.stepNumber, sentAt: new Date(sent.sentAt), nextStepDelaySeconds: next ? Number(next.delay_seconds) : null },
      now,
      { sentEmailId: sent.sentEmailId, messageId: sent.messageId },
    );
  }

  private async onSendFailed(failed: EmailSendFailed, m: EntityManager): Promise<void> {
    if (!failed.enrollmentId || failed.stepNumber === null) return;
    const now = this.clock.now();
    await m.query(`UPDATE sequencer.step_dispatch SET status = 'failed', failure = $2 WHERE id = $1`, [failed.sendRequestId, `${failed.code}: ${failed.reason}`]);
    const row = await this.store.lock(m, failed.enrollmentId);
    if (!row) return;
    switch (failed.code) {
      case 'ENROLLMENT_NOT_ACTIVE':
        return;
      case 'RATE_LIMITED':
      case 'TEMPORARY':
      case 'EXPIRED':
      case 'MAILBOX_NOT_CONNECTED': {
        // Our own retry delay, or later when the provider said when (a long Retry-After, a daily
        // sending cap): retrying earlier only fails again.
        const retryAt = new Date(Math.max(now.getTime() + this.settings.retryAfterSeconds * 1000, failed.retryNotBefore ? Date.parse(failed.retryNotBefore) : 0));
        await this.store.transition(m, row, { kind: 'step-failed-temporarily', stepNumber: failed.stepNumber, retryAt }, now, { code: failed.code });
        return;
      }
      case 'AUTH_REVOKED':
      case 'INSUFFICIENT_PERMISSIONS':
      case 'PERMANENT':
        await this.store.transition(m, row, { kind: 'step-failed-permanently', stepNumber: failed.stepNumber, at: now, reason: `${failed.code}: ${failed.reason}` }, now, {
          code: failed.code,
        });
        return;
    }
  }
}
