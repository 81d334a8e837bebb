import { Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import type { EntityManager } from 'typeorm';
import { UUID_PATTERN, backoffDelayMs, emailSendFailedTopic, emailSentTopic, sameMailboxAddress, type EmailSendRequested, type EmailSendFailed } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { MailProviderError, composeOutboundMessage, type SendResult, type ThrottleDecision } from '@telltale/mail';
import { createMailTransport } from '../clients/mail-transport.factory';
import { ServiceRuntime, counter, mailProviderErrors, type Counter } from '@telltale/runtime';
import { MailboxTransportClient, type MailboxTransport } from '../clients/mailbox-transport.client';
import { SequencerClaimClient } from '../clients/sequencer-claim.client';
import { PgMailboxSendThrottle } from '../throttle/pg-mailbox-send-throttle';
import { SendAttempts, type SendAttempt, type SendOrigin } from './send-attempts';
import { SEND_RECOVERY_SETTINGS, type SendRecoverySettings, type SenderTestFault } from './send-recovery-settings';
import { SEND_ID_HEADER, SentCopyLookupFailed, findSentCopy } from './sent-copy-finder';
import { sentEmailIdOf } from './sent-email-id';
import { TrackedEmailRenderer, type RenderedBody } from './tracked-email-renderer';
import { suppressedRecipient } from './suppression-projection.consumer';

const fromNotMailboxAddress = (from: string, mailbox: string): string => `the From address ${from} is not the mailbox's own address (${mailbox}); a mailbox sends as itself only`;

/** Longest pause a send waits in place (its mailbox's rate limit, a provider's Retry-After) before failing as RATE_LIMITED. */
const MAX_INLINE_THROTTLE_WAIT_MS = 2_000;

export type SendOutcome =
  | { outcome: 'duplicate' }
  /** `recovered`: an earlier attempt's message, found at the provider after a crash, recorded without sending again. */
  | { outcome: 'sent'; sentEmailId: string; messageId: string; recovered?: boolean }
  /** An earlier attempt's outcome is not known yet (the provider did not answer, or its copy may not be visible yet): checked again at `checkAt`. */
  | { outcome: 'pending'; sentEmailId: string; checkAt: string; reason: string }
  | { outcome: 'not-sent'; sentEmailId: string; code: EmailSendFailed['code']; reason: string; retryNotBefore?: string };

/**
 * Sends one requested email through the rep's mailbox, exactly once per sendRequestId.
 *
 * Runs inside the consumer's transaction: the `sending` row, the provider call and the outcome
 * (sent row + `email.sent.v1` in the outbox) commit together. Right before the provider call, a
 * send intent (`sender.send_attempt`: request, Message-ID, mailbox, time) commits on its own; the
 * outcome's transaction removes it. A request that arrives again with its intent still there
 * (the process died between the provider accepting and our commit) is not sent blindly: the
 * provider is asked whether the Message-ID is in the mailbox's sent mail first. Found, it is
 * recorded as sent with the provider's ids; not found once the grace period after the attempt is
 * over, it is sent; unanswered, or not found within the grace period, the check is scheduled and
 * the sender's checker (SendAttemptChecker) comes back to it. ADR: docs/adr, "the sender's crash window".
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
    private readonly attempts: SendAttempts,
    @Inject(SEND_RECOVERY_SETTINGS) private readonly recovery: SendRecoverySettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.sends = counter(runtime.metrics, {
      name: 'telltale_sender_sends_total',
      help: 'Send requests by outcome: sent, duplicate, recovered (found sent at the provider after a crash), pending (its check scheduled), or the code of the failure (email.send-failed.v1).',
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

  /** `origin`: an email.send-requested.v1 (delivered again after a crash), or a one-off API call (never asked for again). */
  async execute(request: EmailSendRequested, m: EntityManager, origin: SendOrigin = 'request'): Promise<SendOutcome> {
    return this.counted(await this.send(request, m, origin));
  }

  /**
   * The checker's way back to an intent whose outcome is not recorded (its lock held in `m`): the
   * `sending` row is made if the crash took it, and unless an outcome was recorded meanwhile, the
   * request goes on as a redelivered one would.
   */
  async checkAttempt(attempt: SendAttempt, m: EntityManager): Promise<SendOutcome | null> {
    // A one-off send whose caller saw it fail, and that nobody took up since the crash: found, it is
    // recorded as sent; not found, it fails rather than going out minutes after its caller gave up.
    // A request whose redelivery never came is settled as the redelivery would have been.
    const inserted = await this.insertSendingRow(attempt.request, m);
    const orphan = inserted && attempt.origin === 'api';
    // The sent email's row lock is what a consumer holds while handling the request: another
    // replica's checker (or a consumer) on it now, and this one leaves it alone.
    const [row] = (await m.query(`SELECT status FROM sender.sent_email WHERE send_request_id = $1 FOR UPDATE SKIP LOCKED`, [attempt.send_request_id])) as { status: string }[];
    if (!row) return null;
    if (row.status !== 'sending') {
      await this.attempts.settle(m, attempt.send_request_id);
      return { outcome: 'duplicate' };
    }
    const current = await this.attempts.find(m, attempt.send_request_id);
    if (!current) return null;
    return this.counted(await this.proceed(current.request, m, current.origin, { orphan }));
  }

  private counted(outcome: SendOutcome): SendOutcome {
    this.sends.inc({ outcome: outcome.outcome === 'not-sent' ? outcome.code : outcome.outcome === 'sent' && outcome.recovered ? 'recovered' : outcome.outcome });
    return outcome;
  }

  private async send(request: EmailSendRequested, m: EntityManager, origin: SendOrigin): Promise<SendOutcome> {
    if (!(await this.insertSendingRow(request, m))) return { outcome: 'duplicate' };
    return this.proceed(request, m, origin);
  }

  /** The request's `sending` row; false when it has one already (handled, or being handled). */
  private async insertSendingRow(request: EmailSendRequested, m: EntityManager): Promise<boolean> {
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
    return inserted.length > 0;
  }

  private async proceed(request: EmailSendRequested, m: EntityManager, origin: SendOrigin, options: { orphan?: boolean } = {}): Promise<SendOutcome> {
    const sentEmailId = sentEmailIdOf(request.sendRequestId);
    // Handed to the provider before, outcome unknown: ask the provider before anything else (a
    // message it accepted was sent, whatever the send window or the enrollment say now).
    const attempt = await this.attempts.find(m, request.sendRequestId);
    if (attempt) {
      const settled = await this.settleUnknownOutcome(request, attempt, m);
      if (settled) return settled;
      if (options.orphan) return this.notSent(m, request, sentEmailId, 'TEMPORARY', 'the sender stopped while handing this email over and nobody asked again; the provider has no copy, so it was not sent');
    }
    const now = this.clock.now();
    if (request.notAfter && new Date(request.notAfter) < now) {
      return this.notSent(m, request, sentEmailId, 'EXPIRED', `the send window closed at ${request.notAfter}`);
    }
    // Last line of defence: never to an address on the organisation's suppression list (To or CC).
    const suppressed = await suppressedRecipient(m, request.orgId, [...request.to, ...request.cc].map((r) => r.address));
    if (suppressed) return this.notSent(m, request, sentEmailId, 'PERMANENT', suppressed);
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

    const body = this.render(request, now);
    const composed = await composeOutboundMessage(
      {
        from: request.from,
        to: request.to,
        cc: request.cc,
        subject: request.subject,
        html: body.html,
        text: body.text,
        messageIdDomain: request.from.address.split('@')[1] ?? 'telltale.invalid',
        // How the sent copy is recognised after a crash where the provider replaced the Message-ID.
        headers: {
          [SEND_ID_HEADER]: request.sendRequestId,
          // Every sequence email carries one-click unsubscribe (RFC 8058; Gmail and Yahoo require it of bulk senders).
          ...(request.enrollmentId && request.to[0]
            ? this.renderer.listUnsubscribeHeaders({ orgId: request.orgId, enrollmentId: request.enrollmentId, address: request.to[0].address, issuedAt: now })
            : {}),
        },
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
      await this.attempts.record({ request, origin, sentEmailId, provider: current.provider, messageId: composed.messageId, at: this.clock.now() });
      await this.testFault('hang-before-provider-call', request);
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
    // Test-only (SENDER_TEST_FAULT): the provider accepted, and nothing is recorded until the test
    // kills the process: a death while the provider's answer was on its way, the one window where
    // only asking the provider tells.
    await this.testFault('hang-after-provider-accepted', request);
    const acceptedAt = this.clock.now();
    await this.attempts.recordAccepted(request.sendRequestId, result, acceptedAt);
    await this.testFault('hang-after-accepted-recorded', request);
    return this.recordSent(m, request, sentEmailId, body, result, acceptedAt);
  }

  /** Test-only (SENDER_TEST_FAULT): holds this send here for good, for a test to kill the process. */
  private async testFault(kind: SenderTestFault['kind'], request: EmailSendRequested): Promise<void> {
    if (!this.recovery.faults.some((f) => f.kind === kind && (f.mailboxId === null || f.mailboxId === request.mailboxId))) return;
    this.runtime.logger.warn({ org_id: request.orgId, send_request_id: request.sendRequestId, fault: kind }, 'test fault: holding the send');
    await new Promise<never>(() => undefined);
  }

  private render(request: EmailSendRequested, issuedAt: Date): RenderedBody {
    return this.renderer.render({
      orgId: request.orgId,
      sentEmailId: sentEmailIdOf(request.sendRequestId),
      html: request.html,
      text: request.text,
      trackOpens: request.tracking.opens,
      trackClicks: request.tracking.clicks,
      issuedAt,
    });
  }

  /**
   * An earlier attempt whose outcome was not recorded: the provider says whether it has the message.
   * Null when it does not and the grace period is over (send it); otherwise the recorded outcome.
   */
  private async settleUnknownOutcome(request: EmailSendRequested, attempt: SendAttempt, m: EntityManager): Promise<SendOutcome | null> {
    const sentEmailId = sentEmailIdOf(request.sendRequestId);
    const log = { org_id: request.orgId, sent_email_id: sentEmailId, message_id: attempt.message_id };
    if (attempt.accepted && attempt.accepted_at) {
      // The provider's answer was written down before the crash: sent, nothing to ask.
      this.runtime.logger.warn(log, 'an earlier attempt was accepted by the provider: recorded without sending again');
      const outcome = await this.recordSent(m, request, sentEmailId, this.render(request, attempt.attempted_at), attempt.accepted, attempt.accepted_at);
      return { ...outcome, recovered: true };
    }
    let found;
    try {
      const mailbox = await this.mailboxes.get(attempt.mailbox_id);
      if (!mailbox || mailbox.orgId !== request.orgId) throw new SentCopyLookupFailed('mailbox-sync does not know the mailbox the message was handed to');
      found = await findSentCopy(mailbox, { messageId: attempt.message_id, sendRequestId: request.sendRequestId, attemptedAt: attempt.attempted_at }, this.recovery.lookupTimeoutMs);
    } catch (err) {
      // No answer is not a "no": ask again later, never guess.
      return this.pending(m, request, this.nextCheck(attempt), err instanceof Error ? err.message : String(err));
    }
    if (found) {
      this.runtime.logger.warn(log, 'an earlier attempt was sent: recorded without sending again');
      // The message that went out carried tracking rendered from the same request: the same links, in the same order.
      const outcome = await this.recordSent(m, request, sentEmailId, this.render(request, attempt.attempted_at), found, attempt.attempted_at);
      return { ...outcome, recovered: true };
    }
    // Not there yet proves nothing while the provider may still be filing it: look again (backing
    // off) until the grace period after the attempt is over, and only then conclude.
    const decideAt = new Date(attempt.attempted_at.getTime() + (attempt.provider === 'imap' ? this.recovery.smtpGraceMs : this.recovery.graceMs));
    if (this.clock.now() < decideAt) {
      const next = this.nextCheck(attempt);
      return this.pending(m, request, next < decideAt ? next : decideAt, 'not in the sent mail yet; the provider may not show it yet');
    }
    this.runtime.logger.warn(log, 'an earlier attempt is not in the sent mail after the grace period: sending');
    return null;
  }

  /** When to ask the provider again about an attempt: backing off from the first wait with each check. */
  private nextCheck(attempt: SendAttempt): Date {
    return new Date(this.clock.now().getTime() + backoffDelayMs(attempt.checks + 1, { initialMs: this.recovery.recheckMs, maxMs: this.recovery.maxRecheckMs }));
  }

  private async pending(m: EntityManager, request: EmailSendRequested, at: Date, reason: string): Promise<SendOutcome> {
    await this.attempts.scheduleCheck(m, request.sendRequestId, at, reason);
    this.runtime.logger.warn({ org_id: request.orgId, send_request_id: request.sendRequestId, check_at: at.toISOString(), reason }, 'outcome of an earlier attempt unknown: checking again later');
    return { outcome: 'pending', sentEmailId: sentEmailIdOf(request.sendRequestId), checkAt: at.toISOString(), reason };
  }

  private async recordSent(m: EntityManager, request: EmailSendRequested, sentEmailId: string, body: RenderedBody, result: SendResult, sentAt: Date): Promise<SendOutcome & { outcome: 'sent' }> {
    await m.query(
      `UPDATE sender.sent_email SET status = 'sent', message_id = $2, provider_message_id = $3, provider_thread_id = $4, sent_at = $5 WHERE id = $1`,
      [sentEmailId, result.messageId, result.providerMessageId, result.providerThreadId, sentAt],
    );
    for (const link of body.links) {
      await m.query(`INSERT INTO sender.sent_link (sent_email_id, link_index, url) VALUES ($1, $2, $3)`, [sentEmailId, link.linkIndex, link.url]);
    }
    await this.attempts.settle(m, request.sendRequestId);
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
    await this.attempts.settle(m, request.sendRequestId);
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
