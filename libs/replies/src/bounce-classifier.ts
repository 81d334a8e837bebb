import type { BounceFacts, BounceSeverity, InboundMessage } from './reply-verdict';

export type BounceAssessment =
  | { outcome: 'bounce'; bounce: BounceFacts; reasons: string[] }
  /** A delivery report that is not a failure: delayed, delivered, relayed, expanded (RFC 3464 §2.3.3). */
  | { outcome: 'not_failed'; reasons: string[] }
  | { outcome: 'none' };

/** Senders of non-delivery reports (RFC 5321 §4.5.5 null reverse-path; conventional daemon names). */
const DAEMON_SENDER = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|maildelivery|mail\.delivery|nobody|bounce[s]?|microsoftexchange[0-9a-f]*)@/i;

/** Subjects of non-standard bounces from common MTAs and providers, several languages. */
const BOUNCE_SUBJECT = new RegExp(
  [
    '^undeliver(able|ed)',
    'delivery status notification \\((failure|failed)\\)',
    'mail delivery (failed|failure|system)',
    '^failure notice',
    '^returned mail',
    '^delivery (failure|failed|notification: delivery has failed)',
    'undelivered mail returned to sender',
    '^message (not delivered|delivery failure|undeliverable)',
    'could not be delivered',
    '^non[- ]?(remis|delivery|deliverable)',
    '^unzustellbar',
    '^nicht zustellbar',
    '^no se puede entregar',
    '^no entregado',
    '^non recapitabile',
    '^onbestelbaar',
    '^não foi possível entregar',
    '^kan inte levereras',
    '^ikke leveret',
    '^unable to deliver',
    '^mail system error',
    '^warning: could not send message',
  ].join('|'),
  'i',
);

