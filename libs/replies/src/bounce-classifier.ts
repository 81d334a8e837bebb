import { failureCause, type FailureCause } from './bounce-reason';
import type { BounceFacts, InboundMessage } from './reply-verdict';

export type BounceAssessment =
  | { outcome: 'bounce'; bounce: BounceFacts; reasons: string[] }
  /** A delivery report that is not a failure: delayed, delivered, relayed, expanded (RFC 3464 §2.3.3). */
  | { outcome: 'not_failed'; reasons: string[] }
  | { outcome: 'none' };

/**
 * Senders of non-delivery reports (RFC 5321 §4.5.5 null reverse-path; the daemon names MTAs use), and
 * the owner/admin/bounce addresses of mailing-list managers (Mailman, fml, Sympa, ezmlm, Majordomo).
 */
const DAEMON_SENDER =
  /^(?:mailer-daemon|mailer_daemon|postmaster|mail-daemon|mailerdaemon|maildelivery|mail\.delivery|mdaemon|mail-router|nobody|bounces?|microsoftexchange[0-9a-f]*|sympa|listserv|majordomo|mailman|fml)(?:@|$)|^[^@\s]+-(?:owner|admin|bounces|request|errors)@|^bounces?[+-]/i;

/** Display names of those senders, for servers that send from an ordinary-looking address. */
const DAEMON_NAME = /mail delivery (?:subsystem|system)|mailer[- ]daemon|mail router|system administrator|internet mail delivery|mail administrator|postmaster|courier mail server|mdaemon|bounce/i;

/** Subjects of non-standard bounces from common MTAs, providers and list managers, several languages. */
const BOUNCE_SUBJECT = new RegExp(
  [
    '^(?:\\S+ )?undeliver(?:able|ed)',
    'delivery status notification(?! \\((?:delay|success|relay)\\))',
    'mail delivery (?:failed|failure|system|problem)',
    'failure notice',
    '^returned mail',
    '^(?:permanent )?delivery (?:failure|failed|notification)',
    'undelivered mail',
    '^message (?:not delivered|delivery failure|undeliverable|status - undeliverable)',
    'could not be delivered',
    '^non[- ]?(?:remis|delivery|deliverable|recapitabile)',
    '^unzustellbar',
    '^nicht zustellbar',
    '^no se puede entregar',
    '^no entregado',
    '^mancata consegna',
    '^onbestelbaar',
    '^não foi possível entregar',
    '^kan inte levereras',
    '^ikke leveret',
    '^unable to deliver',
    '^mail system error',
    '^warning: could not send message',
    'notice: mail delivery status',
    'delivery notification: delivery has failed',
    'fml system (?:error )?message',
    '\\(rejected\\)$',
    '^request to mailing list .{0,100} rejected',
    '^auto-response for your message to',
    '^message rejected',
    "notification d'état de remise \\((?:échec|echec)\\)",
    'notificación de estado de entrega \\(error\\)',
    '^não (?:é possível entregar|entregue)',
    '^olevererbar',
    '^kan ikke leveres',
    '^ei voitu toimittaa',
    '^(?:niedostarczalne|nie można dostarczyć)',
    '^nedoručiteln',
    '^kézbesíthetetlen',
    '^(?:недоставлен|не удается доставить|не удалось доставить)',
    '^teslim edilemedi',
    '^배달 못 함',
    '^(?:无法投递|無法傳遞|无法传递)',
    '配信(?:エラー|不能|失敗)',
    '送信エラー',
    '^退信',
    '전송 실패',
    '^returned mail',
  ].join('|'),
  'i',
);

