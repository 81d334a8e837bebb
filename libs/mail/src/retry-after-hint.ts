const UNIT_MS: Record<string, number> = {
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
};

const HINT = /\b(?:try|retry)\b[^0-9]{0,24}?(\d{1,6})\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b/i;

/**
 * Reads a wait time that a server put into its human-readable reply text ("try again in 30
 * seconds"). SMTP (RFC 5321) and IMAP (RFC 9051) have no structured retry-after field, so the text
 * is all there is; anything we cannot read returns undefined and the caller's own backoff applies.
 */
export function retryAfterFromText(text: string): number | undefined {
  const match = HINT.exec(text);
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unitWord = (match[2] ?? '').toLowerCase().replace(/s$/, '');
  const unit = UNIT_MS[unitWord] ?? UNIT_MS[unitWord.charAt(0)];
  if (unit === undefined || !Number.isFinite(amount)) return undefined;
  return amount * unit;
}
