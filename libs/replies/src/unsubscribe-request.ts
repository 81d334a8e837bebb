import { PhraseTable, ownTextForMatching } from './auto-reply-classifier';
import { normaliseForMatching } from './reply-languages';
import type { InboundMessage } from './reply-verdict';

/**
 * A person replying to ask us to stop ("unsubscribe", "remove me", "bitte keine E-Mails mehr",
 * "не пишите мне больше", "配信停止"…). Only requests count: an imperative, an "I want to…", or a
 * reply whose whole first line (or subject) is the bare word. Talk about unsubscribing does not ("I
 * can't unsubscribe from your newsletter, can you help?", "why did you remove me from the list?",
 * "please don't remove me"). Linear: fixed alternations, and bounded look-backs around each hit.
 */
export interface UnsubscribeRequest {
  /** The language of the phrase that asked. */
  language: string;
  /** Where it was said: the subject, the bare first line, or a request sentence in the body. */
  where: 'subject' | 'first line' | 'body';
}

const REQUESTS = new PhraseTable((l) => l.unsubscribe);

/** Whole-line requests: the reply is just the word (optionally with "please" and punctuation). */
const BARE: Record<string, string[]> = {
  en: ['unsubscribe', 'unsubscribe me', 'remove', 'remove me', 'stop', 'opt out', 'opt-out', 'take me off'],
  de: ['abmelden', 'austragen', 'abbestellen', 'bitte abmelden', 'bitte austragen'],
  fr: ['désinscription', 'désabonnement', 'désinscrire', 'désabonner', 'stop'],
  es: ['baja', 'darme de baja', 'dar de baja', 'cancelar suscripción'],
  it: ['cancellami', 'disiscrivimi', 'cancellazione'],
  nl: ['uitschrijven', 'afmelden'],
  pt: ['descadastrar', 'descadastre', 'remover', 'cancelar inscrição'],
  sv: ['avregistrera', 'avsluta prenumeration'],
  da: ['afmeld', 'afmelding'],
  no: ['meld av', 'avmeld'],
  fi: ['poista', 'peruuta tilaus'],
  pl: ['wypisz', 'wypisz mnie', 'rezygnuję'],
  cs: ['odhlásit', 'odhlásit odběr'],
  sk: ['odhlásiť', 'odhlásiť odber'],
  sl: ['odjava'],
  hr: ['odjava', 'odjavi me'],
  hu: ['leiratkozás', 'leiratkozom'],
  ro: ['dezabonare', 'dezabonează-mă'],
  bg: ['отписване'],
  el: ['απεγγραφή', 'διαγραφή'],
  et: ['loobu', 'tellimusest loobumine'],
  lv: ['atrakstīties'],
  lt: ['atsisakyti prenumeratos', 'atsisakyti'],
  ga: ['díliostáil'],
  mt: ['neħħini'],
  ru: ['отписаться', 'отписка', 'отпишите'],
  uk: ['відписатися', 'відписка'],
  tr: ['abonelikten çık', 'listeden çıkar'],
  ar: ['إلغاء الاشتراك', 'الغاء الاشتراك'],
  he: ['הסר', 'הסירו', 'הסרה'],
  hi: ['सदस्यता रद्द करें', 'अनसब्सक्राइब'],
  zh: ['退订', '退訂', '取消订阅', '取消訂閱', 'td'],
  ja: ['配信停止', '配信解除'],
  ko: ['수신거부', '수신 거부', '구독 취소'],
};
const BARE_LINE = new Map<string, string>();
for (const [code, words] of Object.entries(BARE)) for (const word of words) if (!BARE_LINE.has(word)) BARE_LINE.set(word, code);

