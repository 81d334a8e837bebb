import type { InboundMessage } from './reply-verdict';
import { REPLY_LANGUAGES, normaliseForMatching, phraseSource } from './reply-languages';

/**
 * Out-of-office and other automatic replies, from their header fields, their subject and their
 * body, in every language of reply-languages.ts. Every pattern here runs on text any sender
 * chooses: alternations of fixed phrases, bounded repeats, no nested quantifiers (linear time).
 */

/** Scripts whose words run on without spaces (or take particles): phrases there have no word boundary. */
const RUN_ON = new Set(['zh', 'ja', 'ko']);
const WORD_START = '(?<![\\p{L}\\p{M}\\p{N}])';

function alternation(phrases: readonly string[]): string {
  return [...new Set(phrases)]
    .sort((a, b) => b.length - a.length)
    .map(phraseSource)
    .join('|');
}

/** A pattern that finds any of the phrases of one language, at a word start unless the script runs on. */
export function languagePattern(code: string, phrases: readonly string[], flags = 'iu'): RegExp | null {
  if (phrases.length === 0) return null;
  return new RegExp(`${RUN_ON.has(code) ? '' : WORD_START}(?:${alternation(phrases)})`, flags);
}

const SUBJECT_PREFIX = '^\\s*(?:\\[[^\\]]{1,30}\\]\\s*)?';
/** Subject labels per language, anchored at the start (after any "[External]"-style tag) so "Re: our out of office policy" is not one. */
const SUBJECT_BY_LANGUAGE = REPLY_LANGUAGES.map((l) => ({ code: l.code, pattern: new RegExp(`${SUBJECT_PREFIX}(?:${alternation(l.subjects)})`, 'iu') }));
// Longest phrase first: "ausente do escritório" must win over "ausente".
const SUBJECT_PATTERN = new RegExp(`${SUBJECT_PREFIX}(${alternation(REPLY_LANGUAGES.flatMap((l) => l.subjects))})`, 'iu');
const AWAY_BY_LANGUAGE = REPLY_LANGUAGES.map((l) => ({ code: l.code, pattern: languagePattern(l.code, l.away)! }));
const AUTOMATIC_BY_LANGUAGE = REPLY_LANGUAGES.map((l) => ({ code: l.code, pattern: languagePattern(l.code, l.automatic)! }));
const AWAY_NOT_ENGLISH = AWAY_BY_LANGUAGE.filter((l) => l.code !== 'en');
const AUTOMATIC_NOT_ENGLISH = AUTOMATIC_BY_LANGUAGE.filter((l) => l.code !== 'en');

/**
 * Without any header marker the subject alone must look like a system's label: the phrase, then the
 * end, a colon or a dash-separated original subject. "Out of office next week - can we meet?" is a
 * person writing. CJK labels run on without separators ("不在のお知らせ").
 */
