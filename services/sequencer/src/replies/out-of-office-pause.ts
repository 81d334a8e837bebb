export interface OutOfOfficePolicy {
  /** Pause length when the auto-reply states no return date. */
  defaultDays: number;
  /** Longest pause, whatever the auto-reply says (a "back in 2027" typo must not park a campaign for a year). */
  maxDays: number;
}

export type OutOfOfficePause =
  | { pause: true; until: Date; basis: 'return_date' | 'default' | 'capped' }
  | { pause: false; why: string };

const DAY_MS = 86_400_000;

/**
 * How long an out-of-office reply pauses an enrollment. The return date is a calendar date without a
 * time zone (the auto-reply's wording), so the prospect counts as back from 00:00 UTC that day.
 */
export function outOfOfficePause(returnDate: string | null, now: Date, policy: OutOfOfficePolicy): OutOfOfficePause {
  const cap = new Date(now.getTime() + policy.maxDays * DAY_MS);
  if (returnDate === null) {
    const until = new Date(now.getTime() + policy.defaultDays * DAY_MS);
    return until > cap ? { pause: true, until: cap, basis: 'capped' } : { pause: true, until, basis: 'default' };
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(returnDate);
  if (!match) return { pause: false, why: `unreadable return date ${returnDate}` };
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const back = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-13-45 over into 2027; a real date survives the round trip.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return { pause: false, why: `unreadable return date ${returnDate}` };
  if (back <= now) return { pause: false, why: `the stated return date ${returnDate} has passed` };
  if (back > cap) return { pause: true, until: cap, basis: 'capped' };
  return { pause: true, until: back, basis: 'return_date' };
}