/** "Please", "bitte", "svp"… and punctuation around a bare word. */
const BARE_TRIM = /^(please|pls|bitte|s'il vous plaît|svp|por favor|per favore|alstublieft|graag|proszę|prosím|пожалуйста|будь ласка|lütfen|請|请)?[\s,.:;!¡¿?。！-]{0,5}|[\s,.:;!?。！-]{0,5}(please|pls|bitte|svp|por favor|per favore|alstublieft|graag|proszę|prosím|пожалуйста|будь ласка|lütfen)?[\s.!。！]{0,5}$/giu;
const REPLY_PREFIX = /^\s*(?:(?:re|aw|sv|vs|odp|antw|res|rif|r|ynt|atb|fw|fwd|wg|tr|отв|回复|答复|回覆)\s?[:：]\s?){1,5}/iu;

function bareLanguage(line: string): string | null {
  const word = line.replace(BARE_TRIM, '').trim().toLowerCase();
  return word.length > 0 && word.length <= 40 ? (BARE_LINE.get(word) ?? null) : null;
}

/**
 * Words just before a request that turn it into something else: a negation ("don't remove me"), an
 * inability or a question about it ("I can't…", "why did you…", "how do I…"), in the languages here.
 * Read on at most 60 characters of the same sentence.
 */
const NOT_A_REQUEST =
  /(?<![\p{L}])(don['’]?t|do not|never|not|why|how (do|can|could) i|can['’]?t|cannot|could ?n['’]?t|unable to|tried to|trying to|nicht|kein|warum|wieso|wie kann ich|konnte|ne (pas|peux|parviens)|n['’]arrive pas|pourquoi|comment|no (puedo|consigo)|por qu[ée]|cómo|non (riesco|posso)|perch[ée]|come|niet|waarom|hoe|não (consigo|posso)|porque|por que|como|varför|hur|hvorfor|hvordan|miksi|miten|en pysty|dlaczego|jak|nie (mogę|umiem)|proč|prečo|zakaj|zašto|miért|hogyan|de ce|cum|защо|как|γιατί|πώς|miks|kuidas|kāpēc|kā|kodėl|kaip|cén fáth|conas|għaliex|kif|почему|не могу|не получается|чому|як|не можу|neden|nasıl|yapamıyorum|لماذا|كيف|لا أستطيع|למה|איך|לא מצליח|क्यों|कैसे|为什么|為什麼|怎么|怎麼|如何|无法|無法|なぜ|どうやって|できません|왜|어떻게|없습니다)(?![\p{L}])[^.!?。！？\n,;，、]{0,60}$/iu;

/** Words just after a request phrase that make it a question about it ("配信停止の方法", "수신 거부는 어떻게"). */
const NOT_A_REQUEST_AFTER = /^(の方法|のやり方|の仕方|方法|の手続き|(は|を)?どう|が(でき|出来)|できない|(는|은|을|를)?\s?(어떻게|방법)|的方法|怎么|怎麼|如何|\s?(link|button|page|option)\b)/iu;

/** The unsubscribe request in a human reply, or null. */
export function unsubscribeRequest(message: Pick<InboundMessage, 'subject' | 'textBody'>): UnsubscribeRequest | null {
  const subject = normaliseForMatching((message.subject ?? '').slice(0, 200)).replace(REPLY_PREFIX, '');
  const fromSubject = bareLanguage(subject);
  if (fromSubject) return { language: fromSubject, where: 'subject' };
  const text = ownTextForMatching(message.textBody, 1000);
  const firstLine = /^\s{0,200}([^\n]{1,80})/.exec(text)?.[1] ?? '';
  const fromLine = bareLanguage(firstLine);
  if (fromLine) return { language: fromLine, where: 'first line' };
  for (const hit of REQUESTS.all(text)) {
    const before = text.slice(Math.max(0, hit.index - 60), hit.index);
    const after = text.slice(hit.index + hit.length, hit.index + hit.length + 12);
    if (!NOT_A_REQUEST.test(before) && !NOT_A_REQUEST_AFTER.test(after)) return { language: hit.code, where: 'body' };
  }
  return null;
}
