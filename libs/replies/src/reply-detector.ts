import { autoReplyLanguage, autoReplyReasons } from './auto-reply-classifier';
import { assessBounce } from './bounce-classifier';
import type { DetectionContext } from './detection-context';
import { isFromOwnOrg, matchSentEmail, relationOf, type MessageMatch } from './message-matcher';
import type { InboundMessage, ReplyVerdict, VerdictKind } from './reply-verdict';
import { extractReturnDate } from './return-date-extractor';
import { unsubscribeRequest } from './unsubscribe-request';

export { domainOf, referencedMessageIds, relationOf } from './message-matcher';
export type { DetectionContext } from './detection-context';

/** RFC 8098 read receipts and RFC 5965 feedback (complaint) reports. */
function reportKind(message: InboundMessage): string | null {
  const type = (message.reportType ?? '').toLowerCase();
  if (type.includes('disposition-notification')) return 'read receipt (RFC 8098)';
  if (type.includes('feedback-report')) return 'feedback/complaint report (RFC 5965)';
  // Hotmail/Outlook.com JMRP and other pre-ARF feedback loops send complaints without report-type.
  if (/^(complaint about message|abuse report|spam (complaint|report)|feedback report)/i.test(message.subject ?? '')) return 'feedback/complaint report (subject)';
  if (/^(read|gelesen|lu|leído|letto|gelezen|lido|läst|læst|lest|luettu|przeczytana|開封済み|已读|已讀|읽음)\s*:/i.test(message.subject ?? '')) return 'read receipt (subject)';
  return null;
}

function isBulk(message: InboundMessage): string | null {
  if (message.listId) return `List-Id ${message.listId.slice(0, 80)}`;
  if (/^(bulk|list|junk)$/i.test(message.autoReplyMarkers.precedence?.trim() ?? '')) return `Precedence: ${message.autoReplyMarkers.precedence!.trim()}`;
  if (message.listUnsubscribe && message.inReplyTo.length === 0 && message.references.length === 0) return 'List-Unsubscribe on an unthreaded message';
  return null;
}

/**
 * Decides what an inbound message is to us, pure over plain data, in the order: bounces
 * first (Office 365 NDRs also carry Auto-Submitted), then reports (read receipts, complaints), then
 * auto-replies, then list mail, and what remains is a human reply. Matching to an email we sent is
 * recorded alongside; kind does not depend on it, effects do.
 */
export function detectReply(message: InboundMessage, ctx: DetectionContext): ReplyVerdict {
  const reasons: string[] = [];
  const from = message.from?.address.toLowerCase() ?? null;
  const verdict = (kind: VerdictKind, match: MessageMatch | null, extra: Partial<ReplyVerdict> = {}): ReplyVerdict => ({
    kind,
    sent: match?.sent ?? null,
    matchedBy: match?.rule ?? null,
    matchedMessageId: match?.messageId ?? null,
    relation: null,
    bounce: null,
    returnDate: null,
    unsubscribeRequest: null,
    fromOwnOrg: false,
    reasons: [...(match ? [`matched ${match.messageId} by ${match.rule}`] : ['no email we sent matched']), ...reasons],
    ...extra,
  });

  const bounce = assessBounce(message);
  if (bounce.outcome === 'bounce') {
    reasons.push(...bounce.reasons);
    return verdict('bounce', matchSentEmail(message, ctx, false), { bounce: bounce.bounce });
  }
  if (bounce.outcome === 'not_failed') {
    reasons.push(...bounce.reasons);
    return verdict('other', matchSentEmail(message, ctx, false));
  }
  const report = reportKind(message);
  if (report) {
    reasons.push(report);
    return verdict('other', matchSentEmail(message, ctx, false));
  }
  if (!from) {
    reasons.push('no From address');
    return verdict('other', matchSentEmail(message, ctx, false));
  }
  const own = isFromOwnOrg(from, ctx);
  if (own) {
    reasons.push(own, 'messages from the rep, teammates or the org are never replies');
    return verdict('other', null, { fromOwnOrg: true });
  }
  const auto = autoReplyReasons(message);
  const listMarker = auto.length === 0 ? isBulk(message) : null;
  // A group or list member answering our email in its thread is a person replying, list headers or not.
  const inThread = listMarker ? matchSentEmail(message, ctx, false) : null;
  if (listMarker && inThread) reasons.push(`${listMarker} ignored: the message answers our email`);
  const bulk = inThread ? null : listMarker;
  const match = inThread ?? matchSentEmail(message, ctx, bulk === null);
  const relation = match ? relationOf(from, match.sent, ctx.freeMailDomains) : null;
  if (relation) reasons.push(`sender is ${relation}`);
  if (auto.length > 0) {
    reasons.push(...auto);
    // Dates without a year are read against the Date the sender's system wrote (when it arrived if
    // there is none, or if the sender's clock is more than a week off).
    const written = message.date === null ? NaN : Date.parse(message.date);
    const sentAt = Math.abs(written - Date.parse(message.receivedAt)) <= 7 * 86_400_000 ? message.date! : message.receivedAt;
    const returnDate = extractReturnDate(message.textBody, sentAt, autoReplyLanguage(message));
    reasons.push(returnDate ? `return date ${returnDate} stated in the text` : 'no return date stated');
    return verdict('auto_reply', match, { relation, returnDate });
  }
  if (bulk) {
    reasons.push(`list or bulk mail: ${bulk}`);
    return verdict('other', match, { relation });
  }
  reasons.push('human reply: no bounce, report, auto-reply or list marker');
  const unsubscribe = unsubscribeRequest(message);
  if (unsubscribe) reasons.push(`asks to stop: unsubscribe request (${unsubscribe.language}, ${unsubscribe.where})`);
  return verdict('reply', match, { relation, unsubscribeRequest: unsubscribe });
}