const LABEL_END = /^\s*($|[:：\-–—|(\[]|re\s*:)/iu;
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/u;

function subjectLooksLikeLabel(subject: string): boolean {
  const m = SUBJECT_PATTERN.exec(subject);
  if (!m) return false;
  return CJK.test(m[1] ?? '') || LABEL_END.test(subject.slice(m.index + m[0].length));
}
/** Reply prefixes of the mail clients of these languages ("Re:", "AW:", "SV:", "Odp:", "Ynt:", "Отв:", "回复:"…). */
const REPLY_PREFIX = /^\s*(re|aw|sv|vs|odp|antw|res|rif|r|ynt|atb|vá|ats|otv|отв|відп|απ|השב|رد|回复|答复|回覆|答覆)\s*[:：]/iu;

/** The language of an auto-reply subject label, or null when the subject carries none. */
export function autoReplySubjectLanguage(subject: string): string | null {
  const text = normaliseForMatching(subject.slice(0, 1000));
  if (REPLY_PREFIX.test(text)) return null;
  return SUBJECT_BY_LANGUAGE.find((l) => l.pattern.test(text))?.code ?? null;
}

/**
 * The part of a body its sender wrote, before any quoted original ("> …", "-----Original Message-----",
 * "On … wrote:", "From: …@"), at most `max` characters. Each alternative starts with a fixed text and
 * its repeats are bounded, so the search is linear in the body.
 */
const QUOTE_START = /^(?:>|-{2,}\s{0,5}(?:original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original|ursprungligt meddelande|oprindelig meddelelse|opprinnelig melding|alkuperäinen viesti|oryginalna wiadomość|původní zpráva|исходное сообщение|原始邮件|元のメッセージ|원본 메시지)|On .{5,120} wrote:|From: .{0,200}@)/im;
export function ownText(body: string | null, max = 4000): string {
  if (!body) return '';
  const cut = body.search(QUOTE_START);
  return (cut === -1 ? body : body.slice(0, cut)).slice(0, max);
}

/** Languages written in one script only, for bodies that name no label or phrase of ours. */
const SCRIPTS: [RegExp, string][] = [
  [/[\uac00-\ud7af]/u, 'ko'],
  [/[\u3040-\u30ff]/u, 'ja'],
  [/[\u3400-\u9fff]/u, 'zh'],
  [/[єіїґ]/iu, 'uk'],
  [/[\u0400-\u04ff]/u, 'ru'],
  [/[\u0370-\u03ff]/u, 'el'],
  [/[\u0590-\u05ff]/u, 'he'],
  [/[\u0600-\u06ff]/u, 'ar'],
  [/[\u0900-\u097f]/u, 'hi'],
];

const BODY_CHARS = 1500;
const AUTOMATIC_CHARS = 600;

function bodyMatch(text: string, table: readonly { code: string; pattern: RegExp }[]): string | null {
  return table.find((l) => l.pattern.test(text))?.code ?? null;
}

/**
 * The language an auto-reply is written in, for reading its dates: the subject label's, else the
 * body's automatic or away sentence's, else the script's. Null when nothing tells.
 */
export function autoReplyLanguage(message: Pick<InboundMessage, 'subject' | 'textBody'>): string | null {
  const text = normaliseForMatching(ownText(message.textBody, BODY_CHARS));
  // The body's own language first: an English "Automatic reply:" label (the server's language) often
  // sits on a German or French text, and a bilingual text puts its English half second.
  const fromBody = bodyMatch(text, AUTOMATIC_NOT_ENGLISH) ?? bodyMatch(text, AWAY_NOT_ENGLISH);
  return fromBody ?? autoReplySubjectLanguage(message.subject ?? '') ?? bodyMatch(text, AUTOMATIC_BY_LANGUAGE) ?? bodyMatch(text, AWAY_BY_LANGUAGE) ?? SCRIPTS.find(([script]) => script.test(text))?.[1] ?? null;
}

/** Header fields that ask others not to auto-reply or that null the return path: hints, never proof alone. */
function weakMarkers(message: InboundMessage): string[] {
  const m = message.autoReplyMarkers;
  const hints: string[] = [];
  if (m.xAutoResponseSuppress && /\b(all|oof|autoreply)\b/i.test(m.xAutoResponseSuppress)) hints.push(`X-Auto-Response-Suppress: ${m.xAutoResponseSuppress.trim().slice(0, 40)}`);
  if (m.returnPath && /^\s*<\s*>\s*$/.test(m.returnPath)) hints.push('null Return-Path');
  return hints;
}

/** Reasons a message is an automatic reply; empty when nothing marks it as one. */
export function autoReplyReasons(message: InboundMessage): string[] {
  const m = message.autoReplyMarkers;
  const reasons: string[] = [];
  // RFC 3834 §5: any Auto-Submitted value other than "no" marks an automatic message.
  if (m.autoSubmitted && m.autoSubmitted.trim().toLowerCase() !== 'no') reasons.push(`Auto-Submitted: ${m.autoSubmitted.trim().slice(0, 80)}`);
  if (m.xAutoreply) reasons.push('X-Autoreply header');
  if (m.xAutorespond) reasons.push('X-Autorespond header');
  if (m.precedence && /auto[_-]?reply/i.test(m.precedence)) reasons.push(`Precedence: ${m.precedence.trim().slice(0, 40)}`);
  if (m.xMsExchangeAutoReply) reasons.push('Exchange auto-reply marker');
  const subject = normaliseForMatching((message.subject ?? '').slice(0, 1000));
  if (!REPLY_PREFIX.test(subject) && SUBJECT_PATTERN.test(subject) && (reasons.length > 0 || subjectLooksLikeLabel(subject))) {
    reasons.push(`auto-reply subject (${autoReplySubjectLanguage(subject) ?? 'unknown language'})`);
  }
  if (reasons.length > 0) return reasons;
  // The body: a sentence saying the message is automatic is enough near the top; one saying the
  // sender is away ("I was out of office last week, yes let us talk") needs a header hint as well.
  const text = normaliseForMatching(ownText(message.textBody, BODY_CHARS));
  const automatic = bodyMatch(text.slice(0, AUTOMATIC_CHARS), AUTOMATIC_BY_LANGUAGE);
  if (automatic) return [`body says it is an automatic reply (${automatic})`];
  const hints = weakMarkers(message);
  if (hints.length === 0) return [];
  const away = bodyMatch(text, AWAY_BY_LANGUAGE);
  return away ? [`body says the sender is away (${away})`, ...hints] : [];
}