/** Wording of delay notices: the MTA is still trying, nothing has failed yet. */
const DELAY_TEXT = /(\bdelayed \d+ hours|^warning: .*delayed|delivery (status notification \()?delay|still (trying|undelivered)|will (retry|continue trying|keep trying)|has been delayed|delivery (is )?delayed|message (is )?delayed|not yet been delivered)/i;

const FAILURE_TEXT = /(could not be delivered|couldn't be delivered|permanent(ly)? (error|fatal|failure)|delivery (to the following recipient|has) failed|failed permanently|following address(es)? failed|(user|mailbox|recipient|address) (unknown|not found|unavailable|does not exist|doesn't exist|rejected|disabled)|no such (user|mailbox|address)|undeliverable|returned to sender|unrouteable|message not delivered|not delivered|quota exceeded|mailbox (is )?full|over quota|(^|\s)5\d\d[ -]|#5\.\d+\.\d+)/im;

const HARD_TEXT =
  /(user unknown|unknown user|no such (user|mailbox|recipient|address)|(user|mailbox|recipient|address|account) (not found|unknown|does not exist|doesn't exist|is unknown|unavailable|disabled|inactive|deactivated|has been disabled|is disabled|no longer (exists|active|available))|not a valid (mailbox|recipient)|invalid (recipient|mailbox|address)|recipient address rejected|address rejected|no mailbox|not our customer|unrouteable address|host (or domain name )?not found|domain (not found|does not exist)|no mx|name service error|has moved|no longer (with|at|employed)|(does not|doesn't) have an? [\w.-]* ?account|account (has been )?(disabled|discontinued|terminated|deleted)|unknown (local part|recipient)|mailbox unavailable|account (has been )?(closed|suspended|expired)|desconocid[oa]|no existe|inexistente|unbekannt|existiert nicht|inconnue?|n'existe pas|sconosciut[oa]|non esiste|onbekend|bestaat niet|desconhecid[oa]|não existe|okänd|finns inte|casilla ha expirado)/i;

/**
 * Transient wording. "exceeds … size/limit" is not in this pattern: as `exceeds .*(size|limit)` it made
 * every "exceeds" rescan the rest of its line (quadratic on a line of them); exceedsWording finds it.
 */
const SOFT_TEXT =
  /(mailbox (is )?full|over ?quota|quota (usage )?exceeded|retry timeout exceeded|mailbox lleno|postfach (ist )?voll|boîte (aux lettres )?pleine|casella piena|caixa (postal )?cheia|exceeded (the )?(storage|quota)|insufficient (storage|disk)|too (large|big)|size limit|message size|spam|blocked|blacklist|block ?list|denylist|policy|reputation|rate limit|too many (messages|connections|recipients)|try (again )?later|temporar(y|ily)|greylist|expired|timed? out|delivery time|could not connect|connection (refused|timed out)|dns (error|failure)|unable to connect)/i;

const EXCEEDS = /exceeds /gi;
/** From just after "exceeds " to the end of the last "size" or "limit" on its line (`.` stops at a line end). */
const TO_LAST_SIZE_OR_LIMIT = /.*(size|limit)/iy;
const LINE_END = /[\n\r\u2028\u2029]/g;

/**
 * What `exceeds .*(size|limit)` matched, in one pass over the text: only the first "exceeds " of a line
 * needs to look at the rest of it, a later one on the same line sees less of it.
 */
function exceedsWording(text: string): { index: number; wording: string } | null {
  let lineEnd = -1;
  for (const m of text.matchAll(EXCEEDS)) {
    if (m.index < lineEnd) continue;
    TO_LAST_SIZE_OR_LIMIT.lastIndex = m.index + m[0].length;
    const rest = TO_LAST_SIZE_OR_LIMIT.exec(text);
    if (rest) return { index: m.index, wording: m[0] + rest[0] };
    LINE_END.lastIndex = m.index;
    lineEnd = LINE_END.exec(text)?.index ?? text.length;
  }
  return null;
}

/** The leftmost transient wording, as one pattern holding both parts finds it (no other part starts with "exceeds "). */
function softWording(text: string): string | null {
  const other = SOFT_TEXT.exec(text);
  const exceeds = exceedsWording(text);
  if (exceeds !== null && (other === null || exceeds.index < other.index)) return exceeds.wording;
  return other?.[0] ?? null;
}

/** RFC 3463 enhanced status codes, classified by what a sender should do next. */
function severityOfEnhancedCode(code: string): BounceSeverity | null {
  if (code.startsWith('4.')) return 'soft';
  if (!code.startsWith('5.')) return null;
  const [, subject, detail] = code.split('.');
  if (subject === '1') return 'hard'; // addressing: bad mailbox, bad domain, moved (5.1.6), Microsoft's 5.1.10 RecipientNotFound
  if (subject === '2') return detail === '1' ? 'hard' : 'soft'; // 5.2.1 disabled; 5.2.2 full; 5.2.3 too large
  if (subject === '3') return 'soft'; // mail system: full, too large, not accepting (mostly transient in practice)
  if (subject === '4') return detail === '1' || detail === '4' ? 'hard' : 'soft'; // 5.4.1 no answer/access denied (O365 unknown recipient), 5.4.4 unroutable; 5.4.7 expired
  if (subject === '5') return 'soft'; // protocol
  if (subject === '6') return 'soft'; // content conversion
  if (subject === '7') return 'soft'; // security and policy: spam blocks, authentication
  return null;
}

export function bounceSeverity(status: string | null, diagnostic: string | null): { severity: BounceSeverity; code: string | null; why: string } {
  const text = diagnostic ?? '';
  const soft = softWording(text);
  // An enhanced code is class.subject.detail with a one-digit subject; "4.79.181.168" is an IP address.
  const enhanced = status && /^[245]\.\d{1,3}\.\d{1,3}$/.test(status) ? status : (/(?<![\d.])([45]\.[0-7]\.\d{1,3})(?!\d|\.\d)/.exec(text)?.[1] ?? null);
  // X.Y.0 is "other or undefined" within its subject (RFC 3463 §3): the diagnostic words say more.
  const generic = enhanced === null || /^[45]\.\d\.0$/.test(enhanced);
  if (generic && enhanced !== null && !enhanced.startsWith('4.')) {
    if (HARD_TEXT.test(text)) return { severity: 'hard', code: enhanced, why: `status ${enhanced}, diagnostic says "${HARD_TEXT.exec(text)?.[0]}"` };
    if (soft !== null) return { severity: 'soft', code: enhanced, why: `status ${enhanced}, diagnostic says "${soft}"` };
  }
  if (!generic) {
    const bySpec = severityOfEnhancedCode(enhanced);
    // 5.7.1 is both "spam blocked" and, at some servers, "no such recipient": let the words decide.
    if (bySpec === 'soft' && enhanced.startsWith('5.7.') && HARD_TEXT.test(text) && !/spam|blocked|policy/i.test(text)) {
      return { severity: 'hard', code: enhanced, why: `status ${enhanced} with an unknown-recipient diagnostic` };
    }
    if (bySpec) return { severity: bySpec, code: enhanced, why: `status ${enhanced}` };
  }
  if (enhanced?.startsWith('4.') || /(^|\D)4[2-5]\d[ -]/.test(text)) return { severity: 'soft', code: enhanced, why: 'transient failure (4xx)' };
  if (soft !== null && !HARD_TEXT.test(text)) return { severity: 'soft', code: enhanced, why: `diagnostic says "${soft}"` };
  if (HARD_TEXT.test(text)) return { severity: 'hard', code: enhanced, why: `diagnostic says "${HARD_TEXT.exec(text)?.[0]}"` };
  if (/(^|\D)552[ -]/.test(text)) return { severity: 'soft', code: enhanced, why: '552 storage exceeded' };
  return { severity: 'hard', code: enhanced, why: 'permanent failure without a more specific reason' };
}

/** The part of a non-standard bounce that explains the failure: before the returned copy of the message. */
function explanationOf(body: string): string {
  // "--.*", not "-{2,}.*": both match the same lines, but the second splits a run of dashes every
  // possible way between its two parts, quadratic on one long line of dashes (issue 10: 1.6 s on
  // 32 KiB; 0.5 s on our 2-core test machine).
  const cut = body.search(/^(--.*(original message|copy of the message|returned message|message header|below this line).*|Return-Path:.*|Received:.*)$/im);
  return (cut === -1 ? body : body.slice(0, cut)).slice(0, 8000);
}

function recipientIn(text: string, failedHeader: string | null): string | null {
  if (failedHeader) return failedHeader.split(',')[0]!.trim() || null;
  // The lookbehind starts an address only where a run of local-part characters starts: from inside the
  // run it would reach the same "@" (or fail the same way), so a long run without one stays linear.
  return /(?<![A-Za-z0-9._%+'-])([A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/.exec(text)?.[1] ?? null;
}

/** Bounces first: Office 365 NDRs also carry Auto-Submitted, and a bounce must never count as a reply. */
export function assessBounce(message: InboundMessage): BounceAssessment {
  const isDeliveryReport = /delivery-status/i.test(message.reportType ?? '') || message.deliveryStatus.length > 0;
  if (isDeliveryReport && message.deliveryStatus.length > 0) {
    const failed = message.deliveryStatus.filter((d) => (d.action ?? '').trim().toLowerCase() === 'failed');
    if (failed.length === 0) {
      const actions = [...new Set(message.deliveryStatus.map((d) => (d.action ?? 'none').toLowerCase()))].join(', ');
      return { outcome: 'not_failed', reasons: [`RFC 3464 report without a failed recipient (Action: ${actions})`] };
    }
    const first = failed[0]!;
    const diagnostic = [first.diagnosticCode, explanationOf(message.textBody ?? '')].filter(Boolean).join('\n');
    const { severity, code, why } = bounceSeverity(first.status, diagnostic);
    return {
      outcome: 'bounce',
      bounce: { severity, statusCode: code ?? first.status, recipient: first.finalRecipient, diagnostic: first.diagnosticCode ?? explanationOf(message.textBody ?? '').trim().slice(0, 2000) },
      reasons: [`RFC 3464 report: Action failed for ${first.finalRecipient ?? 'a recipient'}`, `${severity} bounce: ${why}`],
    };
  }
  const from = message.from?.address ?? '';
  const subject = message.subject ?? '';
  const nullSender = (message.autoReplyMarkers.returnPath ?? '').replace(/\s/g, '') === '<>';
  const daemon = DAEMON_SENDER.test(from);
  const failedHeader = message.autoReplyMarkers.xFailedRecipients;
  const bySubject = BOUNCE_SUBJECT.test(subject);
  const explanation = explanationOf(message.textBody ?? '');
  const reasons: string[] = [];
  if (failedHeader) reasons.push(`X-Failed-Recipients: ${failedHeader}`);
  if (daemon) reasons.push(`sender ${from} is a mail system`);
  if (bySubject) reasons.push(`bounce subject "${subject.slice(0, 80)}"`);
  if (nullSender) reasons.push('null reverse-path (Return-Path: <>)');
  if (isDeliveryReport) reasons.push('multipart/report delivery-status without per-recipient fields');
  const signals = (failedHeader ? 2 : 0) + (daemon ? 1 : 0) + (bySubject ? 1 : 0) + (isDeliveryReport ? 2 : 0);
  const fromMailSystem = signals > 0 || nullSender;
  if (fromMailSystem && !failedHeader && (DELAY_TEXT.test(subject) || (DELAY_TEXT.test(explanation) && !FAILURE_TEXT.test(explanation)))) {
    return { outcome: 'not_failed', reasons: [...reasons, 'delay notice: the server is still retrying'] };
  }
  if (signals === 0 || (signals === 1 && !FAILURE_TEXT.test(explanation))) return { outcome: 'none' };
  if (!failedHeader && (DELAY_TEXT.test(subject) || (DELAY_TEXT.test(explanation) && !FAILURE_TEXT.test(explanation)))) {
    return { outcome: 'not_failed', reasons: [...reasons, 'delay notice: the server is still retrying'] };
  }
  if (!failedHeader && !FAILURE_TEXT.test(explanation) && !bySubject) return { outcome: 'none' };
  const { severity, code, why } = bounceSeverity(null, explanation);
  return {
    outcome: 'bounce',
    bounce: { severity, statusCode: code, recipient: recipientIn(explanation, failedHeader), diagnostic: explanation.trim().slice(0, 2000) || null },
    reasons: [...reasons, `${severity} bounce: ${why}`],
  };
}
