import { z } from 'zod';
import { Address, EmailAddress, Uuid, type SuppressionReason } from '@telltale/contracts';
import { textIssues } from '@telltale/runtime';
import { TimeZoneName } from '../scheduling/send-window';
import { EnrollmentVariables } from './enrollment-variables';

export const MAX_BATCH_ROWS = 1000;

/** One row of a batch (one line of the CSV the web app parsed): the prospect and who is on CC. */
const BatchRow = z
  .object({
    prospect: z.object({ email: EmailAddress, name: z.string().trim().max(200).nullable().default(null) }).strict(),
    cc: z.array(z.object({ address: EmailAddress, name: z.string().trim().max(200).nullable().default(null) }).strict()).max(50).default([]),
    /** The row's template variables (the CSV's other columns) and the prospect's time zone, as on a single enrolment. */
    variables: EnrollmentVariables.default({}),
    timeZone: TimeZoneName.nullable().default(null),
  })
  .strict();

/**
 * `POST /v1/sequences/:id/enrollments/batch`: up to 1 000 prospects from one mailbox and sender.
 * The envelope must be valid (400 otherwise); each row is checked on its own, so one bad row never
 * fails the others.
 */
export const BatchEnrollRequest = z
  .object({
    mailboxId: Uuid,
    from: Address,
    startAt: z.iso.datetime().optional(),
    rows: z.array(z.unknown()).min(1).max(MAX_BATCH_ROWS),
  })
  .strict();
export type BatchEnrollRequest = z.output<typeof BatchEnrollRequest>;

export type BatchRowResult =
  | { row: number; status: 'created'; enrollmentId: string; email: string }
  /** Already live in this sequence (`enrollmentId` is that enrollment), or listed earlier in the batch (`duplicateOfRow`). */
  | { row: number; status: 'duplicate'; email: string; enrollmentId: string | null; duplicateOfRow: number | null }
  /** `field`: the row's field at fault (`prospect.email`, `cc.0.address` …). */
  | {
      row: number;
      status: 'error';
      field: string;
      message: string;
      /** `address_suppressed`: the address at `field` is on the organisation's suppression list (why and since when). */
      error?: 'address_suppressed';
      address?: string;
      reason?: SuppressionReason;
      since?: string;
    };

export interface BatchEnrollResponse {
  created: number;
  duplicates: number;
  errors: number;
  results: BatchRowResult[];
}

export type ParsedBatchRow = { row: number } & z.output<typeof BatchRow>;

/** Checks each row on its own and marks repeats of an address earlier in the batch; what is left is to be enrolled. */
export function parseBatchRows(rows: readonly unknown[]): { valid: ParsedBatchRow[]; results: BatchRowResult[] } {
  const valid: ParsedBatchRow[] = [];
  const results: BatchRowResult[] = [];
  const firstRowOf = new Map<string, number>();
  rows.forEach((input, row) => {
    const refused = textIssues(input);
    const parsed = BatchRow.safeParse(input);
    if (refused.length > 0 || !parsed.success) {
      const issue = refused[0] ?? (parsed.success ? undefined : { path: parsed.error.issues[0]?.path.join('.') || '(row)', message: parsed.error.issues[0]?.message ?? 'invalid row' });
      results.push({ row, status: 'error', field: issue?.path ?? '(row)', message: issue?.message ?? 'invalid row' });
      return;
    }
    const email = parsed.data.prospect.email;
    const key = email.toLowerCase();
    const earlier = firstRowOf.get(key);
    if (earlier !== undefined) {
      results.push({ row, status: 'duplicate', email, enrollmentId: null, duplicateOfRow: earlier });
      return;
    }
    firstRowOf.set(key, row);
    valid.push({ row, ...parsed.data });
  });
  return { valid, results };
}

export function summarise(results: BatchRowResult[]): BatchEnrollResponse {
  const sorted = [...results].sort((a, b) => a.row - b.row);
  const count = (s: BatchRowResult['status']) => sorted.filter((r) => r.status === s).length;
  return { created: count('created'), duplicates: count('duplicate'), errors: count('error'), results: sorted };
}
