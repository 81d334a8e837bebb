import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import {
  emailSentTopic,
  replyDetectedTopic,
  trackingEngagementCorrectedTopic,
  trackingEngagementTopic,
  type EmailSent,
  type ReplyDetected,
  type TrackingEngagement,
  type TrackingEngagementCorrected,
} from '@telltale/contracts';
import { buildEvent } from '@telltale/kafka';
import type { PayloadOf, TopicDefinition } from '@telltale/contracts';
import { env } from './crm-writer-under-test';

/** The events crm-writer consumes, as the other services publish them (on a test's topic prefix). */
export class CrmEvents {
  private constructor(
    private readonly producer: Producer,
    private readonly prefix: string,
  ) {}

  static async connect(prefix: string): Promise<CrmEvents> {
    const producer = new Kafka({ clientId: `${prefix}producer`, brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    return new CrmEvents(producer, prefix);
  }

  /** Publishes each payload once; `eventId` repeats an event (a redelivery). */
  async publish<T extends TopicDefinition>(topic: T, payload: PayloadOf<T>, orgId: string, eventId?: string): Promise<string> {
    const event = buildEvent(topic, payload, { orgId, ...(eventId ? { eventId } : {}) });
    await this.producer.send({ topic: this.prefix + event.topic, messages: [{ key: event.key, value: JSON.stringify(event.payload), headers: event.headers }] });
    return event.headers['event-id'] as string;
  }

  async publishMany<T extends TopicDefinition>(topic: T, payloads: Array<PayloadOf<T>>, orgId: string): Promise<void> {
    const events = payloads.map((p) => buildEvent(topic, p, { orgId }));
    for (let i = 0; i < events.length; i += 500) {
      await this.producer.send({
        topic: this.prefix + topic.name,
        messages: events.slice(i, i + 500).map((e) => ({ key: e.key, value: JSON.stringify(e.payload), headers: e.headers })),
      });
    }
  }

  stop(): Promise<void> {
    return this.producer.disconnect();
  }
}

export function sentEmail(orgId: string, over: Partial<EmailSent> = {}): EmailSent {
  return {
    sentEmailId: randomUUID(),
    sendRequestId: randomUUID(),
    orgId,
    mailboxId: randomUUID(),
    enrollmentId: null,
    sequenceId: null,
    stepNumber: null,
    messageId: `<${randomUUID()}@seller.example>`,
    providerMessageId: null,
    providerThreadId: null,
    from: { address: 'sam@seller.example', name: 'Sam Seller' },
    to: [{ address: 'flynn@buyer.example', name: 'Flynn Buyer' }],
    cc: [],
    subject: 'Pricing for Q3',
    tracking: { opens: true, clicks: true, trackedLinks: 1 },
    sentAt: '2026-03-02T09:00:00.000Z',
    ...over,
  };
}

export function reply(sent: EmailSent, over: Partial<ReplyDetected> = {}): ReplyDetected {
  return {
    replyId: randomUUID(),
    orgId: sent.orgId,
    mailboxId: sent.mailboxId,
    sentEmailId: sent.sentEmailId,
    enrollmentId: sent.enrollmentId,
    sequenceId: sent.sequenceId,
    kind: 'reply',
    relation: 'prospect',
    matchedBy: 'in_reply_to',
    from: sent.to[0] as { address: string; name: string | null },
    inboundMessageId: `<${randomUUID()}@buyer.example>`,
    providerMessageId: randomUUID(),
    subject: `Re: ${sent.subject}`,
    snippet: 'Sounds good, call me Tuesday.',
    returnDate: null,
    receivedAt: '2026-03-02T10:00:00.000Z',
    detectedAt: '2026-03-02T10:00:01.000Z',
    ...over,
  };
}

export function hit(sent: EmailSent, type: 'opened' | 'clicked', label: TrackingEngagement['classification']['label'] = 'human', occurredAt = '2026-03-02T09:30:00.000Z'): TrackingEngagement {
  return {
    engagementId: randomUUID(),
    orgId: sent.orgId,
    sentEmailId: sent.sentEmailId,
    type,
    linkIndex: type === 'clicked' ? 0 : null,
    url: type === 'clicked' ? 'https://seller.example/pricing' : null,
    classification: { label, confidence: 0.9, reasons: [label === 'human' ? 'interactive' : 'scanner'] },
    userAgent: null,
    occurredAt,
  };
}

export function correction(h: TrackingEngagement): TrackingEngagementCorrected {
  return {
    correctionId: randomUUID(),
    engagementId: h.engagementId,
    orgId: h.orgId,
    sentEmailId: h.sentEmailId,
    type: h.type,
    linkIndex: h.linkIndex,
    occurredAt: h.occurredAt,
    previousLabel: 'human',
    classification: { label: 'security_scanner', confidence: 0.95, reasons: ['link burst'] },
    correctedAt: '2026-03-02T09:31:00.000Z',
  };
}

export { emailSentTopic, replyDetectedTopic, trackingEngagementTopic, trackingEngagementCorrectedTopic };
