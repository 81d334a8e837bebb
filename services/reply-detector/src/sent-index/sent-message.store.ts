import type { EntityManager } from 'typeorm';
import type { EmailSent } from '@telltale/contracts';
import type { SentEmailRecord } from '@telltale/replies';

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

const COLUMNS = `sent_email_id, org_id, mailbox_id, enrollment_id, sequence_id, message_id, provider_thread_id, from_address, to_addresses, cc_addresses, sent_at`;
const LOOKUP_LIMIT = 10;

/** The index of every email Telltale sent: by Message-ID, provider thread, conversation, address and company. */
export class SentMessageStore {
  async record(m: EntityManager, sent: EmailSent): Promise<void> {
    const to = sent.to.map((a) => a.address.toLowerCase());
    await m.query(
      `INSERT INTO reply_detector.sent_message (sent_email_id, org_id, mailbox_id, enrollment_id, sequence_id, message_id, provider_thread_id,
         from_address, to_addresses, cc_addresses, subject, sent_at, to_domains)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
      [
        sent.sentEmailId,
        sent.orgId,
        sent.mailboxId,
        sent.enrollmentId,
        sent.sequenceId,
        sent.messageId,
        sent.providerThreadId,
        sent.from.address.toLowerCase(),
        to,
        sent.cc.map((a) => a.address.toLowerCase()),
        sent.subject,
        new Date(sent.sentAt),
        [...new Set(to.map((a) => a.slice(a.lastIndexOf('@') + 1)))],
      ],
    );
    await this.recordOrgAddress(m, sent.orgId, sent.from.address);
  }

  async recordOrgAddress(m: EntityManager, orgId: string, address: string): Promise<void> {
    await m.query(`INSERT INTO reply_detector.org_address (org_id, address) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [orgId, address.toLowerCase()]);
  }

  async orgAddresses(m: EntityManager, orgId: string): Promise<string[]> {
    const rows = (await m.query(`SELECT address FROM reply_detector.org_address WHERE org_id = $1`, [orgId])) as { address: string }[];
    return rows.map((r) => r.address);
  }

  async byMessageIds(m: EntityManager, orgId: string, ids: string[]): Promise<Map<string, SentEmailRecord>> {
    if (ids.length === 0) return new Map();
    const rows = (await m.query(`SELECT ${COLUMNS} FROM reply_detector.sent_message WHERE org_id = $1 AND message_id = ANY($2::text[])`, [orgId, ids])) as SentRow[];
    return new Map(rows.map((r) => [r.message_id, toRecord(r)]));
  }

  async byProviderThread(m: EntityManager, mailboxId: string, threadId: string | null): Promise<SentEmailRecord[]> {
    if (!threadId) return [];
    const rows = (await m.query(
      `SELECT ${COLUMNS} FROM reply_detector.sent_message WHERE mailbox_id = $1 AND provider_thread_id = $2 ORDER BY sent_at DESC LIMIT ${LOOKUP_LIMIT}`,
      [mailboxId, threadId],
    )) as SentRow[];
    return rows.map(toRecord);
  }

  async byConversationKey(m: EntityManager, orgId: string, key: string | null): Promise<SentEmailRecord[]> {
    if (!key) return [];
    const rows = (await m.query(
      `SELECT ${COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')} FROM reply_detector.thread_conversation t
       JOIN reply_detector.sent_message s ON s.sent_email_id = t.sent_email_id
       WHERE t.org_id = $1 AND t.conversation_key = $2 ORDER BY s.sent_at DESC LIMIT ${LOOKUP_LIMIT}`,
      [orgId, key],
    )) as SentRow[];
    return rows.map(toRecord);
  }

  async recordConversation(m: EntityManager, orgId: string, key: string, sentEmailId: string, at: Date): Promise<void> {
    await m.query(`INSERT INTO reply_detector.thread_conversation (org_id, conversation_key, sent_email_id, recorded_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
      orgId,
      key,
      sentEmailId,
      at,
    ]);
  }

  /** Sent to this exact address (To or Cc) in the active window, newest first. */
  async recentToAddress(m: EntityManager, orgId: string, address: string, since: Date, until: Date): Promise<SentEmailRecord[]> {
    const rows = (await m.query(
      `SELECT ${COLUMNS} FROM reply_detector.sent_message
       WHERE org_id = $1 AND sent_at BETWEEN $3 AND $4 AND ($2 = ANY(to_addresses) OR $2 = ANY(cc_addresses))
       ORDER BY sent_at DESC LIMIT ${LOOKUP_LIMIT}`,
      [orgId, address.toLowerCase(), since, until],
    )) as SentRow[];
    return rows.map(toRecord);
  }

  /** Sent to anyone at this domain in the active window, newest first. */
  async recentToDomain(m: EntityManager, orgId: string, domain: string, since: Date, until: Date): Promise<SentEmailRecord[]> {
    const rows = (await m.query(
      `SELECT ${COLUMNS} FROM reply_detector.sent_message
       WHERE org_id = $1 AND to_domains @> ARRAY[$2]::text[] AND sent_at BETWEEN $3 AND $4
       ORDER BY sent_at DESC LIMIT ${LOOKUP_LIMIT}`,
      [orgId, domain.toLowerCase(), since, until],
    )) as SentRow[];
    return rows.map(toRecord);
  }

  /** The enrollment's most recent sent emails, newest first. */
  async latestOfEnrollment(m: EntityManager, enrollmentId: string, limit: number): Promise<SentEmailRecord[]> {
    const rows = (await m.query(`SELECT ${COLUMNS} FROM reply_detector.sent_message WHERE enrollment_id = $1 ORDER BY sent_at DESC LIMIT $2`, [enrollmentId, limit])) as SentRow[];
    return rows.map(toRecord);
  }
}
