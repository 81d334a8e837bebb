import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { campaignStopTopic, emailBouncedTopic, emailComplainedTopic, replyDetectedTopic, type MailboxMessageReceived } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { SentMessageStore } from '../sent-index/sent-message.store';
import { type DetectionContext, domainOf, referencedMessageIds, detectReply, feedbackReportOf, type ReplyVerdict, threadIndexConversationKey } from '@telltale/replies';

export const FREE_MAIL_DOMAINS = Symbol('FREE_MAIL_DOMAINS');
export const DETECTION_SETTINGS = Symbol('DETECTION_SETTINGS');

export interface DetectionSettings {
  softBounceStopAfter: number;
  activeWindowDays: number;
}

const SNIPPET_CHARS = 280;
const DAY_MS = 86_400_000;

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
 * it, all in the consumer's transaction: a reply (from the prospect, a CC or a colleague) stops the
 * campaign; an auto-reply is reported with its return date so the sequencer pauses; every bounce is
 * reported, a hard one or the Nth soft one in a row stops.
 */
@Injectable()
export class HandleInboundMessageUseCase {
  private readonly sentIndex = new SentMessageStore();

  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(FREE_MAIL_DOMAINS) private readonly freeMailDomains: ReadonlySet<string>,
    @Inject(DETECTION_SETTINGS) private readonly settings: DetectionSettings,
  ) {}

  /** Whether this mailbox's message with this Message-ID was already matched under another provider id. */
  private async decidedUnderAnotherId(m: EntityManager, mailboxId: string, messageId: string, providerMessageId: string): Promise<boolean> {
    const rows = (await m.query(
      `SELECT 1 FROM reply_detector.verdict
       WHERE mailbox_id = $1 AND inbound_message_id = $2 AND provider_message_id <> $3 AND sent_email_id IS NOT NULL LIMIT 1`,
      [mailboxId, messageId, providerMessageId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** The service's answer to the classifier's questions, from the database. */
  async contextFor(event: MailboxMessageReceived, m: EntityManager): Promise<DetectionContext> {
    const { message } = event;
    const ids = referencedMessageIds(message).map((r) => r.id);
    const from = message.from?.address.toLowerCase() ?? null;
    const received = new Date(message.receivedAt);
    const since = new Date(received.getTime() - this.settings.activeWindowDays * DAY_MS);
    const orgAddresses = await this.sentIndex.orgAddresses(m, event.orgId);
    const orgDomains = new Set([...orgAddresses, event.mailboxAddress].map(domainOf).filter((d) => !this.freeMailDomains.has(d)));
    const fromDomain = from ? domainOf(from) : null;
    const companyCandidate = fromDomain !== null && !this.freeMailDomains.has(fromDomain) && !orgDomains.has(fromDomain);
    return {
      mailboxAddress: event.mailboxAddress,
      orgDomains,
      teammates: new Set(orgAddresses),
      freeMailDomains: this.freeMailDomains,
      sentByMessageIds: await this.sentIndex.byMessageIds(m, event.orgId, ids),
      sentInProviderThread: await this.sentIndex.byProviderThread(m, event.mailboxId, message.providerThreadId),
      sentInThreadIndexConversation: await this.sentIndex.byConversationKey(m, event.orgId, threadIndexConversationKey(message.threadIndex)),
      recentSentToAddress: from ? await this.sentIndex.recentToAddress(m, event.orgId, from, since, received) : [],
      recentSentToDomain: companyCandidate ? await this.sentIndex.recentToDomain(m, event.orgId, fromDomain, since, received) : [],
    };
  }

  async execute(event: MailboxMessageReceived, m: EntityManager): Promise<ReplyVerdict> {
    const { message } = event;
    await this.sentIndex.recordOrgAddress(m, event.orgId, event.mailboxAddress);
    const ids = referencedMessageIds(message).map((r) => r.id);
    const verdict = detectReply(message, await this.contextFor(event, m));
    // The same message under another provider id: moved to another folder (Outlook ids change on a
    // move, an IMAP move is a new UID), or filed in two places. It was decided once; a second
    // decision would report the reply again (twice in the feed, two Salesforce tasks).
    if (message.messageId && (await this.decidedUnderAnotherId(m, event.mailboxId, message.messageId, message.providerMessageId))) return verdict;
    const now = this.clock.now();
    const verdictId = randomUUID();
    // A message that refers to ids we have not indexed yet (email.sent.v1 and the reply travel on
    // different topics) is kept and decided again once the sent index catches up.
    const pending = !verdict.sent && !verdict.fromOwnOrg && ids.length > 0 ? JSON.stringify(event) : null;
    const sent = verdict.sent;
    const stopReason = sent?.enrollmentId ? await this.stopReasonOf(verdict, m) : null;
    // Matched verdicts are final; an unmatched one may be decided again.
    const inserted = (await m.query(
      `INSERT INTO reply_detector.verdict (id, org_id, mailbox_id, provider_message_id, inbound_message_id, from_address, kind, relation, matched_by,
         matched_message_id, sent_email_id, enrollment_id, reasons, referenced_ids, pending_payload, decided_at, bounce_severity, bounce_status, return_date, stop_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
       ON CONFLICT (mailbox_id, provider_message_id) DO UPDATE SET kind = EXCLUDED.kind, relation = EXCLUDED.relation, matched_by = EXCLUDED.matched_by,
         matched_message_id = EXCLUDED.matched_message_id, sent_email_id = EXCLUDED.sent_email_id, enrollment_id = EXCLUDED.enrollment_id,
         reasons = EXCLUDED.reasons, pending_payload = EXCLUDED.pending_payload, decided_at = EXCLUDED.decided_at, bounce_severity = EXCLUDED.bounce_severity,
         bounce_status = EXCLUDED.bounce_status, return_date = EXCLUDED.return_date, stop_reason = EXCLUDED.stop_reason
       WHERE reply_detector.verdict.sent_email_id IS NULL
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
        sent?.sentEmailId ?? null,
        sent?.enrollmentId ?? null,
        JSON.stringify(verdict.reasons),
        ids,
        pending,
        now,
        verdict.bounce?.severity ?? null,
        verdict.bounce?.statusCode ?? null,
        verdict.returnDate,
        stopReason,
      ],
    )) as { id: string }[];
    if (inserted.length === 0 || !sent) return verdict;
    const decidedId = inserted[0]!.id;
    const meta = { orgId: event.orgId, occurredAt: now };
    const key = threadIndexConversationKey(message.threadIndex);
    if (key) await this.sentIndex.recordConversation(m, event.orgId, key, sent.sentEmailId, now);

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
          returnDate: verdict.returnDate,
          ...(verdict.unsubscribeRequest ? { unsubscribeRequested: true } : {}),
          receivedAt: message.receivedAt,
          detectedAt: now.toISOString(),
        },
        { ...meta, eventId: decidedId },
      );
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
          recipient: verdict.bounce.recipient?.slice(0, 320) ?? null,
          severity: verdict.bounce.severity,
          statusCode: verdict.bounce.statusCode?.slice(0, 20) ?? null,
          diagnostic: verdict.bounce.diagnostic?.slice(0, 2000) ?? null,
          ...(verdict.bounce.reason ? { reason: verdict.bounce.reason } : {}),
          detectedAt: now.toISOString(),
        },
        { ...meta, eventId: decidedId },
      );
    }
    // A feedback (complaint) report about our email: the sequencer suppresses whoever complained.
    const complaint = verdict.kind === 'other' ? feedbackReportOf(message, sent) : null;
    if (complaint) {
      await this.runtime.outbox.enqueue(
        m,
        emailComplainedTopic,
        {
          complaintId: decidedId,
          orgId: event.orgId,
          mailboxId: event.mailboxId,
          sentEmailId: sent.sentEmailId,
          enrollmentId: sent.enrollmentId,
          recipient: complaint.recipient.slice(0, 320),
          feedbackType: complaint.feedbackType,
          detectedAt: now.toISOString(),
        },
        { ...meta, eventId: decidedId },
      );
    }
    if (stopReason && sent.enrollmentId) {
      await this.runtime.outbox.enqueue(
        m,
        campaignStopTopic,
        { stopId: randomUUID(), orgId: event.orgId, enrollmentId: sent.enrollmentId, reason: stopReason, causeId: decidedId, sentEmailId: sent.sentEmailId, occurredAt: now.toISOString() },
        meta,
      );
    }
    this.runtime.logger.info(
      { org_id: event.orgId, verdict: verdict.kind, relation: verdict.relation, matched_by: verdict.matchedBy, stop: stopReason },
      'inbound message classified',
    );
    return verdict;
  }

  /** Whether this verdict stops its enrollment: a human reply, a hard bounce, or the Nth soft bounce in a row. */
  private async stopReasonOf(verdict: ReplyVerdict, m: EntityManager): Promise<'replied' | 'bounced' | null> {
    if (verdict.kind === 'reply') return 'replied';
    if (verdict.kind !== 'bounce' || !verdict.bounce || !verdict.sent?.enrollmentId) return null;
    if (verdict.bounce.severity === 'hard') return 'bounced';
    const n = this.settings.softBounceStopAfter;
    if (n <= 1) return 'bounced';
    // "In a row": the enrollment's last N emails (this one included) each soft-bounced.
    const latest = await this.sentIndex.latestOfEnrollment(m, verdict.sent.enrollmentId, n);
    if (latest.length < n || !latest.some((s) => s.sentEmailId === verdict.sent!.sentEmailId)) return null;
    const others = latest.filter((s) => s.sentEmailId !== verdict.sent!.sentEmailId).map((s) => s.sentEmailId);
    const rows = (await m.query(
      `SELECT count(DISTINCT sent_email_id)::int AS n FROM reply_detector.verdict WHERE sent_email_id = ANY($1::uuid[]) AND kind = 'bounce' AND bounce_severity = 'soft'`,
      [others],
    )) as { n: number }[];
    return rows[0]!.n === others.length ? 'bounced' : null;
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
