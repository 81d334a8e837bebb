import type { InboundMessage } from './reply-verdict';

/**
 * Subjects that out-of-office and autoresponder systems put first (Exchange/Outlook, Gmail, Apple
 * Mail, Zimbra, Lotus/HCL, Yahoo, Naver, Kakao…), per language. Anchored at the start (after any
 * "[External]"-style tag) so a human "Re: our out of office policy" is not caught.
 */
const AUTO_REPLY_SUBJECTS: Record<string, string[]> = {
  en: ['automatic reply', 'auto[- ]?reply', 'auto[- ]?response', 'autoresponse', 'out of (the )?office', 'ooo\\b', 'away from (the )?office', 'on vacation', 'on leave', 'vacation (reply|response|message|notice)', 'away notice', 'absence notice', 'i am (currently )?(out|away)', "i'm (currently )?(out|away)"],
  de: ['automatische antwort', 'abwesenheitsnotiz', 'abwesenheit', 'abwesend', 'außer haus', 'nicht im büro', 'urlaubsabwesenheit', 'autom\\. antwort'],
  fr: ['réponse automatique', 'reponse automatique', 'absence du bureau', 'absent du bureau', "message d'absence", 'absence', 'absente?\\b', 'en congés?'],
  es: ['respuesta automática', 'respuesta automatica', 'fuera de (la )?oficina', 'ausente', 'ausencia', 'de vacaciones', 'respuesta de ausencia'],
  it: ['risposta automatica', 'fuori (sede|ufficio)', 'assente', 'in ferie', 'assenza'],
  nl: ['automatisch antwoord', 'afwezig', 'niet aanwezig', 'buiten kantoor', 'afwezigheidsmelding', 'met vakantie'],
  pt: ['resposta automática', 'resposta automatica', 'ausente do escritório', 'fora do escritório', 'ausência', 'ausente', 'de férias'],
  sv: ['automatiskt svar', 'frånvaromeddelande', 'ej på kontoret', 'inte på kontoret', 'autosvar', 'semester'],
  da: ['automatisk svar', 'fraværsmeddelelse', 'ikke på kontoret', 'ude af kontoret', 'autosvar', 'ferie'],
  no: ['automatisk svar', 'fraværsmelding', 'fravær', 'ikke på kontoret', 'autosvar'],
  fi: ['automaattinen vastaus', 'poissaoloviesti', 'poissa toimistolta', 'lomalla', 'poissa'],
  pl: ['automatyczna odpowiedź', 'odpowiedź automatyczna', 'poza biurem', 'nieobecność', 'nieobecny', 'urlop'],
  ja: ['自動応答', '自動返信', '不在', '休暇'],
  zh: ['自动回复', '自動回覆', '自動回復', '自动答复', '外出', '不在办公室', '休假'],
  ko: ['자동 회신', '자동회신', '자동 응답', '자동응답', '부재중', '부재 중', '휴가'],
};

// Longest phrase first: "ausente do escritório" must win over "ausente".
const ALL_PHRASES = Object.values(AUTO_REPLY_SUBJECTS)
  .flat()
  .sort((a, b) => b.length - a.length);
const SUBJECT_PATTERN = new RegExp(`^\\s*(\\[[^\\]]{1,30}\\]\\s*)?(${ALL_PHRASES.join('|')})`, 'iu');
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
  return CJK.test(m[2] ?? '') || LABEL_END.test(subject.slice(m.index + m[0].length));
}
const REPLY_PREFIX = /^\s*(re|aw|sv|vs|odp|antw|res|rif|r|ynt|回复|答复|回覆)\s*:/i;

export function autoReplySubjectLanguage(subject: string): string | null {
  if (REPLY_PREFIX.test(subject)) return null;
  for (const [language, phrases] of Object.entries(AUTO_REPLY_SUBJECTS)) {
    if (new RegExp(`^\\s*(\\[[^\\]]{1,30}\\]\\s*)?(${phrases.join('|')})`, 'iu').test(subject)) return language;
  }
  return null;
}

/** Reasons a message is an automatic reply; empty when nothing marks it as one. */
export function autoReplyReasons(message: InboundMessage): string[] {
  const m = message.autoReplyMarkers;
  const reasons: string[] = [];
  // RFC 3834 §5: any Auto-Submitted value other than "no" marks an automatic message.
  if (m.autoSubmitted && m.autoSubmitted.trim().toLowerCase() !== 'no') reasons.push(`Auto-Submitted: ${m.autoSubmitted.trim()}`);
  if (m.xAutoreply) reasons.push('X-Autoreply header');
  if (m.xAutorespond) reasons.push('X-Autorespond header');
  if (m.precedence && /auto[_-]?reply/i.test(m.precedence)) reasons.push(`Precedence: ${m.precedence.trim()}`);
  if (m.xMsExchangeAutoReply) reasons.push('Exchange auto-reply marker');
  const subject = message.subject ?? '';
  if (!REPLY_PREFIX.test(subject) && SUBJECT_PATTERN.test(subject) && (reasons.length > 0 || subjectLooksLikeLabel(subject))) {
    reasons.push(`auto-reply subject (${autoReplySubjectLanguage(subject) ?? 'unknown language'})`);
  }
  return reasons;
}
