import type { DataSource, EntityManager } from 'typeorm';
import type { EmailSendRequested } from '@telltale/contracts';
import type { SendResult } from '@telltale/mail';

/** A send handed to the provider whose outcome was not recorded (yet): `sender.send_attempt`. */
/** `request`: email.send-requested.v1 (delivered again after a crash); `api`: a one-off POST /v1/emails (never asked for again). */
export type SendOrigin = 'request' | 'api';

export interface SendAttempt {
  send_request_id: string;
  origin: SendOrigin;
  sent_email_id: string;
  mailbox_id: string;
  provider: 'imap' | 'gmail' | 'graph';
  message_id: string;
  attempted_at: Date;
  request: EmailSendRequested;
  /** What the provider answered, when the process lived to write it down. */
  accepted_at: Date | null;
  accepted: SendResult | null;
  checks: number;
  next_check_at: Date | null;
}

const COLUMNS = 'send_request_id, origin, sent_email_id, mailbox_id, provider, message_id, attempted_at, request, accepted_at, accepted, checks, next_check_at';

/**
 * The durable send intents. `record` commits on its own, before the provider call, so that it
 * survives the process dying during or after the call; everything else runs in the caller's
 * transaction, with the outcome it belongs to.
 */
export class SendAttempts {
  constructor(private readonly dataSource: DataSource) {}

  /** Send request X is being handed to the provider as Message-ID M through mailbox B, at T (its own transaction). */
  async record(input: { request: EmailSendRequested; origin: SendOrigin; sentEmailId: string; provider: SendAttempt['provider']; messageId: string; at: Date }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO sender.send_attempt (send_request_id, sent_email_id, org_id, mailbox_id, provider, message_id, attempted_at, request, origin)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (send_request_id) DO UPDATE SET mailbox_id = EXCLUDED.mailbox_id, provider = EXCLUDED.provider, message_id = EXCLUDED.message_id,
         attempted_at = EXCLUDED.attempted_at, request = EXCLUDED.request, accepted_at = NULL, accepted = NULL, next_check_at = NULL`,
      [input.request.sendRequestId, input.sentEmailId, input.request.orgId, input.request.mailboxId, input.provider, input.messageId, input.at, JSON.stringify(input.request), input.origin],
    );
  }

  /**
   * The provider accepted the message: written on its own at once, so a crash from here on needs no
   * question to the provider (only one while the call was under way does).
   */
  async recordAccepted(sendRequestId: string, result: SendResult, at: Date): Promise<void> {
    await this.dataSource.query(`UPDATE sender.send_attempt SET accepted_at = $2, accepted = $3 WHERE send_request_id = $1`, [
      sendRequestId,
      at,
      JSON.stringify({ messageId: result.messageId, providerMessageId: result.providerMessageId, providerThreadId: result.providerThreadId }),
    ]);
  }

  async find(m: EntityManager, sendRequestId: string): Promise<SendAttempt | null> {
    const [row] = (await m.query(`SELECT ${COLUMNS} FROM sender.send_attempt WHERE send_request_id = $1`, [sendRequestId])) as SendAttempt[];
    return row ?? null;
  }

  /** The outcome is recorded in `m`: the intent goes with it. */
  async settle(m: EntityManager, sendRequestId: string): Promise<void> {
    await m.query(`DELETE FROM sender.send_attempt WHERE send_request_id = $1`, [sendRequestId]);
  }

  /** Ask the provider again at `at` (the sender's checker does); why it could not be settled now. */
  async scheduleCheck(m: EntityManager, sendRequestId: string, at: Date, reason: string): Promise<void> {
    await m.query(`UPDATE sender.send_attempt SET checks = checks + 1, next_check_at = $2, last_check_error = $3 WHERE send_request_id = $1`, [sendRequestId, at, reason.slice(0, 500)]);
  }

  /**
   * Intents to settle now (not locked: the checker locks each one's sent email): those whose check
   * is due, and those nobody came back for, handed to the provider before `orphanedBefore` (a
   * one-off send, whose caller saw the crash; or a request whose redelivery never came).
   */
  async due(now: Date, orphanedBefore: Date, limit: number): Promise<SendAttempt[]> {
    return (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM sender.send_attempt
       WHERE (next_check_at IS NOT NULL AND next_check_at <= $1) OR (next_check_at IS NULL AND attempted_at < $2)
       ORDER BY COALESCE(next_check_at, attempted_at) LIMIT $3`,
      [now, orphanedBefore, limit],
    )) as SendAttempt[];
  }
}
