import { Controller, Get, Headers, Param, ParseUUIDPipe } from '@nestjs/common';
import { ServiceRuntime, requireOrgId } from '@telltale/runtime';

interface VerdictRow {
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

interface SentRow {
  sent_email_id: string;
  message_id: string;
  to_addresses: string[];
  cc_addresses: string[];
  sent_at: Date;
}

/** One sentence an operator can read: what reply-detector decided about this enrollment, and why. */
export function explainEnrollment(verdicts: readonly VerdictRow[], sentCount: number, unmatchedFromRecipients: readonly VerdictRow[]): string {
  const stop = verdicts.find((v) => v.stop_reason !== null);
  if (stop) {
    const what = stop.kind === 'reply' ? `a reply from ${stop.from_address ?? 'an unknown sender'} (${stop.relation})` : `a ${stop.bounce_severity} bounce (${stop.bounce_status ?? 'no status'})`;
    return `Stop requested (${stop.stop_reason}) on ${stop.decided_at.toISOString()} because of ${what}, matched by ${stop.matched_by}.`;
  }
  if (sentCount === 0) return 'No stop: reply-detector has not seen any email of this enrollment being sent.';
  const parts = [`No stop: ${verdicts.length} inbound message(s) matched its ${sentCount} sent email(s) and none was a human reply or a stopping bounce.`];
  const auto = verdicts.filter((v) => v.kind === 'auto_reply');
  if (auto.length > 0) parts.push(`${auto.length} auto-reply(ies) (pause, not stop${auto[0]!.return_date ? `; back ${auto[0]!.return_date}` : ''}).`);
  const soft = verdicts.filter((v) => v.kind === 'bounce' && v.bounce_severity === 'soft');
  if (soft.length > 0) parts.push(`${soft.length} soft bounce(s), fewer than the configured number in a row.`);
  if (unmatchedFromRecipients.length > 0) parts.push(`${unmatchedFromRecipients.length} message(s) from its recipients could not be tied to its emails (see unmatchedFromRecipients).`);
  return parts.join(' ');
}

/** "Why did — or didn't — this enrollment stop?", from reply-detector's point of view, with the evidence. */
@Controller('v1/enrollments')
export class VerdictsController {
  constructor(private readonly runtime: ServiceRuntime) {}

  @Get(':id/verdicts')
  async verdicts(@Headers('x-org-id') org: string | undefined, @Param('id', new ParseUUIDPipe()) id: string): Promise<Record<string, unknown>> {
    const orgId = requireOrgId(org);
    const db = this.runtime.dataSource;
    const columns = `id, kind, relation, matched_by, matched_message_id, inbound_message_id, from_address, sent_email_id, bounce_severity, bounce_status,
       to_char(return_date, 'YYYY-MM-DD') AS return_date, stop_reason, reasons, decided_at`;
    const verdicts = (await db.query(`SELECT ${columns} FROM reply_detector.verdict WHERE org_id = $1 AND enrollment_id = $2 ORDER BY decided_at`, [orgId, id])) as VerdictRow[];
    const sent = (await db.query(
      `SELECT sent_email_id, message_id, to_addresses, cc_addresses, sent_at FROM reply_detector.sent_message WHERE org_id = $1 AND enrollment_id = $2 ORDER BY sent_at`,
      [orgId, id],
    )) as SentRow[];
    const recipients = [...new Set(sent.flatMap((s) => [...s.to_addresses, ...s.cc_addresses]))];
    // Messages from its recipients that matched nothing: the usual answer to "why didn't it stop?".
    const unmatched =
      recipients.length === 0
        ? []
        : ((await db.query(
            `SELECT ${columns} FROM reply_detector.verdict WHERE org_id = $1 AND sent_email_id IS NULL AND lower(from_address) = ANY($2::text[]) ORDER BY decided_at DESC LIMIT 50`,
            [orgId, recipients],
          )) as VerdictRow[]);
    const stop = verdicts.find((v) => v.stop_reason !== null) ?? null;
    return {
      enrollmentId: id,
      stopRequested: stop !== null,
      stopReason: stop?.stop_reason ?? null,
      stopCause: stop?.id ?? null,
      explanation: explainEnrollment(verdicts, sent.length, unmatched),
      sentEmails: sent.map((s) => ({ sentEmailId: s.sent_email_id, messageId: s.message_id, to: s.to_addresses, cc: s.cc_addresses, sentAt: s.sent_at })),
      verdicts,
      unmatchedFromRecipients: unmatched,
    };
  }
}
