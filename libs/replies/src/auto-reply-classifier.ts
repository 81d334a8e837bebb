import type { InboundMessage } from './reply-verdict';
import { REPLY_LANGUAGES, normaliseForMatching, phraseSource, type ReplyLanguage } from './reply-languages';

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

/** Where a phrase of one language was found. */
export interface PhraseHit {
  code: string;
  index: number;
}

/**
 * Every language's phrases of one kind in one pattern, a named group per language, so a text is
 * scanned once, not once per language: one pattern for languages with word boundaries (a phrase
 * starts a word), one for the scripts that run on. Texts are lower-cased before (no slow
 * case-insensitive matching); phrases are lower case.
 */
export class PhraseTable {
  private readonly patterns: RegExp[];

  constructor(pick: (language: ReplyLanguage) => readonly string[], languages: readonly ReplyLanguage[] = REPLY_LANGUAGES) {
    const group = (l: ReplyLanguage): string => `(?<${l.code}>${alternation(pick(l))})`;
    const withPhrases = languages.filter((l) => pick(l).length > 0);
    const bounded = withPhrases.filter((l) => !RUN_ON.has(l.code));
    const runOn = withPhrases.filter((l) => RUN_ON.has(l.code));
    this.patterns = [
      ...(bounded.length > 0 ? [new RegExp(`${WORD_START}(?:${bounded.map(group).join('|')})`, 'gu')] : []),
      ...(runOn.length > 0 ? [new RegExp(runOn.map(group).join('|'), 'gu')] : []),
    ];
  }

  /** The leftmost phrase in a lower-cased text. */
  first(text: string): PhraseHit | null {
    let best: PhraseHit | null = null;
    for (const pattern of this.patterns) {
      pattern.lastIndex = 0;
      const m = pattern.exec(text);
      if (m && (best === null || m.index < best.index)) best = hitOf(m);
    }
    return best;
  }

  /** Every phrase in a lower-cased text, each language's matches in text order. */
  *all(text: string): Generator<PhraseHit & { length: number }> {
    for (const pattern of this.patterns) for (const m of text.matchAll(pattern)) yield { ...hitOf(m), length: m[0].length };
  }
}

function hitOf(m: RegExpExecArray | RegExpMatchArray): PhraseHit {
  const code = Object.entries(m.groups ?? {}).find(([, value]) => value !== undefined)?.[0] ?? 'und';
  return { code, index: m.index ?? 0 };
}

const SUBJECT_PREFIX = '^\\s*(?:\\[[^\\]]{1,30}\\]\\s*)?';
/** Subject labels per language, anchored at the start (after any "[External]"-style tag) so "Re: our out of office policy" is not one. */
const SUBJECT_BY_LANGUAGE = REPLY_LANGUAGES.map((l) => ({ code: l.code, pattern: new RegExp(`${SUBJECT_PREFIX}(?:${alternation(l.subjects)})`, 'iu') }));
// Longest phrase first: "ausente do escritório" must win over "ausente".
const SUBJECT_PATTERN = new RegExp(`${SUBJECT_PREFIX}(${alternation(REPLY_LANGUAGES.flatMap((l) => l.subjects))})`, 'iu');
const AWAY = new PhraseTable((l) => l.away);
const AUTOMATIC = new PhraseTable((l) => l.automatic);
const NOT_ENGLISH = REPLY_LANGUAGES.filter((l) => l.code !== 'en');
const AWAY_NOT_ENGLISH = new PhraseTable((l) => l.away, NOT_ENGLISH);
const AUTOMATIC_NOT_ENGLISH = new PhraseTable((l) => l.automatic, NOT_ENGLISH);

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

function bodyMatch(text: string, table: PhraseTable): string | null {
  return table.first(text)?.code ?? null;
}

/** The sender's own text of a body, normalised and lower-cased for the phrase tables. */
export function ownTextForMatching(body: string | null, max: number): string {
  return normaliseForMatching(ownText(body, max)).toLowerCase();
}

/**
 * The language an auto-reply is written in, for reading its dates: the subject label's, else the
 * body's automatic or away sentence's, else the script's. Null when nothing tells.
 */
export function autoReplyLanguage(message: Pick<InboundMessage, 'subject' | 'textBody'>): string | null {
  const text = ownTextForMatching(message.textBody, BODY_CHARS);
  // The body's own language first: an English "Automatic reply:" label (the server's language) often
  // sits on a German or French text, and a bilingual text puts its English half second.
  const fromBody = bodyMatch(text, AUTOMATIC_NOT_ENGLISH) ?? bodyMatch(text, AWAY_NOT_ENGLISH);
  return fromBody ?? autoReplySubjectLanguage(message.subject ?? '') ?? bodyMatch(text, AUTOMATIC) ?? bodyMatch(text, AWAY) ?? SCRIPTS.find(([script]) => script.test(text))?.[1] ?? null;
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
  const text = ownTextForMatching(message.textBody, BODY_CHARS);
  const automatic = bodyMatch(text.slice(0, AUTOMATIC_CHARS), AUTOMATIC);
  if (automatic) return [`body says it is an automatic reply (${automatic})`];
  const hints = weakMarkers(message);
  if (hints.length === 0) return [];
  const away = bodyMatch(text, AWAY);
  return away ? [`body says the sender is away (${away})`, ...hints] : [];
}
