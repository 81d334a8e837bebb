import { Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import type { EntityManager } from 'typeorm';
import { UUID_PATTERN, emailSendFailedTopic, emailSentTopic, sameMailboxAddress, type EmailSendRequested, type EmailSendFailed } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { MailProviderError, composeOutboundMessage, type SendResult, type ThrottleDecision } from '@telltale/mail';
import { createMailTransport } from '../clients/mail-transport.factory';
import { ServiceRuntime, counter, mailProviderErrors, type Counter } from '@telltale/runtime';
import { MailboxTransportClient, type MailboxTransport } from '../clients/mailbox-transport.client';
import { SequencerClaimClient } from '../clients/sequencer-claim.client';
import { PgMailboxSendThrottle } from '../throttle/pg-mailbox-send-throttle';
import { sentEmailIdOf } from './sent-email-id';
import { TrackedEmailRenderer } from './tracked-email-renderer';

const fromNotMailboxAddress = (from: string, mailbox: string): string => `the From address ${from} is not the mailbox's own address (${mailbox}); a mailbox sends as itself only`;

/** Longest pause a send waits in place (its mailbox's rate limit, a provider's Retry-After) before failing as RATE_LIMITED. */
const MAX_INLINE_THROTTLE_WAIT_MS = 2_000;

export type SendOutcome =
  | { outcome: 'duplicate' }
  | { outcome: 'sent'; sentEmailId: string; messageId: string }
  | { outcome: 'not-sent'; sentEmailId: string; code: EmailSendFailed['code']; reason: string; retryNotBefore?: string };

/**
 * Sends one requested email through the rep's mailbox, exactly once per sendRequestId.
 *
 * Runs inside the consumer's transaction: the `sending` row, the provider call and the outcome
 * (sent row + `email.sent.v1` in the outbox) commit together. The Message-ID is derived from the
 * sendRequestId, so in the rare crash between the provider accepting and our commit, the redelivered
 * request produces the same Message-ID (and receiving providers such as Gmail collapse duplicates).
 */
@Injectable()
export class SendEmailUseCase {
  /** Sends by outcome: sent, duplicate, or the failure code (EXPIRED, RATE_LIMITED, ...). */
  private readonly sends: Counter<'outcome'>;
  private readonly providerErrors: ReturnType<typeof mailProviderErrors>;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly renderer: TrackedEmailRenderer,
    private readonly claims: SequencerClaimClient,
    private readonly mailboxes: MailboxTransportClient,
    /** Per-mailbox pacing, shared by every sender replica through PostgreSQL. */
    private readonly throttle: PgMailboxSendThrottle,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.sends = counter(runtime.metrics, {
      name: 'telltale_sender_sends_total',
      help: 'Send requests by outcome: sent, duplicate, or the code of the failure (email.send-failed.v1).',
      labelNames: ['outcome'],
    });
    this.providerErrors = mailProviderErrors(runtime.metrics);
  }

  /**
   * A one-off send's From must be its mailbox's own address (mailbox-sync reports no aliases): a 422
   * `from_not_mailbox_address` naming the field, before anything is stored. A mailbox that is not the
   * organisation's is left to `execute`, which answers not-sent MAILBOX_NOT_CONNECTED as before.
   */
  async assertFromIsMailboxAddress(orgId: string, mailboxId: string, from: string): Promise<void> {
    const mailbox = await this.mailboxes.get(mailboxId);
    if (!mailbox || mailbox.orgId !== orgId || sameMailboxAddress(from, mailbox.emailAddress)) return;
    throw new UnprocessableEntityException({ error: 'from_not_mailbox_address', field: 'from.address', message: fromNotMailboxAddress(from, mailbox.emailAddress) });
  }

  async execute(request: EmailSendRequested, m: EntityManager): Promise<SendOutcome> {
    const outcome = await this.send(request, m);
    this.sends.inc({ outcome: outcome.outcome === 'not-sent' ? outcome.code : outcome.outcome });
    return outcome;
  }

  private async send(request: EmailSendRequested, m: EntityManager): Promise<SendOutcome> {
    const now = this.clock.now();
    const sentEmailId = sentEmailIdOf(request.sendRequestId);
    const inserted = (await m.query(
      `INSERT INTO sender.sent_email (id, org_id, send_request_id, mailbox_id, enrollment_id, sequence_id, step_number, status, from_address,
         recipients, subject, track_opens, track_clicks, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'sending', $8, $9, $10, $11, $12, $13)
       ON CONFLICT (send_request_id) DO NOTHING RETURNING id`,
      [
        sentEmailId,
        request.orgId,
        request.sendRequestId,
        request.mailboxId,
        request.enrollmentId,
        request.sequenceId,
        request.stepNumber,
        request.from.address,
        JSON.stringify({ to: request.to, cc: request.cc }),
        request.subject,
        request.tracking.opens,
        request.tracking.clicks,
        now,
      ],
    )) as unknown[];
    if (inserted.length === 0) return { outcome: 'duplicate' };

    if (request.notAfter && new Date(request.notAfter) < now) {
      return this.notSent(m, request, sentEmailId, 'EXPIRED', `the send window closed at ${request.notAfter}`);
    }
    // Stop means stop: the sequencer re-checks the enrollment under its row lock.
    if (request.enrollmentId) {
      const claim = await this.claims.claim(request.sendRequestId);
      if (!claim.granted) return this.notSent(m, request, sentEmailId, 'ENROLLMENT_NOT_ACTIVE', claim.reason);
    }
    const mailbox = await this.mailboxes.get(request.mailboxId);
    if (!mailbox || mailbox.orgId !== request.orgId) return this.notSent(m, request, sentEmailId, 'MAILBOX_NOT_CONNECTED', 'no such mailbox');
    // Whose mailbox it is, as mailbox-sync says now: a rep lists the emails of their own mailboxes.
    if (mailbox.ownerUserId && UUID_PATTERN.test(mailbox.ownerUserId)) await m.query(`UPDATE sender.sent_email SET owner_user_id = $2 WHERE id = $1`, [sentEmailId, mailbox.ownerUserId]);
    if (mailbox.state === 'needs_reconnect' || mailbox.state === 'disconnected') {
      return this.notSent(m, request, sentEmailId, 'MAILBOX_NOT_CONNECTED', `mailbox is ${mailbox.state}`);
    }
    // Whoever asked (a sequence step, a one-off send, an event from elsewhere), a mailbox sends as itself only.
    if (!sameMailboxAddress(request.from.address, mailbox.emailAddress)) {
      return this.notSent(m, request, sentEmailId, 'PERMANENT', fromNotMailboxAddress(request.from.address, mailbox.emailAddress));
    }

    const body = this.renderer.render({
      orgId: request.orgId,
      sentEmailId,
      html: request.html,
      text: request.text,
      trackOpens: request.tracking.opens,
      trackClicks: request.tracking.clicks,
      issuedAt: now,
    });
    const composed = await composeOutboundMessage(
      {
        from: request.from,
        to: request.to,
        cc: request.cc,
        subject: request.subject,
        html: body.html,
        text: body.text,
        messageIdDomain: request.from.address.split('@')[1] ?? 'telltale.invalid',
        ...(request.replyToMessageId ? { inReplyTo: request.replyToMessageId, references: [request.replyToMessageId] } : {}),
      },
      { newId: () => request.sendRequestId, now: () => now },
    );
    // Per-mailbox pacing within provider limits: a short wait (Gmail's ~2/s, a provider's brief
    // Retry-After) happens here and the send is tried once more; a long one (a daily cap, a long
    // Retry-After) fails the send as RATE_LIMITED for a later attempt.
    let current: MailboxTransport = mailbox;
    let result: SendResult | undefined;
    for (let attempt = 1; result === undefined; attempt += 1) {
      const slot = await this.acquireSlot(current);
      if (!slot.ok) return this.notSent(m, request, sentEmailId, 'RATE_LIMITED', `${slot.reason}; retry in ${Math.ceil(slot.retryAfterMs / 1_000)} s`, slot.retryAfterMs);
      try {
        result = await createMailTransport(current).send({ raw: composed.raw, envelope: composed.envelope });
      } catch (err) {
        if (!(err instanceof MailProviderError)) throw err;
        this.providerErrors.inc({ provider: err.provider, code: err.code, operation: 'send' });
        if (err.code === 'RATE_LIMITED' && err.retryAfterMs !== undefined) await this.throttle.pause(current.mailboxId, this.clock.now(), err.retryAfterMs);
        // Nothing was sent: once more after a brief Retry-After (acquireSlot waits it out).
        if (attempt === 1 && err.code === 'RATE_LIMITED' && err.retryAfterMs !== undefined && err.retryAfterMs <= MAX_INLINE_THROTTLE_WAIT_MS) continue;
        if (attempt === 1 && err.code === 'AUTH_REVOKED' && current.provider !== 'imap') {
          // The token was refused before its expiry: a fresh one, or mailbox-sync finds the grant gone
          // and moves the mailbox to needs_reconnect, which holds the send until the rep reconnects.
          const fresh = await this.mailboxes.get(request.mailboxId, { refresh: true });
          if (!fresh || fresh.state === 'needs_reconnect' || fresh.state === 'disconnected') {
            return this.notSent(m, request, sentEmailId, 'MAILBOX_NOT_CONNECTED', `mailbox is ${fresh?.state ?? 'gone'}: ${err.message}`);
          }
          current = fresh;
          continue;
        }
        const code = err.code === 'CURSOR_EXPIRED' ? 'TEMPORARY' : err.code;
        return this.notSent(m, request, sentEmailId, code, err.message, code === 'RATE_LIMITED' ? err.retryAfterMs : undefined);
      }
    }
    const sentAt = this.clock.now();
    await m.query(
      `UPDATE sender.sent_email SET status = 'sent', message_id = $2, provider_message_id = $3, provider_thread_id = $4, sent_at = $5 WHERE id = $1`,
      [sentEmailId, result.messageId, result.providerMessageId, result.providerThreadId, sentAt],
    );
    for (const link of body.links) {
      await m.query(`INSERT INTO sender.sent_link (sent_email_id, link_index, url) VALUES ($1, $2, $3)`, [sentEmailId, link.linkIndex, link.url]);
    }
    await this.runtime.outbox.enqueue(
      m,
      emailSentTopic,
      {
        sentEmailId,
        sendRequestId: request.sendRequestId,
        orgId: request.orgId,
        mailboxId: request.mailboxId,
        enrollmentId: request.enrollmentId,
        sequenceId: request.sequenceId,
        stepNumber: request.stepNumber,
        messageId: result.messageId,
        providerMessageId: result.providerMessageId,
        providerThreadId: result.providerThreadId,
        from: request.from,
        to: request.to,
        cc: request.cc,
        subject: request.subject,
        tracking: { opens: request.tracking.opens && body.html !== null, clicks: request.tracking.clicks, trackedLinks: body.links.length },
        sentAt: sentAt.toISOString(),
      },
      { orgId: request.orgId, occurredAt: sentAt },
    );
    this.runtime.logger.info({ org_id: request.orgId, sent_email_id: sentEmailId, message_id: result.messageId }, 'email sent');
    return { outcome: 'sent', sentEmailId, messageId: result.messageId };
  }

  /** A send slot for the mailbox, waiting in place when one frees up soon enough. */
  private async acquireSlot(mailbox: MailboxTransport): Promise<ThrottleDecision> {
    const provider = mailbox.provider === 'imap' ? 'smtp' : mailbox.provider;
    const slot = await this.throttle.tryAcquire(mailbox.mailboxId, provider, this.clock.now());
    if (slot.ok || slot.retryAfterMs > MAX_INLINE_THROTTLE_WAIT_MS) return slot;
    await delay(slot.retryAfterMs);
    return await this.throttle.tryAcquire(mailbox.mailboxId, provider, this.clock.now());
  }

  private async notSent(
    m: EntityManager,
    request: EmailSendRequested,
    sentEmailId: string,
    code: EmailSendFailed['code'],
    reason: string,
    /** How long the provider (or the mailbox's pacing) asked us to wait, when it said. */
    retryAfterMs?: number,
  ): Promise<SendOutcome> {
    const now = this.clock.now();
    const retryNotBefore = retryAfterMs === undefined ? undefined : new Date(now.getTime() + retryAfterMs).toISOString();
    const status = code === 'ENROLLMENT_NOT_ACTIVE' || code === 'EXPIRED' ? 'skipped' : 'failed';
    await m.query(`UPDATE sender.sent_email SET status = $2, failure_code = $3, failure_reason = $4 WHERE id = $1`, [sentEmailId, status, code, reason]);
    await this.runtime.outbox.enqueue(
      m,
      emailSendFailedTopic,
      {
        sendRequestId: request.sendRequestId,
        orgId: request.orgId,
        mailboxId: request.mailboxId,
        enrollmentId: request.enrollmentId,
        stepNumber: request.stepNumber,
        code,
        reason: reason.slice(0, 2000),
        ...(retryNotBefore ? { retryNotBefore } : {}),
        failedAt: now.toISOString(),
      },
      { orgId: request.orgId, occurredAt: now },
    );
    this.runtime.logger.warn({ org_id: request.orgId, send_request_id: request.sendRequestId, code }, 'email not sent');
    return { outcome: 'not-sent', sentEmailId, code, reason, ...(retryNotBefore ? { retryNotBefore } : {}) };
  }
}
