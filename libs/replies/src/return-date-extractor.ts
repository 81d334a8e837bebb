import { ownText } from './auto-reply-classifier';
import { REPLY_LANGUAGES, REPLY_LANGUAGE_BY_CODE, WEEKDAYS, normaliseForMatching, phraseSource } from './reply-languages';

/**
 * Finds the date an out-of-office sender says they are back. Auto-replies state a period ("from 20
 * to 27 December", "bis 03.12.2026", "12月3日まで", "с 7 по 14 декабря"); the return is the latest
 * plausible date in the text, resolved against the message's own date (a date without a year is its
 * next occurrence). An end date marked inclusive ("through", "t/m", "einschließlich", "по",
 * "включительно"…) means back the next day. Every pattern is linear: fixed alternations and bounded
 * repeats only.
 */

/** Month-name form → month, first language listed wins; a language's own forms win for it ("listopad" is October in Croatian). */
const MONTHS = new Map<string, number>();
const MONTHS_BY_LANGUAGE = new Map<string, Map<string, number>>();
for (const language of REPLY_LANGUAGES) {
  const own = new Map<string, number>();
  language.months.forEach((forms, index) =>
    forms.forEach((form) => {
      own.set(form, index + 1);
      if (!MONTHS.has(form)) MONTHS.set(form, index + 1);
    }),
  );
  MONTHS_BY_LANGUAGE.set(language.code, own);
}
const MONTH_ALT = [...MONTHS.keys()]
  .sort((a, b) => b.length - a.length)
  .map((f) => phraseSource(f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
  .join('|');

/** Weekday form → ISO weekday index, Monday 0. */
const WEEKDAY = new Map<string, number>();
for (const days of Object.values(WEEKDAYS)) days.forEach((forms, index) => forms.forEach((form) => WEEKDAY.has(form) || WEEKDAY.set(form, index)));
/** One or two digits not preceded by a digit, written digit-first so the engine skips to digits quickly. */
const DAY_DIGITS = '(\\d(?<!\\d\\d)\\d?)';
const WORD_START = '(?<![\\p{L}\\p{M}\\p{N}])';
const WORD_END = '(?![\\p{L}\\p{M}])';
/** Space within a line: a date does not run on into the next line ("21. 12.\\n\\nMaja" is no 12 May). */
const SPACE = '[ \\t\\u00a0]';

/** 2026-12-14, 2026/12/14, 2026.12.14. (hu), 2026. 12. 14. (ko). */
const YEAR_FIRST = /(?<!\d)(20\d\d)\s?[-./]\s?(\d{1,2})\s?[-./]\s?(\d{1,2})(?!\d)/g;
/** 14.12., 14.12.2026, 14/12, 12/14 (en-US, ja, zh, ko), 12.14. (hu); not the tail of a year-first date. */
const NUMERIC = /(?<!\d[./]\s?|\d)(\d{1,2})([./])(\s?)(\d{1,2})(?:\2\s?(\d{4}|\d{2}))?(?!\d)\.?/g;
/** dd-mm-yyyy (nl, da, pt…); with a dash only when the year is there, so ranges like 3-5 are not dates. */
const DASHED = /(?<!\d)(\d{1,2})-(\d{1,2})-(20\d\d)(?!\d)/g;
/** 14 December, 14. Dezember, 14 de diciembre, 1er décembre, 14 ta' Diċembru, 14 декабря, ה-14 בדצמבר, 14. decembrim. */
const DAY_MONTH = new RegExp(
  `${DAY_DIGITS}(?:st|nd|rd|th|er|e|º|ª)?\\.?${SPACE}{0,3}(?:(?:de|del|of|of the|ta['’]|an)${SPACE}{1,3})?(${MONTH_ALT})${WORD_END}\\.?(?:,?${SPACE}{1,3}(?:de${SPACE}{1,3})?(20\\d\\d)(?!\\d))?`,
  'gu',
);
/**
 * A word, then a day: December 7, 2026; December 14-18; december 14-ig (hu); gruodžio 14 d. (lt).
 * The word is looked up as a month name (a map, not a 700-way alternation tried at every letter).
 */
const MONTH_DAY = new RegExp(`${WORD_START}([\\p{L}\\p{M}]{2,25})\\.?${SPACE}{0,3}(\\d{1,2})(?!\\d)(?:st|nd|rd|th)?(?:${SPACE}?[-–]${SPACE}?(\\d{1,2})(?!\\d))?(?:,?${SPACE}{1,3}(20\\d\\d)(?!\\d))?`, 'gu');
/**
 * A day of the month with a weekday and no month ("regreso el lunes 14", "am Montag, den 14.",
 * "Monday the 14th") or English "the 14th": the next such day, in the month where the weekday fits.
 * Not when a month name follows (the day-month pattern reads those).
 */
const DAY_ONLY = new RegExp(
  `${WORD_START}([\\p{L}\\p{M}][\\p{L}\\p{M}'’ʼ-]{1,24}),?${SPACE}{1,3}(?:(the|den|le|el|il|de)${SPACE}{1,3})?(\\d{1,2})(st|nd|rd|th|er|e|\\.)?(?![\\d:\\p{L}]|[./]\\d)`,
  'gu',
);
/** What follows a day-only match when a month name follows after all ("Monday 4 January"). */
const NEXT_WORD = /^[ \t\u00a0]{1,3}(?:of[ \t\u00a0]{1,3})?([\p{L}\p{M}]{2,25})/u;

/** 2026年12月14日, 12月14日まで, 12月14号, 12월 14일까지. */
const CJK = /(?:(20\d\d)\s?[年년]\s?)?(\d{1,2})\s?[月월]\s?(\d{1,2})\s?[日号號일]/g;

/** Just before the end date (a weekday or article may come between; Russian and Ukrainian "по" directly): it is the last day away. */
const INCLUSIVE_BEFORE = /(?<![\p{L}])(?:(?:по|до включно)\s{1,3}|(?:through|thru|up to and including|including|to and including|einschließlich|einschliesslich|inklusive|bis und mit|t\/m|tot en met|t\.o\.m\.?|till och med|til og med|vključno|uključivo|zaključno s|włącznie|včetně|vrátane|включително|έως και|μέχρι και|ως και|até e incluindo)\s{1,3}(?:[\p{L}-]{2,14},?\s{1,3}){0,2})$/iu;
/** Just after the end date: the same. */
const INCLUSIVE_AFTER = /^[\s,(]{0,3}(?:[\p{L}]{1,4}\.\s{1,3})?(inclusive|inclusivement|inclus|incluse|incluso|inclusa|inclusi|incluidos|incluidas|inclusos|inclusas|compreso|compresa|compresi|comprese|included|einschließlich|einschliesslich|inkl\.?|включительно|включно|включително|włącznie|včetně|vrátane|vključno|uključivo|bezárólag|inclusiv|imtinai|ieskaitot|kaasa arvatud|k\.\s?a\.?|kaasa|dahil|zaključno|incl\.?|einschl\.?|כולל|ضمناً|ضمنا|(?:mukaan )?lukien)(?![\p{L}])/iu;

interface Found {
  date: Date;
  index: number;
  length: number;
}

function utcDate(year: number, month: number, day: number): Date | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 ? d : null;
}

/** A date written without a year means its next occurrence on or after the message (allowing a week back). */
function withYear(year: string | undefined, month: number, day: number, base: Date): Date | null {
  if (year) return utcDate(year.length === 2 ? 2000 + Number(year) : Number(year), month, day);
  const thisYear = utcDate(base.getUTCFullYear(), month, day);
  if (!thisYear) return null;
  return thisYear.getTime() < base.getTime() - 7 * 86_400_000 ? utcDate(base.getUTCFullYear() + 1, month, day) : thisYear;
}

/**
 * The first day numbered `day` on or after the message (a day back allowed), in this month or the
 * next two, that falls on `weekday` when one is given; null when none does ("Monday 3 people" is no
 * date unless a Monday the 3rd is near).
 */
function nextDayOfMonth(day: number, weekday: number | undefined, base: Date): Date | null {
  for (let k = 0; k <= 2; k += 1) {
    const candidate = utcDate(base.getUTCFullYear() + Math.floor((base.getUTCMonth() + k) / 12), ((base.getUTCMonth() + k) % 12) + 1, day);
    if (!candidate || candidate.getTime() < base.getTime() - 86_400_000) continue;
    if (weekday === undefined || (candidate.getUTCDay() + 6) % 7 === weekday) return candidate;
  }
  return null;
}

/** English "the 14th" counts after a word that introduces a date ("until the 14th", "back on the 14th"), not in "the 1st time". */
const ORDINAL_CONTEXT = /(?<![\p{L}])(until|till|til|through|thru|back|returning|return|on|from|to|after|by|before)\s{1,3}$/u;

function upcoming(date: Date, base: Date): boolean {
  return date.getTime() >= base.getTime() - 86_400_000;
}

function monthOf(name: string, language: string | null): number | undefined {
  const form = name.toLowerCase().replace(/\s+/g, ' ');
  return (language ? MONTHS_BY_LANGUAGE.get(language)?.get(form) : undefined) ?? MONTHS.get(form);
}

/**
 * The return date (YYYY-MM-DD) an auto-reply states, or null. `sentAt` is the message's Date (or
 * when it was received); `language` decides how "14/12" and "12.14." are read.
 */
export function extractReturnDate(body: string | null, sentAt: string, language: string | null = null): string | null {
  if (!body) return null;
  const base = new Date(sentAt);
  if (Number.isNaN(base.getTime())) return null;
  // Lower case once (length for length after normalising İ), so no pattern needs the slow case-insensitive flag.
  const text = normaliseForMatching(ownText(body)).toLowerCase();
  const found: Found[] = [];
  const add = (date: Date | null, m: RegExpMatchArray): void => {
    if (date) found.push({ date, index: m.index!, length: m[0].length });
  };
  for (const m of text.matchAll(YEAR_FIRST)) add(utcDate(Number(m[1]), Number(m[2]), Number(m[3])), m);
  // Read once for the whole text, not once per date found (that was quadratic in the number of dates).
  const usEnglish = language === 'en' && !/\b(dd\/mm|uk|gb)\b/i.test(text);
  const monthFirstLanguage = language !== null && REPLY_LANGUAGE_BY_CODE.get(language)?.numeric === 'month-first';
  for (const m of text.matchAll(NUMERIC)) {
    const a = Number(m[1]);
    const b = Number(m[4]);
    const year = m[5];
    // "." is day-first where it is used (de, fi, pl, no, da, ru…) except in Hungarian; "/" is month-first in US English and East Asia.
    const monthFirst = monthFirstLanguage ? a <= 12 : m[2] === '/' && (b > 12 || (a <= 12 && usEnglish));
    const [month, day] = monthFirst ? [a, b] : [b, a];
    const next = text[m.index + m[0].length];
    if (!year && m[2] === '.' && !m[0].endsWith('.') && next !== undefined && !/[\s,;)!?-]/.test(next)) continue; // a decimal number, not a date
    if (!year && m[3] && !m[0].endsWith('.')) continue; // "21. 12." (cs, sk, sl) ends with its dot; "3. 5 items" is no date
    // English writes both 04/12 orders (US and UK): when both read as dates, the nearer upcoming one is meant.
    const other = usEnglish && m[2] === '/' && a <= 12 && b <= 12 && a !== b ? withYear(year, b, a, base) : null;
    const read = withYear(year, month, day, base);
    add(other && read && upcoming(other, base) && (!upcoming(read, base) || other.getTime() < read.getTime()) ? other : read, m);
  }
  for (const m of text.matchAll(DASHED)) add(utcDate(Number(m[3]), Number(m[2]), Number(m[1])), m);
  for (const m of text.matchAll(DAY_MONTH)) {
    const month = monthOf(m[2]!, language);
    add(month ? withYear(m[3], month, Number(m[1]), base) : null, m);
  }
  for (const m of text.matchAll(MONTH_DAY)) {
    const month = monthOf(m[1]!, language);
    add(month ? withYear(m[4], month, Number(m[3] ?? m[2]), base) : null, m);
  }
  for (const m of text.matchAll(CJK)) add(withYear(m[1], Number(m[2]), Number(m[3]), base), m);
  for (const m of text.matchAll(DAY_ONLY)) {
    const word = m[1]!;
    // "יום שני 14": Hebrew weekdays are two words.
    const weekday = WEEKDAY.get(word) ?? (text.slice(Math.max(0, m.index - 4), m.index) === 'יום ' ? WEEKDAY.get(`יום ${word}`) : undefined);
    // "the 14" alone is too loose ("the 3 of us"): English needs its ordinal suffix.
    const theAt = word === 'the' ? m.index : m[2] === 'the' ? m.index + m[0].indexOf('the', word.length) : -1;
    const ordinal = theAt >= 0 && /^(st|nd|rd|th)$/.test(m[4] ?? '') && (word !== 'the' ? ORDINAL_CONTEXT.test(`${word} `) : ORDINAL_CONTEXT.test(text.slice(Math.max(0, theAt - 16), theAt)));
    if (weekday === undefined && !ordinal) continue;
    const next = NEXT_WORD.exec(text.slice(m.index + m[0].length, m.index + m[0].length + 40));
    if (next && monthOf(next[1]!, language)) continue; // "Monday 4 January": the day-month pattern reads it
    add(nextDayOfMonth(Number(m[3]), weekday, base), m);
  }

  const earliest = base.getTime() - 86_400_000;
  const latest = base.getTime() + 366 * 86_400_000;
  const plausible = found.filter((f) => f.date.getTime() >= earliest && f.date.getTime() <= latest);
  if (plausible.length === 0) return null;
  const best = plausible.reduce((a, b) => (b.date.getTime() > a.date.getTime() || (b.date.getTime() === a.date.getTime() && b.index > a.index) ? b : a));
  const before = text.slice(Math.max(0, best.index - 30), best.index);
  const after = text.slice(best.index + best.length, best.index + best.length + 30);
  const inclusive = INCLUSIVE_BEFORE.test(before) || INCLUSIVE_AFTER.test(after);
  const date = inclusive ? new Date(best.date.getTime() + 86_400_000) : best.date;
  return date.toISOString().slice(0, 10);
}
