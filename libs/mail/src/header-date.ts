import { replaceComments } from './header-comments';

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

/** RFC 5322 §4.3 obsolete zone names, in minutes east of UTC. Military zones are unreliable and read as -0000. */
const NAMED_ZONES: Record<string, number> = {
  ut: 0, gmt: 0, utc: 0, z: 0,
  edt: -4 * 60, est: -5 * 60, cdt: -5 * 60, cst: -6 * 60, mdt: -6 * 60, mst: -7 * 60, pdt: -7 * 60, pst: -8 * 60,
};

/** RFC 5322 §3.3 date-time, with the obsolete forms of §4.3 (two-digit years, named zones, missing seconds). */
const RFC5322_DATE =
  /^(?:[a-z]{3,}\s*,?\s*)?(\d{1,2})\s+([a-z]{3})[a-z]*\s+(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?(?:\s+([+-]\d{4}|[a-z]{1,5}))?/i;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

function stripComments(value: string): string {
  return replaceComments(value).replace(/\s+/g, ' ').trim();
}

function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined) return 0;
  if (/^[+-]\d{4}$/.test(zone)) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(3, 5));
    if (minutes > 59) return null;
    return sign * (hours * 60 + minutes);
  }
  const named = NAMED_ZONES[zone.toLowerCase()];
  return named ?? 0;
}

/**
 * Parses a Date header value to an ISO string, or null when it is not a date. We do not use
 * Date.parse on its own: V8 turns almost any text into some date ("1" is 2001-01-01), and
 * mailparser replaces an unreadable date with the current time, which would invent facts.
 */
export function parseHeaderDate(value: string | null): string | null {
  if (value === null) return null;
  const cleaned = stripComments(value);
  if (ISO_DATE.test(cleaned)) {
    const time = Date.parse(cleaned);
    return Number.isNaN(time) ? null : new Date(time).toISOString();
  }
  const match = RFC5322_DATE.exec(cleaned);
  if (match === null) return null;
  const day = Number(match[1]);
  const month = MONTHS[(match[2] ?? '').toLowerCase()];
  let year = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const offset = zoneOffsetMinutes(match[7]);
  if (month === undefined || offset === null) return null;
  // RFC 5322 §4.3: a two-digit year below 50 is 20xx, otherwise 19xx; a three-digit year adds 1900.
  if ((match[3] ?? '').length === 2) year += year < 50 ? 2000 : 1900;
  else if ((match[3] ?? '').length === 3) year += 1900;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const utc = Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) - offset * 60_000;
  const date = new Date(utc);
  // Reject days the month does not have (31 Feb) instead of letting Date roll them over.
  if (new Date(Date.UTC(year, month, day)).getUTCDate() !== day) return null;
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
