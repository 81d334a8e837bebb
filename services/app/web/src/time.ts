/**
 * Times in the viewer's words: their locale and time zone (Intl), the one way the app prints a time.
 * The API sends instants as ISO 8601 in UTC (`toISOString()`), also inside its plain sentences.
 */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** An instant such as 2026-12-14T09:00:00.000Z as the API writes it, or a calendar date such as 2026-12-14. */
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?(?![\d:T])/g;

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : dateTime.format(at);
}

/** A calendar date (e.g. an out-of-office return date, `2026-12-14`), without a time or a zone shift. */
export function formatDate(day: string | null | undefined): string {
  if (!day) return '—';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return formatTime(day);
  return dateOnly.format(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

/** A sentence from the API with every ISO instant and date in it written as formatTime and formatDate write them. */
export function formatTimesIn(text: string): string {
  return text.replace(ISO_TIME, (iso) => (iso.length === 10 ? formatDate(iso) : formatTime(iso)));
}
