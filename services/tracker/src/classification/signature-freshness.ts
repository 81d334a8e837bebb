import type { Logger } from '@telltale/telemetry';
import type { HitSignatures } from './hit-signatures';

export interface SignatureAge {
  /** Which list: the hand-maintained file, or a provider's cloud ranges. */
  list: string;
  /** When it was last updated (ISO date or date-time), null when unknown. */
  date: string | null;
  ageDays: number | null;
}

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}/;

/**
 * How old each signature list is, and which are older than `maxAgeDays` (or of unknown age, or
 * missing: no cloud ranges at all). Pure; start-up logs it (docs/tracking-classification.md,
 * "Refreshing the signatures").
 */
export function signatureFreshness(signatures: HitSignatures, now: Date, maxAgeDays: number): { ages: SignatureAge[]; stale: string[] } {
  const age = (list: string, date: string | null): SignatureAge => {
    const ms = date && DATE.test(date) ? Date.parse(date.length === 10 ? `${date}T00:00:00Z` : date) : NaN;
    return { list, date, ageDays: Number.isNaN(ms) ? null : Math.max(0, Math.floor((now.getTime() - ms) / DAY_MS)) };
  };
  const handMaintained = signatures.updated ?? (DATE.test(signatures.version) ? signatures.version : null);
  const cloud = signatures.cloud.file;
  const ages = [age('hit-signatures.json', handMaintained), ...cloud.sources.map((s) => age(`cloud ranges: ${s.provider}`, s.publishedAt ?? cloud.generatedAt))];
  const stale = ages.filter((a) => a.ageDays === null || a.ageDays > maxAgeDays).map((a) => `${a.list} is ${a.ageDays === null ? 'of unknown age' : `${a.ageDays} days old`}`);
  if (cloud.sources.length === 0) stale.push('no cloud ranges: clicks from cloud data centres are not recognised');
  return { ages, stale };
}

/** Start-up's line about the signatures' age; a warning when one is stale (refresh procedure in the docs). */
export function logSignatureFreshness(logger: Logger, signatures: HitSignatures, now: Date, maxAgeDays: number): void {
  const { ages, stale } = signatureFreshness(signatures, now, maxAgeDays);
  const fields = { signatures: ages.map((a) => `${a.list}: ${a.date ?? 'unknown'} (${a.ageDays ?? '?'} days)`), cloudRangeIntervals: signatures.cloud.intervals, maxAgeDays };
  if (stale.length === 0) logger.info(fields, 'hit signatures loaded');
  else logger.warn({ ...fields, stale }, 'hit signatures are stale: run npm run signatures:refresh (docs/tracking-classification.md)');
}
