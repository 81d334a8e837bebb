import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { campaignStopTopic, emailBouncedTopic, replyDetectedTopic, type MailboxMessageReceived } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { SentMessageStore } from '../sent-index/sent-message.store';
import { detectReply, referencedMessageIds } from './reply-detector';
import type { ReplyVerdict } from './reply-verdict';

export const FREE_MAIL_DOMAINS = Symbol('FREE_MAIL_DOMAINS');

const SNIPPET_CHARS = 280;

/** Trims quoted history and signatures' noise to a short excerpt for the activity log. */
export function snippetOf(text: string | null): string | null {
  if (!text) return null;
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*>/.test(line) || /^On .+wrote:\s*$/.test(line) || /^-----Original Message-----/.test(line)) break;
    lines.push(line.trim());
  }
  const compact = lines.join(' ').replace(/\s+/g, ' ').trim();
  return compact ? compact.slice(0, SNIPPET_CHARS) : null;
}

/**
 * Classifies one inbound message, stores the verdict with its evidence, and emits what follows from
 * it, all in the consumer's transaction: a reply stops the campaign; an auto-reply is reported but
 * does not count as one; a hard bounce stops.
 */
@Injectable()
export class HandleInboundMessageUseCase {
  private readonly sentIndex = new SentMessageStore();

  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(FREE_MAIL_DOMAINS) private readonly freeMailDomains: ReadonlySet<string>,
  ) {}

  async execute(event: MailboxMessageReceived, m: EntityManager): Promise<ReplyVerdict> {
    const { message } = event;
    const ids = referencedMessageIds(message).map((r) => r.id);
    if (message.enclosedOriginal?.messageId) ids.push(message.enclosedOriginal.messageId);
    const verdict = detectReply(message, {
      mailboxAddress: event.mailboxAddress,
      freeMailDomains: this.freeMailDomains,
      sentByMessageIds: await this.sentIndex.byMessageIds(m, event.orgId, ids),
      sentInProviderThread: await this.sentIndex.byProviderThread(m, event.mailboxId, message.providerThreadId),
    });
    const now = this.clock.now();
    const verdictId = randomUUID();
    const pending = verdict.kind === 'unmatched' && ids.length > 0 ? JSON.stringify(event) : null;
    // Decided verdicts are final; an unmatched one may be decided again once the sent index caught up.
    const inserted = (await m.query(
      `INSERT INTO reply_detector.verdict (id, org_id, mailbox_id, provider_message_id, inbound_message_id, from_address, kind, relation, matched_by,
         matched_message_id, sent_email_id, enrollment_id, reasons, referenced_ids, pending_payload, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT (mailbox_id, provider_message_id) DO UPDATE SET kind = EXCLUDED.kind, relation = EXCLUDED.relation, matched_by = EXCLUDED.matched_by,
         matched_message_id = EXCLUDED.matched_message_id, sent_email_id = EXCLUDED.sent_email_id, enrollment_id = EXCLUDED.enrollment_id,
         reasons = EXCLUDED.reasons, pending_payload = EXCLUDED.pending_payload, decided_at = EXCLUDED.decided_at
       WHERE reply_detector.verdict.kind = 'unmatched'
       RETURNING id`,
      [
        verdictId,
        event.orgId,
        event.mailboxId,
        message.providerMessageId,
        message.messageId,
        message.from?.address ?? null,
        verdict.kind,
        verdict.relation,
        verdict.matchedBy,
        verdict.matchedMessageId,
        verdict.sent?.sentEmailId ?? null,
        verdict.sent?.enrollmentId ?? null,
        JSON.stringify(verdict.reasons),
        ids,
        pending,
        now,
      ],
    )) as { id: string }[];
    if (inserted.length === 0 || !verdict.sent) return verdict;
    const sent = verdict.sent;
    const decidedId = inserted[0]!.id;
    const meta = { orgId: event.orgId, occurredAt: now };

    if ((verdict.kind === 'reply' || verdict.kind === 'auto_reply') && message.from && verdict.relation && verdict.matchedBy) {
      await this.runtime.outbox.enqueue(
        m,
        replyDetectedTopic,
        {
          replyId: decidedId,
          orgId: event.orgId,
          mailboxId: event.mailboxId,
          sentEmailId: sent.sentEmailId,
          enrollmentId: sent.enrollmentId,
          sequenceId: sent.sequenceId,
          kind: verdict.kind,
          relation: verdict.relation,
          matchedBy: verdict.matchedBy,
          from: message.from,
          inboundMessageId: message.messageId,
          providerMessageId: message.providerMessageId,
          subject: message.subject,
          snippet: snippetOf(message.textBody),
          returnDate: null,
          receivedAt: message.receivedAt,
          detectedAt: now.toISOString(),
        },
        { ...meta, eventId: decidedId },
      );
      if (verdict.kind === 'reply' && sent.enrollmentId) {
        await this.runtime.outbox.enqueue(
          m,
          campaignStopTopic,
          { stopId: randomUUID(), orgId: event.orgId, enrollmentId: sent.enrollmentId, reason: 'replied', causeId: decidedId, sentEmailId: sent.sentEmailId, occurredAt: now.toISOString() },
          meta,
        );
      }
    }
    if (verdict.kind === 'bounce' && verdict.bounce) {
      await this.runtime.outbox.enqueue(
        m,
        emailBouncedTopic,
        {
          bounceId: decidedId,
          orgId: event.orgId,
          mailboxId: event.mailboxId,
          sentEmailId: sent.sentEmailId,
          enrollmentId: sent.enrollmentId,
          recipient: verdict.bounce.recipient,
          severity: verdict.bounce.severity,
          statusCode: verdict.bounce.statusCode,
          diagnostic: verdict.bounce.diagnostic?.slice(0, 2000) ?? null,
          detectedAt: now.toISOString(),
        },
        { ...meta, eventId: decidedId },
      );
      if (verdict.bounce.severity === 'hard' && sent.enrollmentId) {
        await this.runtime.outbox.enqueue(
          m,
          campaignStopTopic,
          { stopId: randomUUID(), orgId: event.orgId, enrollmentId: sent.enrollmentId, reason: 'bounced', causeId: decidedId, sentEmailId: sent.sentEmailId, occurredAt: now.toISOString() },
          meta,
        );
      }
    }
    this.runtime.logger.info({ org_id: event.orgId, verdict: verdict.kind, relation: verdict.relation, matched_by: verdict.matchedBy }, 'inbound message classified');
    return verdict;
  }

  /** Re-decides messages that were waiting for this Message-ID to be indexed. */
  async reconsiderPending(m: EntityManager, orgId: string, messageId: string): Promise<number> {
    const rows = (await m.query(
      `SELECT pending_payload FROM reply_detector.verdict
       WHERE org_id = $1 AND pending_payload IS NOT NULL AND $2 = ANY(referenced_ids) FOR UPDATE`,
      [orgId, messageId],
    )) as { pending_payload: MailboxMessageReceived }[];
    for (const row of rows) await this.execute(row.pending_payload, m);
    return rows.length;
  }
}
