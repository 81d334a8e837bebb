import type { EntityManager } from 'typeorm';
import type { EmailSent } from '@telltale/contracts';
import type { SentEmailRecord } from '../detection/reply-verdict';

interface SentRow {
  sent_email_id: string;
  org_id: string;
  mailbox_id: string;
  enrollment_id: string | null;
  sequence_id: string | null;
  message_id: string;
  provider_thread_id: string | null;
  from_address: string;
  to_addresses: string[];
  cc_addresses: string[];
  sent_at: Date;
}

const toRecord = (r: SentRow): SentEmailRecord => ({
  sentEmailId: r.sent_email_id,
  orgId: r.org_id,
  mailboxId: r.mailbox_id,
  enrollmentId: r.enrollment_id,
  sequenceId: r.sequence_id,
  messageId: r.message_id,
  providerThreadId: r.provider_thread_id,
  from: r.from_address,
  to: r.to_addresses,
  cc: r.cc_addresses,
  sentAt: r.sent_at,
});

/** The index of every email Telltale sent, by Message-ID and provider thread. */
export class SentMessageStore {
  async record(m: EntityManager, sent: EmailSent): Promise<void> {
    await m.query(
      `INSERT INTO reply_detector.sent_message (sent_email_id, org_id, mailbox_id, enrollment_id, sequence_id, message_id, provider_thread_id,
         from_address, to_addresses, cc_addresses, subject, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
      [
        sent.sentEmailId,
        sent.orgId,
        sent.mailboxId,
        sent.enrollmentId,
        sent.sequenceId,
        sent.messageId,
        sent.providerThreadId,
        sent.from.address,
        sent.to.map((a) => a.address),
        sent.cc.map((a) => a.address),
        sent.subject,
        new Date(sent.sentAt),
      ],
    );
  }

  async byMessageIds(m: EntityManager, orgId: string, ids: string[]): Promise<Map<string, SentEmailRecord>> {
    if (ids.length === 0) return new Map();
    const rows = (await m.query(`SELECT * FROM reply_detector.sent_message WHERE org_id = $1 AND message_id = ANY($2::text[])`, [orgId, ids])) as SentRow[];
    return new Map(rows.map((r) => [r.message_id, toRecord(r)]));
  }

  async byProviderThread(m: EntityManager, mailboxId: string, threadId: string | null): Promise<SentEmailRecord[]> {
    if (!threadId) return [];
    const rows = (await m.query(
      `SELECT * FROM reply_detector.sent_message WHERE mailbox_id = $1 AND provider_thread_id = $2 ORDER BY sent_at DESC LIMIT 10`,
      [mailboxId, threadId],
    )) as SentRow[];
    return rows.map(toRecord);
  }
}