/** Wording of delay notices: the MTA is still trying, nothing has failed yet. */
const DELAY_TEXT = /(\bdelayed \d+ hours|^warning: .*delayed|delivery (status notification \()?delay|still (trying|undelivered)|will (retry|continue trying|keep trying)|has been delayed|delivery (is )?delayed|message (is )?delayed|not yet been delivered)/i;

/** What a delay notice says that a final failure never does. */
const STILL_TRYING = /this is a warning only|do not need to resend your message(?! to this address)|will (?:be )?retr(?:y|ied)(?! (?:later|again later))|will (?:continue|keep) (?:to )?try|still (?:trying|being retried)|no action is required|delivery incomplete/i;

/** What only a final failure says. */
const FINAL_FAILURE = /permanent(?:ly)?\b|fatal|has (?:now )?(?:expired|failed)|have (?:now )?given up|giving up|will not (?:be )?(?:retried|redeliver)|(?:deleted|removed) from (?:the )?(?:mail )?queue|was not delivered|failed permanently/i;

const FAILURE_TEXT = new RegExp(
  [
    "could(?: not|n't) be (?:delivered|reached)",
    'cannot be delivered',
    'can\'t be delivered',
    'was not delivered',
    'wasn\'t delivered',
    'not delivered',
    'did not reach',
    'permanent(?:ly)? (?:fatal )?(?:error|failure)',
    'delivery (?:to the following recipients? )?(?:has )?failed',
    'failed permanently',
    'following address(?:es)? failed',
    'unable to deliver',
    '(?:was not|wasn\'t|were not) able to deliver',
    'undeliverable',
    'undelivered',
    'returned to sender',
    'unrouteable',
    'delivery failure',
    'error delivering',
    '(?:was|has been|is) rejected',
    '\\brejected\\b',
    'not a member',
    '(?:user|mailbox|recipient|address) (?:unknown|not found|unavailable|does not exist|doesn\'t exist|disabled)',
    'unknown (?:user|recipient|address|mailbox)',
    'invalid (?:recipient|address|mailbox)',
    '^action: *failed',
    'no such (?:user|mailbox|address)',
    'quota exceeded',
    'mailbox (?:is )?full',
    'over quota',
    'could not deliver',
    'not be delivered',
    'could(?: not|n\'t) be sent',
    'failed to deliver',
    'did not receive this message',
    'delivery (?:was )?unsuccessful',
    'message could not',
    'konnte nicht zugestellt',
    'zustellung .{0,40}fehlgeschlagen',
    "n'a pas pu être (?:remis|délivré)",
    'non è stato recapitato',
    'no se ha podido entregar',
    'não (?:foi possível entregar|pôde ser entregue)',
    '配信できませんでした',
    '届きませんでした',
    '送信できませんでした',
    '配送ができませんでした',
    '無法送達|无法送达|无法投递|無法傳遞',
    'nicht zugestellt',
    'non remis',
    'no (?:se )?pudo (?:ser )?entregar',
    'não (?:pôde|foi) (?:ser )?entregue',
    'kon niet (?:worden )?(?:bezorgd|afgeleverd)',
    'kunde inte levereras',
    'kunne ikke leveres',
    'nie (?:można|mógł|została|udało się) dostarcz',
    'недоставлен|не (?:удалось|может быть) достав',
    'teslim edilemedi',
    '배달하지 못',
    '전송하지 못했습니다',
    '(?:^|\\s)5\\d\\d[ -]',
    '#5\\.\\d+\\.\\d+',
  ].join('|'),
  'im',
);

/** Severity, reason and the status code that applies, of one failure; `diagnostic` is all its wording. */
export function bounceSeverity(status: string | null, diagnostic: string | null): FailureCause {
  return failureCause(status, [diagnostic ?? '']);
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

/** RFC 3464 §2.3.3 actions that are not a failure; some MTAs leave Action out or misspell it, then the Status class decides. */
const NOT_FAILED_ACTIONS = new Set(['delayed', 'delivered', 'relayed', 'expanded']);

function isFailedRecipient(recipient: { action: string | null; status: string | null }): boolean {
  const action = (recipient.action ?? '').trim().toLowerCase();
  if (action.startsWith('fail')) return true;
  if (NOT_FAILED_ACTIONS.has(action)) return false;
  return !/^[24]\./.test(recipient.status ?? '');
}

/** A delay notice: the subject says so, or the text says the server is still trying and nothing says it gave up. */
function isDelayNotice(subject: string, explanation: string): boolean {
  if (FINAL_FAILURE.test(subject) || FINAL_FAILURE.test(explanation)) return false;
  return DELAY_TEXT.test(subject) || STILL_TRYING.test(explanation) || (DELAY_TEXT.test(explanation) && !FAILURE_TEXT.test(explanation));
}

/** Bounces first: Office 365 NDRs also carry Auto-Submitted, and a bounce must never count as a reply. */
export function assessBounce(message: InboundMessage): BounceAssessment {
  const isDeliveryReport = /delivery-status/i.test(message.reportType ?? '') || message.deliveryStatus.length > 0;
  if (isDeliveryReport && message.deliveryStatus.length > 0 && (message.deliveryStatus.some(isFailedRecipient) || !message.autoReplyMarkers.xFailedRecipients)) {
    const failed = message.deliveryStatus.filter(isFailedRecipient);
    if (failed.length === 0) {
      const actions = [...new Set(message.deliveryStatus.map((d) => (d.action ?? 'none').toLowerCase()))].join(', ');
      return { outcome: 'not_failed', reasons: [`RFC 3464 report without a failed recipient (Action: ${actions})`] };
    }
    const first = failed[0]!;
    const explanation = explanationOf(message.textBody ?? '');
    const { severity, reason, code, why } = failureCause(first.status, [first.diagnosticCode ?? '', explanation]);
    return {
      outcome: 'bounce',
      bounce: { severity, reason, statusCode: code ?? first.status, recipient: first.finalRecipient, diagnostic: first.diagnosticCode ?? (explanation.trim().slice(0, 2000) || null) },
      reasons: [`RFC 3464 report: Action failed for ${first.finalRecipient ?? 'a recipient'}`, `${severity} bounce, ${why}`],
    };
  }
  const from = message.from?.address ?? '';
  const subject = message.subject ?? '';
  const returnPath = (message.autoReplyMarkers.returnPath ?? '').replace(/\s/g, '');
  const nullSender = returnPath === '<>' || /^<?(?:mailer-daemon|postmaster)(?:@|>|$)/i.test(returnPath);
  const daemon = DAEMON_SENDER.test(from) || DAEMON_NAME.test(message.from?.name ?? '') || message.from === null;
  const failedHeader = message.autoReplyMarkers.xFailedRecipients;
  const bySubject = BOUNCE_SUBJECT.test(subject);
  const explanation = explanationOf(message.textBody ?? '');
  const reasons: string[] = [];
  if (failedHeader) reasons.push(`X-Failed-Recipients: ${failedHeader}`);
  if (daemon) reasons.push(message.from ? `sender ${from} is a mail system` : 'no From: a mail system');
  if (bySubject) reasons.push(`bounce subject "${subject.slice(0, 80)}"`);
  if (nullSender) reasons.push('null reverse-path (Return-Path: <>)');
  if (isDeliveryReport) reasons.push('multipart/report delivery-status without per-recipient fields');
  const strong = failedHeader !== null || isDeliveryReport || (daemon && bySubject);
  const weak = daemon || bySubject || nullSender;
  let cause: FailureCause | null = null;
  const causeOfText = (): FailureCause => (cause ??= failureCause(null, [explanation]));
  // From a mail system, wording that names why a delivery failed is a failure, whatever else the text says.
  const failureWords = FAILURE_TEXT.exec(explanation)?.[0] ?? (daemon && nullSender && causeOfText().reason !== 'other' ? causeOfText().why : null);
  if (!strong && !weak) return { outcome: 'none' };
  if (!failedHeader && isDelayNotice(subject, explanation)) {
    return { outcome: 'not_failed', reasons: [...reasons, 'delay notice: the server is still retrying'] };
  }
  if (!strong && failureWords === null) return { outcome: 'none' };
  if (failureWords !== null) reasons.push(`failure wording "${failureWords.trim()}"`);
  const { severity, reason, code, why } = causeOfText();
  return {
    outcome: 'bounce',
    bounce: { severity, reason, statusCode: code, recipient: recipientIn(explanation, failedHeader), diagnostic: explanation.trim().slice(0, 2000) || null },
    reasons: [...reasons, `${severity} bounce, ${why}`],
  };
}
