import type { InboundMessage, SentEmailRecord } from './reply-verdict';

/** A complaint about an email we sent, read from a feedback report. */
export interface FeedbackReport {
  /** Who complained (lower-cased), always one of the email's recipients. */
  recipient: string;
  /** RFC 5965 §3.1 Feedback-Type (abuse, fraud, virus, other…), lower-cased, when the report says it. */
  feedbackType: string | null;
}

const ADDRESS = /<?([^\s<>@,;"]+@[^\s<>@,;"]+)>?/g;

/**
 * Whether the message is a feedback (complaint) report: RFC 5965 ARF (`multipart/report;
 * report-type=feedback-report`), or a pre-ARF feedback loop's (Outlook.com JMRP…) by its subject.
 */
export function isFeedbackReport(message: Pick<InboundMessage, 'reportType' | 'subject'>): boolean {
  if ((message.reportType ?? '').toLowerCase().includes('feedback-report')) return true;
  return /^(complaint about message|abuse report|spam (complaint|report)|feedback report)/i.test(message.subject ?? '');
}

/**
 * The complaint a feedback report makes about `sent` (the email it was matched to), or null when
 * the message is no such report. The complainer is the report's Original-Rcpt-To (RFC 5965 §3.2)
 * or a recipient named in the enclosed original's To, when either is one of the email's recipients;
 * otherwise the email's only To. Providers often redact the recipient, hence the fallback.
 */
export function feedbackReportOf(message: InboundMessage, sent: SentEmailRecord | null): FeedbackReport | null {
  if (!sent || !isFeedbackReport(message)) return null;
  const recipients = new Set([...sent.to, ...sent.cc].map((a) => a.toLowerCase()));
  const text = (message.textBody ?? '').slice(0, 16_000);
  const named = [
    ...[...text.matchAll(/^Original-Rcpt-To:[ \t]*(.{1,400})$/gim)].flatMap((m) => addressesIn(m[1]!)),
    ...addressesIn(message.enclosedOriginal?.to ?? ''),
  ];
  const recipient = named.find((a) => recipients.has(a)) ?? (sent.to.length === 1 ? sent.to[0]!.toLowerCase() : null);
  if (!recipient) return null;
  const feedbackType = /^Feedback-Type:[ \t]*([A-Za-z][A-Za-z0-9-]{0,49})/im.exec(text)?.[1]?.toLowerCase() ?? null;
  return { recipient, feedbackType };
}

function addressesIn(value: string): string[] {
  return [...value.slice(0, 4000).matchAll(ADDRESS)].map((m) => m[1]!.toLowerCase().replace(/^rfc822;\s*/, ''));
}
