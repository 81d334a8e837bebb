import { Injectable } from '@nestjs/common';
import { ServiceRuntime } from '@telltale/runtime';

/** One stored verdict, as the verdicts API shows it (column names as stored). */
export interface VerdictRow {
  id: string;
  kind: string;
  relation: string | null;
  matched_by: string | null;
  matched_message_id: string | null;
  inbound_message_id: string | null;
  from_address: string | null;
  sent_email_id: string | null;
  bounce_severity: string | null;
  bounce_status: string | null;
  return_date: string | null;
  stop_reason: string | null;
  reasons: string[];
  decided_at: Date;
}

/** One email of the enrollment in the sent index. */
export interface SentRow {
  sent_email_id: string;
  message_id: string;
  to_addresses: string[];
  cc_addresses: string[];
  sent_at: Date;
}

const VERDICT_COLUMNS = `id, kind, relation, matched_by, matched_message_id, inbound_message_id, from_address, sent_email_id, bounce_severity, bounce_status,
   to_char(return_date, 'YYYY-MM-DD') AS return_date, stop_reason, reasons, decided_at`;

/** The reply detector's reads of its verdicts and sent index, scoped by organisation. */
@Injectable()
export class VerdictQueries {
  constructor(private readonly runtime: ServiceRuntime) {}

  forEnrollment(orgId: string, enrollmentId: string): Promise<VerdictRow[]> {
    return this.runtime.dataSource.query(`SELECT ${VERDICT_COLUMNS} FROM reply_detector.verdict WHERE org_id = $1 AND enrollment_id = $2 ORDER BY decided_at`, [orgId, enrollmentId]) as Promise<VerdictRow[]>;
  }

  sentForEnrollment(orgId: string, enrollmentId: string): Promise<SentRow[]> {
    return this.runtime.dataSource.query(
      `SELECT sent_email_id, message_id, to_addresses, cc_addresses, sent_at FROM reply_detector.sent_message WHERE org_id = $1 AND enrollment_id = $2 ORDER BY sent_at`,
      [orgId, enrollmentId],
    ) as Promise<SentRow[]>;
  }

  /** The latest 50 messages from these addresses that matched no sent email. */
  async unmatchedFrom(orgId: string, addresses: readonly string[]): Promise<VerdictRow[]> {
    if (addresses.length === 0) return [];
    return (await this.runtime.dataSource.query(
      `SELECT ${VERDICT_COLUMNS} FROM reply_detector.verdict WHERE org_id = $1 AND sent_email_id IS NULL AND lower(from_address) = ANY($2::text[]) ORDER BY decided_at DESC LIMIT 50`,
      [orgId, addresses],
    )) as VerdictRow[];
  }
}
