import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { Uuid } from '@telltale/contracts';
import { CursorTimestamp, PageLimit, SqlWhere, ServiceRuntime, cursorParam, newestFirstPage, ownsOrOversees, type Caller, type NewestFirstRow, type Page } from '@telltale/runtime';

const STATUSES = ['sending', 'sent', 'failed', 'skipped'] as const;

/** `GET /v1/emails`: newest first, optionally of one enrollment, one mailbox or in one status. */
export const ListEmailsQuery = z
  .object({
    enrollmentId: Uuid.optional(),
    mailboxId: Uuid.optional(),
    status: z.enum(STATUSES).optional(),
    cursor: cursorParam(CursorTimestamp, Uuid),
    limit: PageLimit,
  })
  .strict();
export type ListEmailsQuery = z.output<typeof ListEmailsQuery>;

/** One sent email in a list (no body, no links: `GET /v1/emails/:id` has those). */
export interface SentEmailSummary {
  id: string;
  mailboxId: string;
  /** Whose mailbox sent it (null: sent before owners were recorded). */
  ownerUserId: string | null;
  enrollmentId: string | null;
  sequenceId: string | null;
  stepNumber: number | null;
  status: (typeof STATUSES)[number];
  subject: string;
  from: string;
  recipients: { to: { address: string; name: string | null }[]; cc: { address: string; name: string | null }[] };
  messageId: string | null;
  createdAt: string;
  sentAt: string | null;
  failureCode: string | null;
  failureReason: string | null;
}

interface SummaryRow extends NewestFirstRow {
  id: string;
  mailbox_id: string;
  owner_user_id: string | null;
  enrollment_id: string | null;
  sequence_id: string | null;
  step_number: number | null;
  status: SentEmailSummary['status'];
  subject: string;
  from_address: string;
  recipients: SentEmailSummary['recipients'];
  message_id: string | null;
  created_at: Date;
  sent_at: Date | null;
  failure_code: string | null;
  failure_reason: string | null;
}

/** A sent email as `GET /v1/emails/{id}` shows it (column names as stored), with its tracked links. */
export interface SentEmailRecord {
  id: string;
  send_request_id: string;
  mailbox_id: string;
  /** Whose mailbox sent it, stored at send time (null: before owners were recorded, or the mailbox was unknown). */
  owner_user_id: string | null;
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
      `SELECT id, send_request_id, mailbox_id, owner_user_id, enrollment_id, step_number, status, message_id, subject, recipients, sent_at, failure_code, failure_reason
       FROM sender.sent_email WHERE id = $1 AND org_id = $2`,
      [id, orgId],
    )) as Omit<SentEmailRecord, 'links'>[];
    if (!row) return null;
    const links = (await db.query(`SELECT link_index, url FROM sender.sent_link WHERE sent_email_id = $1 ORDER BY link_index`, [id])) as SentEmailRecord['links'];
    return { ...row, links };
  }

  /** A rep lists the emails of their own mailboxes; managers, admins and API keys the organisation's. */
  async list(caller: Caller, query: ListEmailsQuery): Promise<Page<SentEmailSummary>> {
    const where = new SqlWhere().add('org_id = $?', caller.orgId);
    // ownsOrOversees(caller, null): whether the caller sees what no one in particular owns, i.e. everything.
    if (!ownsOrOversees(caller, null)) where.add('owner_user_id = $?', caller.userId);
    if (query.enrollmentId) where.add('enrollment_id = $?', query.enrollmentId);
    if (query.mailboxId) where.add('mailbox_id = $?', query.mailboxId);
    if (query.status) where.add('status = $?', query.status);
    return newestFirstPage(
      this.runtime.dataSource,
      `SELECT id, mailbox_id, owner_user_id, enrollment_id, sequence_id, step_number, status, subject, from_address, recipients, message_id,
              created_at, created_at::text AS created_key, sent_at, failure_code, failure_reason
       FROM sender.sent_email`,
      '',
      where,
      query,
      (r: SummaryRow) => ({
        id: r.id,
        mailboxId: r.mailbox_id,
        ownerUserId: r.owner_user_id,
        enrollmentId: r.enrollment_id,
        sequenceId: r.sequence_id,
        stepNumber: r.step_number,
        status: r.status,
        subject: r.subject,
        from: r.from_address,
        recipients: r.recipients,
        messageId: r.message_id,
        createdAt: r.created_at.toISOString(),
        sentAt: r.sent_at?.toISOString() ?? null,
        failureCode: r.failure_code,
        failureReason: r.failure_reason,
      }),
    );
  }
}
