import { Injectable } from '@nestjs/common';
import { ServiceRuntime } from '@telltale/runtime';

/** A sent email as `GET /v1/emails/{id}` shows it (column names as stored), with its tracked links. */
export interface SentEmailRecord {
  id: string;
  send_request_id: string;
  mailbox_id: string;
  enrollment_id: string | null;
  step_number: number | null;
  status: 'sending' | 'sent' | 'failed' | 'skipped';
  message_id: string | null;
  subject: string;
  recipients: unknown;
  sent_at: Date | null;
  failure_code: string | null;
  failure_reason: string | null;
  links: { link_index: number; url: string }[];
}

/** The sender's reads of sent emails, scoped by organisation; controllers run no SQL themselves. */
@Injectable()
export class SentEmailQueries {
  constructor(private readonly runtime: ServiceRuntime) {}

  async findForOrg(orgId: string, id: string): Promise<SentEmailRecord | null> {
    const db = this.runtime.dataSource;
    const [row] = (await db.query(
      `SELECT id, send_request_id, mailbox_id, enrollment_id, step_number, status, message_id, subject, recipients, sent_at, failure_code, failure_reason
       FROM sender.sent_email WHERE id = $1 AND org_id = $2`,
      [id, orgId],
    )) as Omit<SentEmailRecord, 'links'>[];
    if (!row) return null;
    const links = (await db.query(`SELECT link_index, url FROM sender.sent_link WHERE sent_email_id = $1 ORDER BY link_index`, [id])) as SentEmailRecord['links'];
    return { ...row, links };
  }
}
