import type { InboundMessage, MatchRule, Relation, ReplyVerdict, SentEmailRecord } from './reply-verdict';

export interface DetectionContext {
  /** The connected mailbox (the rep). */
  mailboxAddress: string;
  freeMailDomains: ReadonlySet<string>;
  /** Sent emails whose Message-ID is one of `ids` (any order); scoped to the org by the caller. */
  sentByMessageIds: ReadonlyMap<string, SentEmailRecord>;
  /** Sent emails in the provider thread of the inbound message, newest first. */
  sentInProviderThread: readonly SentEmailRecord[];
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** All msg-ids an inbound message refers to, strongest evidence first (RFC 5322 §3.6.4). */
export function referencedMessageIds(message: InboundMessage): { id: string; rule: MatchRule }[] {
  const seen = new Set<string>();
  const out: { id: string; rule: MatchRule }[] = [];
  for (const id of message.inReplyTo) if (!seen.has(id)) seen.add(id) && out.push({ id, rule: 'in_reply_to' });
  // References lists the thread oldest first; the most recent ancestors are the better evidence.
  for (const id of [...message.references].reverse()) if (!seen.has(id)) seen.add(id) && out.push({ id, rule: 'references' });
  return out;
}

function match(message: InboundMessage, ctx: DetectionContext): { sent: SentEmailRecord; rule: MatchRule; messageId: string } | null {
  for (const { id, rule } of referencedMessageIds(message)) {
    const sent = ctx.sentByMessageIds.get(id);
    if (sent) return { sent, rule, messageId: id };
  }
  const byThread = ctx.sentInProviderThread[0];
  if (byThread) return { sent: byThread, rule: 'provider_thread', messageId: byThread.messageId };
  return null;
}

/** Who replied, relative to the email we sent. Free-mail domains never make colleagues. */
export function relationOf(from: string, sent: SentEmailRecord, freeMail: ReadonlySet<string>): Relation {
  const address = from.toLowerCase();
  if (sent.to.some((a) => a.toLowerCase() === address)) return 'prospect';
  if (sent.cc.some((a) => a.toLowerCase() === address)) return 'cc';
  const domain = domainOf(address);
  if (!freeMail.has(domain) && sent.to.some((a) => domainOf(a) === domain)) return 'colleague';
  return 'other';
}

/** RFC 3463 enhanced status: class 5 is permanent, class 4 transient. */
function bounceSeverity(status: string | null, diagnostic: string | null): 'hard' | 'soft' {
  const code = status ?? /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(diagnostic ?? '')?.[1] ?? null;
  if (code?.startsWith('4')) return 'soft';
  if (code && /^5\.(2\.2|3\.4|7\.\d+)$/.test(code)) return 'soft'; // mailbox full, too large, policy: may pass later
  return 'hard';
}

function autoReplyReasons(message: InboundMessage): string[] {
  const m = message.autoReplyMarkers;
  const reasons: string[] = [];
  // RFC 3834 §5: any Auto-Submitted value other than "no" marks an automatic message.
  if (m.autoSubmitted && m.autoSubmitted.trim().toLowerCase() !== 'no') reasons.push(`Auto-Submitted: ${m.autoSubmitted.trim()}`);
  if (m.xAutoreply) reasons.push('X-Autoreply header');
  if (m.xAutorespond) reasons.push('X-Autorespond header');
  if (m.precedence && /auto_reply/i.test(m.precedence)) reasons.push(`Precedence: ${m.precedence}`);
  if (m.xMsExchangeAutoReply) reasons.push('Exchange auto-reply marker');
  if (/^(automatic reply|auto(matic)?[- ]?reply|out of (the )?office|abwesenheitsnotiz|réponse automatique)\b/i.test(message.subject ?? '')) {
    reasons.push('auto-reply subject');
  }
  return reasons;
}

/**
 * Decides what an inbound message is to us, pure over plain data. Bounces are checked first
 * (Office 365 bounces also carry Auto-Submitted), then auto-replies, then human replies.
 */
export function detectReply(message: InboundMessage, ctx: DetectionContext): ReplyVerdict {
  const reasons: string[] = [];
  const none = { sent: null, matchedBy: null, matchedMessageId: null, relation: null, bounce: null };
  const from = message.from?.address.toLowerCase() ?? null;
  const mailboxDomain = domainOf(ctx.mailboxAddress);
  if (from && from === ctx.mailboxAddress.toLowerCase()) {
    return { kind: 'ignored', ...none, reasons: ['sent by the mailbox owner'] };
  }
  if (from && domainOf(from) === mailboxDomain && !ctx.freeMailDomains.has(mailboxDomain)) {
    return { kind: 'ignored', ...none, reasons: [`sent from the org's own domain ${mailboxDomain}`] };
  }

  const isDeliveryReport = /delivery-status/i.test(message.reportType ?? '');
  const failed = message.deliveryStatus.filter((d) => (d.action ?? '').toLowerCase() === 'failed');
  const enclosedId = message.enclosedOriginal?.messageId ?? null;
  const matched = match(
    enclosedId && !message.inReplyTo.includes(enclosedId) ? { ...message, inReplyTo: [enclosedId, ...message.inReplyTo] } : message,
    ctx,
  );
  if (!matched) return { kind: 'unmatched', ...none, reasons: ['no In-Reply-To, References or thread id of an email we sent'] };
  reasons.push(`matched ${matched.messageId} by ${matched.rule}`);
  const base = { sent: matched.sent, matchedBy: matched.rule, matchedMessageId: matched.messageId };

  if (isDeliveryReport) {
    if (failed.length === 0) {
      return { kind: 'other', ...base, relation: null, bounce: null, reasons: [...reasons, 'delivery report without a failed recipient (delayed/delivered/relayed)'] };
    }
    const first = failed[0]!;
    const severity = bounceSeverity(first.status, first.diagnosticCode);
    return {
      kind: 'bounce',
      ...base,
      relation: null,
      bounce: { severity, statusCode: first.status, recipient: first.finalRecipient, diagnostic: first.diagnosticCode },
      reasons: [...reasons, `RFC 3464 report: Action failed, Status ${first.status ?? 'unknown'} (${severity})`],
    };
  }
  if (/disposition-notification/i.test(message.reportType ?? '')) {
    return { kind: 'other', ...base, relation: null, bounce: null, reasons: [...reasons, 'read receipt (RFC 8098)'] };
  }
  if (!from) return { kind: 'other', ...base, relation: null, bounce: null, reasons: [...reasons, 'no From address'] };
  const relation = relationOf(from, matched.sent, ctx.freeMailDomains);
  reasons.push(`sender is ${relation}`);
  const auto = autoReplyReasons(message);
  if (auto.length > 0) return { kind: 'auto_reply', ...base, relation, bounce: null, reasons: [...reasons, ...auto] };
  if (message.listId || /^(bulk|list|junk)$/i.test(message.autoReplyMarkers.precedence?.trim() ?? '')) {
    return { kind: 'other', ...base, relation, bounce: null, reasons: [...reasons, 'list or bulk mail'] };
  }
  return { kind: 'reply', ...base, relation, bounce: null, reasons: [...reasons, 'human reply'] };
}
