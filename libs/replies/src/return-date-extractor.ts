/**
 * Finds the date an out-of-office sender says they are back. Auto-replies state a period ("from 20
 * to 27 December", "bis 03.12.2026", "12月3日まで"); the return is the latest plausible date in the
 * text. A "through/inclusive" end date means back the next day.
 */
const MONTHS: Record<string, number> = {};
const MONTH_NAMES: string[][] = [
  // en, de, fr, es, it, nl, pt, sv, da/no, fi (nominative and partitive), pl (nominative and genitive)
  ['january', 'jan', 'januar', 'janvier', 'enero', 'gennaio', 'januari', 'janeiro', 'tammikuu', 'tammikuuta', 'styczeń', 'stycznia'],
  ['february', 'feb', 'februar', 'février', 'fevrier', 'febrero', 'febbraio', 'februari', 'fevereiro', 'helmikuu', 'helmikuuta', 'luty', 'lutego'],
  ['march', 'mar', 'märz', 'maerz', 'mars', 'marzo', 'maart', 'março', 'marco', 'marts', 'maaliskuu', 'maaliskuuta', 'marzec', 'marca'],
  ['april', 'apr', 'avril', 'abril', 'aprile', 'huhtikuu', 'huhtikuuta', 'kwiecień', 'kwietnia'],
  ['may', 'mai', 'mayo', 'maggio', 'mei', 'maio', 'maj', 'toukokuu', 'toukokuuta', 'maja'],
  ['june', 'jun', 'juni', 'juin', 'junio', 'giugno', 'junho', 'kesäkuu', 'kesäkuuta', 'czerwiec', 'czerwca'],
  ['july', 'jul', 'juli', 'juillet', 'julio', 'luglio', 'julho', 'heinäkuu', 'heinäkuuta', 'lipiec', 'lipca'],
  ['august', 'aug', 'août', 'aout', 'agosto', 'augustus', 'augusti', 'elokuu', 'elokuuta', 'sierpień', 'sierpnia'],
  ['september', 'sep', 'sept', 'septembre', 'septiembre', 'settembre', 'setembro', 'syyskuu', 'syyskuuta', 'wrzesień', 'września'],
  ['october', 'oct', 'oktober', 'octobre', 'octubre', 'ottobre', 'outubro', 'okt', 'lokakuu', 'lokakuuta', 'październik', 'października'],
  ['november', 'nov', 'novembre', 'noviembre', 'novembro', 'marraskuu', 'marraskuuta', 'listopad', 'listopada'],
  ['december', 'dec', 'dezember', 'décembre', 'decembre', 'diciembre', 'dicembre', 'dezembro', 'desember', 'joulukuu', 'joulukuuta', 'grudzień', 'grudnia'],
];
MONTH_NAMES.forEach((names, index) => names.forEach((name) => (MONTHS[name] = index + 1)));
const MONTH_ALT = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');

const ISO = /\b(20\d\d)-(\d{1,2})-(\d{1,2})\b/g;
const NUMERIC = /\b(\d{1,2})([./])(\d{1,2})(?:\2(\d{2}|\d{4}))?\b\.?/g;
/** dd-mm-yyyy (nl, da, pt…); with a dash only when the year is there, so ranges like 3-5 are not dates. */
const DASHED = /\b(\d{1,2})-(\d{1,2})-(20\d\d)\b/g;
const DAY_MONTH = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th|er|º|\\.)?(?:\\s+de)?\\s+(${MONTH_ALT})\\.?(?:\\s+(?:de\\s+)?(20\\d\\d))?`, 'giu');
const MONTH_DAY = new RegExp(`\\b(${MONTH_ALT})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(20\\d\\d))?`, 'giu');
const CJK = /(?:(20\d\d)\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日号일]/g;
const THROUGH = /\b(through|thru|inclusive|including|einschließlich|einschliesslich|inklusive|t\/m|t\.o\.m\.|till och med|til og med|inclusief|incluso|inclus)\b/i;

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
function withYear(year: string | undefined, month: number, day: number, received: Date): Date | null {
  if (year) return utcDate(year.length === 2 ? 2000 + Number(year) : Number(year), month, day);
  const thisYear = utcDate(received.getUTCFullYear(), month, day);
  if (!thisYear) return null;
  return thisYear.getTime() < received.getTime() - 7 * 86_400_000 ? utcDate(received.getUTCFullYear() + 1, month, day) : thisYear;
}

function firstLinesBeforeQuote(text: string): string {
  const cut = text.search(/^(>|-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original)|On .{5,120} wrote:|From: .+@)/im);
  return (cut === -1 ? text : text.slice(0, cut)).slice(0, 4000);
}

export function extractReturnDate(body: string | null, receivedAt: string, language: string | null = null): string | null {
  if (!body) return null;
  const received = new Date(receivedAt);
  const text = firstLinesBeforeQuote(body);
  const found: Found[] = [];
  for (const m of text.matchAll(ISO)) {
    const d = utcDate(Number(m[1]), Number(m[2]), Number(m[3]));
    if (d) found.push({ date: d, index: m.index, length: m[0].length });
  }
  // Read once for the whole text, not once per date found (that was quadratic in the number of dates).
  const usEnglish = language === 'en' && !/\b(dd\/mm|uk|gb)\b/i.test(text);
  for (const m of text.matchAll(NUMERIC)) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    // "." is day-first everywhere it is used (de, fi, pl, no, da…); "/" is month-first only in US English.
    const monthFirst = m[2] === '/' && (b > 12 || (a <= 12 && usEnglish));
    const [month, day] = monthFirst ? [a, b] : [b, a];
    if (!m[4] && m[2] === '.' && !/\.$/.test(m[0]) && text[m.index + m[0].length] !== ' ') continue; // a decimal number, not a date
    const d = withYear(m[4], month, day, received);
    if (d) found.push({ date: d, index: m.index, length: m[0].length });
  }
  for (const m of text.matchAll(DASHED)) {
    const d = utcDate(Number(m[3]), Number(m[2]), Number(m[1]));
    if (d) found.push({ date: d, index: m.index, length: m[0].length });
  }
  for (const m of text.matchAll(DAY_MONTH)) {
    const month = MONTHS[m[2]!.toLowerCase()];
    const d = month ? withYear(m[3], month, Number(m[1]), received) : null;
    if (d) found.push({ date: d, index: m.index, length: m[0].length });
  }
  for (const m of text.matchAll(MONTH_DAY)) {
    const month = MONTHS[m[1]!.toLowerCase()];
    const d = month ? withYear(m[3], month, Number(m[2]), received) : null;
    if (d) found.push({ date: d, index: m.index, length: m[0].length });
  }
  for (const m of text.matchAll(CJK)) {
    const d = withYear(m[1], Number(m[2]), Number(m[3]), received);
    if (d) found.push({ date: d, index: m.index, length: m[0].length });
  }
  const earliest = received.getTime() - 86_400_000;
  const latest = received.getTime() + 366 * 86_400_000;
  const plausible = found.filter((f) => f.date.getTime() >= earliest && f.date.getTime() <= latest);
  if (plausible.length === 0) return null;
  const best = plausible.reduce((a, b) => (b.date.getTime() > a.date.getTime() ? b : a));
  const around = text.slice(Math.max(0, best.index - 40), best.index + best.length + 30);
  const date = THROUGH.test(around) ? new Date(best.date.getTime() + 86_400_000) : best.date;
  return date.toISOString().slice(0, 10);
}
