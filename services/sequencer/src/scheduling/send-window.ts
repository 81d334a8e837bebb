import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Send windows (issue 15): the days of the week and the hours a sequence's steps may leave,
 * read in the prospect's time zone when the enrollment has one, else the sequence's. Wall-clock
 * arithmetic through Intl's time zone data, so a window is right across daylight-saving changes:
 * a start that falls in the spring-forward gap opens when the clock jumps past it; a start that
 * happens twice in the autumn opens at the first.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The most a step is spread after its window opens (deterministic per enrollment and step). */
export const MAX_JITTER_SECONDS = 300;

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name (`America/New_York`, `Europe/Berlin`, `UTC`). */
export const TimeZoneName = z.string().min(1).max(64).refine(isTimeZone, 'an IANA time zone name such as America/New_York');

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM (00:00 to 23:59)');

/** `{ days: ['mon'…'fri'], start: '09:00', end: '17:00', timeZone: 'America/New_York' }`; end after start, same day. */
export const SendWindow = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1).max(7).refine((d) => new Set(d).size === d.length, 'each day once'),
    start: ClockTime,
    end: ClockTime,
    /** Used when the enrollment has no time zone of its own (the mailbox owner's). */
    timeZone: TimeZoneName,
  })
  .strict()
  .refine((w) => w.end > w.start, { message: 'end must be after start (a window within one day)', path: ['end'] });
export type SendWindow = z.output<typeof SendWindow>;

const formats = new Map<string, Intl.DateTimeFormat>();
function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formats.set(timeZone, f);
  }
  return f;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  /** Minutes since local midnight. */
  minutes: number;
  second: number;
  weekday: Weekday;
}

/** The wall clock in `timeZone` at instant `t` (ms). */
export function wallClock(t: number, timeZone: string): Wall {
  const parts: Record<string, string> = {};
  for (const p of formatFor(timeZone).formatToParts(new Date(t))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    second: Number(parts.second),
    weekday: parts.weekday!.toLowerCase().slice(0, 3) as Weekday,
  };
}

/** The zone's offset from UTC at instant `t`, in ms. */
function offsetAt(t: number, timeZone: string): number {
  const w = wallClock(t, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, 0, w.minutes, w.second);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/**
 * The first instant at which the wall clock in `timeZone` reads at least the given local date and
 * minute: the earlier of two when the time happens twice, the jump when it does not exist.
 */
export function instantOfWallTime(year: number, month: number, day: number, minutes: number, timeZone: string): number {
  const local = Date.UTC(year, month - 1, day, 0, minutes);
  const before = offsetAt(local - 86_400_000, timeZone);
  const after = offsetAt(local + 86_400_000, timeZone);
  const valid = [local - before, local - after].filter((t) => offsetAt(t, timeZone) === local - t);
  if (valid.length > 0) return Math.min(...valid);
  // In the gap: the first instant whose wall clock is past the time is the jump itself.
  let lo = local - after;
  let hi = local - before;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    const w = wallClock(mid, timeZone);
    if (Date.UTC(w.year, w.month - 1, w.day, 0, w.minutes) >= local) hi = mid;
    else lo = mid;
  }
  return hi;
}

const inWindow = (w: Wall, window: SendWindow, start: number, end: number): boolean => window.days.includes(w.weekday) && w.minutes >= start && w.minutes < end;
const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** `at` itself when the window is open then, else when it next opens (within 8 days: some day of the week always is). */
export function nextOpening(at: Date, window: SendWindow, timeZone: string): Date {
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (inWindow(wallClock(at.getTime(), timeZone), window, start, end)) return at;
  const today = wallClock(at.getTime(), timeZone);
  for (let i = 0; i <= 8; i++) {
    // Calendar arithmetic on the local date (UTC fields stand in for it).
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day + i));
    if (!window.days.includes(WEEKDAYS[d.getUTCDay()]!)) continue;
    const opens = instantOfWallTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), start, timeZone);
    if (opens > at.getTime()) return new Date(opens);
  }
  throw new Error('a send window with at least one day opens within a week');
}

/** Whether the window is open at `at`. */
export function isOpen(at: Date, window: SendWindow, timeZone: string): boolean {
  return inWindow(wallClock(at.getTime(), timeZone), window, minutesOf(window.start), minutesOf(window.end));
}

/** 0 to MAX_JITTER_SECONDS − 1, the same for the same enrollment and step every time (a retry does not move it). */
export function jitterSeconds(enrollmentId: string, stepNumber: number): number {
  return createHash('sha256').update(`${enrollmentId}:${stepNumber}`).digest().readUInt32BE(0) % MAX_JITTER_SECONDS;
}

/**
 * When a step due at `now` may leave: now when the window is open and the step was already spread;
 * otherwise the window's opening plus the step's jitter (the opening itself if the jitter would run
 * past the window's end).
 */
export function sendSlot(now: Date, window: SendWindow, timeZone: string, enrollmentId: string, stepNumber: number, alreadySpread: boolean): Date {
  const opens = nextOpening(now, window, timeZone);
  if (alreadySpread && opens.getTime() === now.getTime()) return now;
  const spread = new Date(opens.getTime() + jitterSeconds(enrollmentId, stepNumber) * 1000);
  return isOpen(spread, window, timeZone) ? spread : opens;
}
