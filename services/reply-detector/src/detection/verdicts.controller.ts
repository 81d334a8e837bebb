import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { CurrentCaller, Members, type Caller } from '@telltale/runtime';
import { VerdictQueries, type VerdictRow } from './verdict.queries';

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
@Members('enrollments')
export class VerdictsController {
  constructor(private readonly queries: VerdictQueries) {}

  @Get(':id/verdicts')
  async verdicts(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<Record<string, unknown>> {
    const orgId = caller.orgId;
    const verdicts = await this.queries.forEnrollment(orgId, id);
    const sent = await this.queries.sentForEnrollment(orgId, id);
    const recipients = [...new Set(sent.flatMap((s) => [...s.to_addresses, ...s.cc_addresses]))];
    // Messages from its recipients that matched nothing: the usual answer to "why didn't it stop?".
    const unmatched = await this.queries.unmatchedFrom(orgId, recipients);
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
