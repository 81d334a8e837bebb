import type { BounceReason } from '@telltale/contracts';
import type { BounceSeverity } from './reply-verdict';

/**
 * Why a delivery failed, from its status codes and wording (issue 15). Hard means the address itself
 * is gone: these four reasons, and only when the server did not call the failure temporary (4xx).
 * Everything else is soft whatever its status: the address is still good.
 *
 * Every pattern here runs on text any sender controls: no unbounded quantifier follows another that
 * can match the same characters, so each is linear in the text (see test/hostile-input.test.ts).
 */
export const HARD_BOUNCE_REASONS: ReadonlySet<BounceReason> = new Set<BounceReason>(['user_unknown', 'host_unknown', 'has_moved', 'not_accept']);

interface WordingRule {
  reason: BounceReason;
  pattern: RegExp;
}

/**
 * Wording specific enough to decide alone, in priority order: the first rule that matches wins. The
 * soft causes come before the hard ones because a rejection quotes the address it refused ("550 5.7.1
 * <pat@buyer.com>: Relay access denied"), and a spam or policy rejection often says "rejected" or
 * "mailbox unavailable" too; the words naming the cause are the ones to trust.
 */
const SPECIFIC: readonly WordingRule[] = [
  {
    reason: 'virus_detected',
    pattern: /(?<!anti-?)\b(?:virus|malware|trojan|worm)\b(?! ?(?:scan|check|free|protection))|\binfected\b|\beicar\b|potential security issue|phishing (?:content|detected|url)/i,
  },
  {
    reason: 'rate_limited',
    pattern:
      /too many (?:(?:concurrent|simultaneous|smtp|open|parallel) ){0,2}(?:connections|messages|recipients|sessions|mails|emails|e-mails|errors)|\brate[ -]?limit|\bthrottl|slow down|sending (?:limit|quota|rate)|(?:message|receive|receiving|hourly|daily) (?:receive )?(?:limit|quota) (?:\w+ ){0,4}(?:exceeded|reached)|(?:limit|quota) (?:\w+ ){0,3}(?:per|an?|each) (?:hour|day|minute)|excessive (?:volume|number)|unusual rate|(?:too quickly|at a rate that)|(?:daily|hourly|relay|sending|connection|submission) (?:\w+ ){0,2}(?:limit|quota) (?:\w+ ){0,2}(?:exceeded|reached)|(?:daily|hourly) limit|reached (?:your|the) (?:\w+ ){0,3}limit|mail flood|temporarily deferred due to|\[TS0\d\]/i,
  },
  {
    reason: 'mailbox_full',
    pattern:
      /(?:mail ?box|mailfolder|mail ?file|inbox|postfach|account|user|disk|storage)(?: \w+){0,3} (?:is |are )?(?:full|over (?:the (?:allowed )?)?quota|out of (?:storage|space|disk))|(?:mail ?box|mailfolder|inbox|account) (?:\w+ ){0,2}(?:exceeds|exceeded|has exceeded|is over) (?:the |its )?(?:\w+ ){0,2}(?:size|quota|limit|storage)|mailbox (?:is )?full|\bover ?quota\b|quota (?:usage |limit )?(?:exceeded|reached|full)|exceeded (?:its |the |their )?(?:storage|quota|mailbox)|exceeded storage allocation|insufficient (?:mailbox )?storage\b(?! system)|out of storage space|storage space|quotaexceeded|mailbox size limit|size of (?:the )?mailbox|boîte (?:aux lettres |de réception )?(?:est )?pleine|postfach (?:ist )?voll|buzón (?:\S+ ){0,3}(?:está )?lleno|casella (?:di posta )?piena|caixa (?:postal )?(?:está )?cheia|容量(?:が|を)?(?:いっぱい|超過|オーバー)|メールボックスが(?:いっぱい|満杯)|邮箱(?:已满|空间不足)|사서함이 (?:가득|꽉)/i,
  },
  {
    reason: 'expired',
    pattern:
      /retry time(?:out)? (?:not reached|exceeded)|(?:message|delivery|queue)(?: time)? (?:has )?(?:expired|timed out)|message expired|expired after|(?:delivery|retry) time (?:expired|exceeded|limit)|in the queue too long|queue too long|been (?:in the queue|failing) (?:for )?(?:too long|a long time)|could not (?:be )?deliver(?:ed)? (?:the message )?(?:for|in|within) (?:more than )?(?:\d+|the time limit|two|three|four|five)|cannot send message for \d+|in the time limit|after a long failure period|queue\.expired|did not accept our requests to connect|not reachable within|unable to deliver (?:message )?(?:after|in) (?:\d+|multiple)|(?:delay(?:ed)?|retr(?:y|ies|ied)).{0,60}\b(?:has )?(?:now )?(?:expired|given up)|tried to deliver.{0,60}for (?:\d+|two|three|four|five) (?:days|hours)|giving up after/i,
  },
  {
    reason: 'auth_failure',
    pattern:
      /\b(?:dmarc|spf|dkim)\b|sender policy framework|unauthenticated (?:e-?mail|message|mail|sender)|(?:mail|message) is unauthenticated|(?:sender |message )?authentication (?:check )?(?:failed|failure|did not pass)|does not designate|does not pass (?:dmarc|spf|dkim)|(?:sender|domain) (?:\w+ ){0,3}(?:failed|did not pass) (?:verification|authentication)|spoof(?:ed|ing)|(?:client|sender) was not authenticated(?! for)|not authenticated to send|authentication information/i,
  },
  {
    reason: 'relaying_denied',
    pattern:
      /\brelay(?:ing)? (?:access )?(?:is )?(?:denied|not permitted|prohibited|not allowed|refused)|unable to relay|(?:cannot|can't|do not|don't) relay|not (?:permitted|allowed|authori[sz]ed) to relay|unauthori[sz]ed to relay|allowed rcpthosts|use me as a relay|relay not permitted|no relaying|relaying (?:is )?(?:denied|disallowed)/i,
  },
  {
    reason: 'blocked',
    pattern:
      /\b(?:spamhaus|spamcop|sorbs|uceprotect|psbl|spamrats|barracudacentral|dnsbl|rbl|surbl|cbl)\b|\bbl\.|block ?list|black ?list|deny ?list|blocked using|(?<!not )\blisted (?:at|on|in|by)|(?:client|sending|connecting) (?:host|ip|server|mta)(?: address)?(?: \[[^\]\n]{0,60}\])? (?:is )?(?:rejected|blocked|refused|listed|banned|not allowed)|banned sending ip|\b(?:ip|host)(?: address)?(?: \[?[\d.:a-f]{3,45}\]?)? (?:is |has been )?(?:blocked|blacklisted|listed|banned|rejected)|reputation|reverse (?:dns|hostname|lookup)|\bptr\b|not (?:allowed|permitted) to send from|connections? (?:will not be|not) accepted from|messages from \[?[\d.]+\]? weren't sent|part of their network|mail from \[?[\d.]+\]? refused|\(S3\d{3}\)|\bRLY:|\b(?:your|the sending) (?:ip|server|mta|network)\b(?! ?(?:admin|provider|support|team|help))|rejected (?:due to|because of) (?:your|the sending) ip|envelope blocked|(?:ip|address) you(?:'re| are) using|traffic not accepted from/i,
  },
  {
    reason: 'spam_detected',
    pattern: /\bspam\b|\bspams\b|unsolicited|\bjunk ?(?:mail|e-?mail)?\b|\buce\b|bulk (?:e-?mail|mail)|content (?:filter|scanner)|spam ?score|looks like spam|phish/i,
  },
  {
    reason: 'policy_violation',
    pattern:
      /\bsender\b.{0,40}(?:rejected|refused|denied|not allowed|not found|does not exist|doesn't exist|unknown|must (?:exist|resolve)|verif)|domain of sender|unverified sender|polic(?:y|ies)|not (?:allowed|authori[sz]ed|permitted) to (?:post|send)|(?:not a member|not subscribed|non-?member)|moderat(?:or|ion)|\blist owner\b|restricted|prohibit|delivery (?:not authori[sz]ed|restriction)|resolver\.rst|not authenticated for (?:the )?group|permission to (?:post|send)|(?:reception|domain|receiving|recipient) (?:\w+ ){0,2}filter|forbidden|allowed (?:senders )?list|attachment (?:type )?(?:not allowed|blocked|prohibited)|受信(?:拒否|設定)|拒否/i,
  },
  {
    reason: 'message_too_big',
    pattern:
      /message (?:size|length) (?:exceeds|limit|too)|(?:message|mail|e-?mail|body)(?: body)? (?:is |was )?too (?:large|big|long)|(?:exceeds?|exceeded|over) (?:the |our |its )?(?:\w+ ){0,4}(?:message size|size limit|size limits|maximum (?:message )?size|fixed (?:maximum )?(?:message )?size)|size limits?\b|maximum (?:message |fixed )?size|too large|sizelimit|message size/i,
  },
  {
    reason: 'not_accept',
    pattern: /null ?mx|(?:does not|doesn't|do not) accept (?:e-?mail|mail|messages)|accepts no (?:e-?mail|mail)|no longer accepts (?:e-?mail|mail)/i,
  },
  {
    reason: 'has_moved',
    pattern: /has moved|\bmoved (?:to|away)|user not local|no longer (?:in use|with|at|employed|works?)|left no forwarding|address (?:has )?changed|recipient (?:has )?(?:moved|changed)/i,
  },
  {
    reason: 'host_unknown',
    pattern:
      /host (?:or domain name )?(?:not found|unknown)|unknown host|(?:domain|host)(?: name)? (?:\S+ )?(?:not found|does not exist|doesn't exist|is unknown|unknown|couldn't be found|could not be found)|no such (?:domain|host)|nxdomain|name service error|unrouteable address|no (?:valid )?mx|mx records? point to non-?existent|(?:couldn't|could not|can't|cannot) find any host|dns error: (?:domain|address)|domain name not found|domain (?:\S+ )?(?:does not exist|not found)|infodomainnonexistent|no such host is known|(?:couldn't|could not|unable to|weren't able to|was not able to) find the (?:recipient(?:'s)? )?domain|routing\.nonexthop|unable to find a path to the destination host|ドメインが(?:見つかりません|存在しません)|unknown (?:domain|host)|name or service not known|(?:could not|couldn't|unable to|cannot|can't) resolve (?:the )?(?:host|domain|mx)|illegal host/i,
  },
  {
    reason: 'user_unknown',
    pattern:
      /(?:user|mailbox|recipient|address|account|alias|local part|addressee|destination)(?: address| name)? (?:\w+ ){0,2}(?:unknown|not found|not listed|does not exist|doesn't exist|do not exist|not exist|no longer exists?|is unknown|unavailable: user not found)|unknown (?:or illegal )?(?:user|recipient|mailbox|local[ -]part|alias|address)|no such (?:user|mailbox|recipient|address|account|person)|no mailbox|not our customer|invalid (?:recipient|mailbox|address|user)|not a valid (?:recipient|mailbox|user|address)|recipnotfound|recipientnotfound|resolver\.adr|(?:doesn't|does not) have an? \S+ account|recipient address rejected: (?:access denied|user unknown|unknown)|not listed in (?:the )?(?:public |domino |global )?(?:directory|name (?:&|and) address book|address book)|mailbox not found|user not found|user doesn't exist|illegal alias|the email account that you tried to reach does not exist|no such user here|address (?:couldn't|could not) be found|usuario desconocido|desconocid[oa]|no existe|inexistente|unbekannt|existiert nicht|inconnu|n'existe pas|inexistant|sconosciut[oa]|non esiste|onbekend|bestaat niet|desconhecid[oa]|não existe|okänd|finns inte|宛先不明|存在しません|見つかりません|不存在|수신자 없음|존재하지 않|no valid recipients?|nicht vorhanden|пользовател[ья] (?:не найден|не существует)|нет такого пользователя|не существует/i,
  },
  {
    reason: 'suspended',
    pattern:
      /\b(?:disabled|deactivated|inactive|inactivity|frozen|discontinued|locked)\b|account (?:has been |is )?closed|(?<!temporarily |delivery )\bsuspended\b|account (?:has )?expired|no longer active|not active|account (?:is )?(?:on hold|blocked)|falta de uso|casilla ha expirado|desactivad[oa]|deaktiviert|gesperrt|désactivée?|suspendue?|disattivat[oa]|sospes[oa]|停止|休止|利用停止/i,
  },
  {
    reason: 'network_error',
    pattern:
      /loops? back to myself|mail(?: forwarding)? loop|loop (?:was )?detected|routing loop|too many hops|hop count|bounce between two servers|no route to host|network (?:is )?unreachable|host (?:is )?unreachable|connection (?:refused|timed out|reset|dropped)|lost connection|unable to connect|could not connect|timed out|tls (?:handshake|negotiation) failed|dns (?:query|lookup) failed|unable to lookup dns/i,
  },
  {
    reason: 'system_error',
    pattern:
      /mailer error|system (?:error|problem|failure)|configuration error|local error|internal (?:server )?error|i\/o error|insufficient system storage|system (?:is )?(?:full|not accepting)|out of memory|unable to write|mail (?:transport|system) unavailable|temporary (?:local |system )?(?:problem|failure)|local mail system/i,
  },
  {
    reason: 'content_error',
    pattern:
      /\bmime\b|malformed|invalid (?:header|character|content|message)|header (?:too long|size)|bare lf|8-?bit|line (?:length|too long)|encoding|conversion|content type not|body type not|invalid (?:\w+ )?characters|rfc ?5322|rfc ?2822|section 3\.6|missing (?:a )?(?:valid )?(?:message-id|date|from) header|not (?:rfc )?compliant|protocol violation/i,
  },
];

const EXPIRED = SPECIFIC.find((rule) => rule.reason === 'expired')!.pattern;

/**
 * Weak wording: what is left when nothing above matched and the status code says nothing specific.
 * "mailbox unavailable" is RFC 5321's own text for 550, used for unknown users and policy alike.
 */
const WEAK: readonly WordingRule[] = [
  { reason: 'user_unknown', pattern: /mailbox (?:unavailable|not available|name not allowed)|(?:recipient|address)(?: address)? rejected|invalid (?:\w+ )?address|bad (?:destination )?(?:mailbox|address)/i },
  { reason: 'blocked', pattern: /access denied|\b(?:blocked|refused|banned)\b/i },
  { reason: 'policy_violation', pattern: /not (?:allowed|authori[sz]ed|permitted)|\brejected\b/i },
];

/** RFC 3463 enhanced codes (and the provider codes documented beside them) whose detail names the cause. */
function reasonOfEnhancedCode(code: string): BounceReason | null {
  const [, subject, detailText] = code.split('.');
  const detail = Number(detailText);
  switch (subject) {
    case '1':
      if (detail === 1 || detail === 3 || detail === 10) return 'user_unknown'; // 5.1.10: Microsoft RecipientNotFound (RFC 7505 null MX says so in words)
      if (detail === 2) return 'host_unknown';
      if (detail === 6) return 'has_moved';
      if (detail === 7 || detail === 8) return 'policy_violation'; // our sender address refused
      return null;
    case '2':
      if (detail === 1) return 'suspended';
      if (detail === 2) return 'mailbox_full';
      if (detail === 3) return 'message_too_big';
      if (detail === 121 || detail === 122) return 'rate_limited'; // Microsoft: sender's hourly limits
      return null;
    case '3':
      if (detail === 1 || detail === 5) return 'system_error';
      if (detail === 2) return 'not_accept';
      if (detail === 4) return 'message_too_big';
      return null;
    case '4':
      if (detail === 4 || detail === 310) return 'host_unknown'; // 5.4.310: Microsoft, DNS domain does not exist
      if (detail === 5) return 'rate_limited';
      if (detail === 7 || detail === 316) return 'expired';
      if (detail >= 1 && detail <= 6) return 'network_error';
      return null;
    case '5':
      return detail === 3 ? 'rate_limited' : null;
    case '6':
      return detail === 0 ? null : 'content_error';
    case '7':
      if ((detail >= 23 && detail <= 27 && detail !== 25) || detail === 29 || detail === 509 || detail === 510 || detail === 515) return 'auth_failure';
      if (detail === 25 || detail === 511 || (detail >= 606 && detail <= 649) || (detail >= 700 && detail <= 750)) return 'blocked';
      if (detail === 12 || detail === 13 || detail === 14 || detail === 2 || detail === 3 || detail === 9 || detail === 30 || detail === 124 || (detail >= 133 && detail <= 136)) {
        return detail === 13 ? 'suspended' : 'policy_violation';
      }
      if (detail === 28) return 'rate_limited';
      if (detail === 54 || detail === 64) return 'relaying_denied';
      if (detail >= 5 && detail <= 8) return 'auth_failure';
      if (detail === 1) return 'policy_violation';
      return null;
    default:
      return null;
  }
}

/** An enhanced status code in text: class.subject.detail, not part of an IP address or version ("4.79.181.168"). */
const ENHANCED_CODE = /(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d]|\.\d)/;
/** A three-digit SMTP reply code at the start of a line or after "said:", "#", "smtp;" and the like. */
const REPLY_CODE = /(?:^|[\s:;#(<\[])([245][0-5]\d)(?=[ -]|$)/m;

/**
 * Text an MTA quotes rather than says: the subject of our own message ("Subject: New spam policy") and
 * addresses ("spam@buyer.example", "pat@virus-labs.example"). Left in, their words would read as a cause.
 * The lookbehind starts an address only where a run of its characters starts, so a run without "@" is
 * read once (the same reasoning as recipientIn).
 */
const QUOTED_SUBJECT = /^[ \t>]*(?:subject|betreff|objet|asunto|oggetto|onderwerp|assunto|件名|主题|제목)[ \t]*[:：].*$/gim;
const ADDRESS = /(?<![^\s<>()[\]"',;:@])[^\s<>()[\]"',;:@]+@[^\s<>()[\]"',;:@]+/g;
/**
 * Host names ("spam-gw.buyer.example", "mx.virus-labs.example"): a lower-case dotted token ending in a
 * label of letters. Status texts such as RESOLVER.ADR.RecipNotFound or QUEUE.Expired have capitals and
 * stay; so do the block-list zones a host block names (zen.spamhaus.org, bl.spamcop.net).
 */
const HOST = /(?<![^\s<>()[\]"',;:@/=])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,24}(?![A-Za-z0-9.-])/g;
/** Links to help pages ("…/anti-spam-policy.html"): their words name the page, not the cause. */
const URL = /\b(?:https?|ftp):\/\/[^\s<>"')\]]+/gi;
const BLOCK_LIST_ZONE = /spamhaus|spamcop|sorbs|uceprotect|dnsbl|rbl|surbl|psbl|spamrats|barracudacentral|manitu|\bbl\./i;

function withoutNames(text: string): string {
  return text
    .replace(QUOTED_SUBJECT, ' ')
    .replace(URL, (url) => (BLOCK_LIST_ZONE.test(url) ? url : '<url>'))
    .replace(ADDRESS, '<address>')
    .replace(HOST, (host) => (BLOCK_LIST_ZONE.test(host) ? host : '<host>'));
}

/**
 * How much of each text is read for a cause: a diagnostic states it in its first lines, and the
 * explanation of a bounce is cut at this length too. A longer Diagnostic-Code is noise or hostile.
 */
const MAX_CAUSE_TEXT = 8000;

export interface FailureCause {
  severity: BounceSeverity;
  reason: BounceReason;
  /** The enhanced status code that applies, when one was given. */
  code: string | null;
  why: string;
}

/**
 * The cause of a failure. `status` is the Status of an RFC 3464 recipient (or null); `texts` are the
 * places its wording can be in, most precise first (the Diagnostic-Code, then the human-readable part).
 */
export function failureCause(status: string | null, texts: readonly string[]): FailureCause {
  const sources = texts.map((t) => withoutNames(t.slice(0, MAX_CAUSE_TEXT))).filter((t) => t.trim() !== '');
  const statusCode = status && /^[245]\.\d{1,3}\.\d{1,3}$/.test(status) ? status : null;
  let textCode: string | null = null;
  let replyCode: string | null = null;
  for (const text of sources) {
    textCode ??= ENHANCED_CODE.exec(text)?.[1] ?? null;
    replyCode ??= REPLY_CODE.exec(text)?.[1] ?? null;
  }
  // A DSN's Status of x.0.0 says less than the code its Diagnostic-Code quotes.
  const code = statusCode !== null && !/^\d\.0\.0$/.test(statusCode) ? statusCode : (textCode ?? statusCode);
  const permanentCode = [statusCode, textCode, replyCode].some((c) => c?.startsWith('5'));
  const transientOnly = !permanentCode && [statusCode, textCode, replyCode].some((c) => c?.startsWith('4'));
  const decide = (found: BounceReason, why: string): FailureCause => {
    // A final failure whose every code is temporary is one the server gave up retrying.
    const reason = transientOnly && (found === 'network_error' || found === 'other') ? 'expired' : found;
    if (reason !== found) why = `${why}, and only temporary codes: given up after retries`;
    const hard = HARD_BOUNCE_REASONS.has(reason) && !transientOnly;
    const note = HARD_BOUNCE_REASONS.has(reason) && transientOnly ? ' (the server called it temporary)' : '';
    return { severity: hard ? 'hard' : 'soft', reason, code, why: `${reason}: ${why}${note}` };
  };

  if (transientOnly) {
    // Only temporary codes, and the report says time ran out: whatever the last attempt said, it expired.
    const expiry = sources.map((text) => EXPIRED.exec(text)?.[0]).find((found) => found !== undefined);
    if (expiry !== undefined) return decide('expired', `diagnostic says "${expiry}" and every code is temporary`);
  }
  for (const text of sources) {
    for (const rule of SPECIFIC) {
      const found = rule.pattern.exec(text);
      if (found) return decide(rule.reason, `diagnostic says "${found[0]}"`);
    }
  }
  for (const candidate of [statusCode, textCode]) {
    const byCode = candidate === null ? null : reasonOfEnhancedCode(candidate);
    if (byCode !== null) return decide(byCode, `status ${candidate}`);
  }
  for (const text of sources) {
    for (const rule of WEAK) {
      const found = rule.pattern.exec(text);
      if (found) return decide(rule.reason, `diagnostic says "${found[0]}"`);
    }
  }
  if (replyCode === '551') return decide('has_moved', 'reply code 551 (user not local)');
  if (replyCode === '521' || replyCode === '556') return decide('not_accept', `reply code ${replyCode} (domain does not accept mail)`);
  if (replyCode === '552') return decide('mailbox_full', 'reply code 552 (exceeded storage allocation)');
  if (replyCode === '553') return decide('user_unknown', 'reply code 553 (mailbox name not allowed)');
  if (code?.startsWith('5.7.')) return decide('policy_violation', `status ${code}`);
  return decide('other', code ? `status ${code} without a more specific cause` : 'no status code or wording that names a cause');
}
